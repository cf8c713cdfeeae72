#pragma once
// What both store backends share, in one place so SQLite and PostgreSQL accept, refuse and
// spell exactly the same: the checks of a declared table's rows before writing them, and the
// words stage_outcomes.outcome stores. Pure; thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/store/store.hpp"

namespace asyncbench {

// One value of a row, checked against its table: a declared column (or the key), integers
// parsed whole. `text` is canonical: an integer column's value in plain decimal.
struct checked_value {
    std::string column;
    std::string text;
    std::optional<std::int64_t> integer;  // set for integer columns
};

// Throws store_error naming the table and column for an undeclared column or a value that is
// not a whole integer in an integer column.
checked_value check_value(const table_spec& table, const std::string& column,
                          const std::string& value);

// Every value of `row`, in column-name order. Throws as check_value, and when `needs_key` and
// the row lacks the key column.
std::vector<checked_value> check_row(const table_spec& table, const row_values& row,
                                     bool needs_key);

// A decrement's column must be an integer column and every amount positive; throws otherwise.
void check_decrement(const table_spec& table, const std::string& column,
                     const std::vector<decrement_claim>& claims);

// "insert into table orders key 'o-1' (business id o-1, step create)", for error messages.
std::string write_context(const char* what, const table_spec& table, const row_values& row,
                          const std::string& id, const std::string& step);
std::string decrement_context(const table_spec& table, const std::string& column,
                              const std::string& id, const std::string& step);

// How stage_outcomes.outcome spells each outcome; throws store_error for an unknown one.
std::string outcome_name(stage_outcome outcome);
stage_outcome outcome_from_name(const std::string& text);

// Runs `body`, adding `context` (table, key, business id, step) to any store_error it throws.
template <typename Body>
auto with_context(const std::string& context, Body&& body) {
    try {
        return body();
    } catch (const store_error& e) {
        throw store_error(context + ": " + e.what());
    }
}

}  // namespace asyncbench
