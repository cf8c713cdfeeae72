#pragma once
// What both store backends share, in one place so SQLite and PostgreSQL accept, refuse and
// spell exactly the same: the checks of a declared table's rows before writing them, and the
// words stage_outcomes.outcome stores. Pure; thread-safe.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/store/store.hpp"

namespace asyncbench {

// True for the column kinds stored, checked and read back as integers (decimal text in a
// row_values): integer, and written_at (a time in microseconds since the epoch).
bool holds_integer(column_spec::type kind);

// One value of a row, checked against its table: a declared column (or the key), integers
// parsed whole. `text` is canonical: an integer column's value in plain decimal.
struct checked_value {
    std::string column;
    std::string text;
    std::optional<std::int64_t> integer;  // set for the columns that holds_integer() accepts
};

// Throws store_error naming the table and column for an undeclared column or a value that is
// not a whole integer in an integer column.
checked_value check_value(const table_spec& table, const std::string& column,
                          const std::string& value);

// Every value of `row`, in column-name order. Throws as check_value, and when `needs_key` and
// the row lacks the key column.
std::vector<checked_value> check_row(const table_spec& table, const row_values& row,
                                     bool needs_key);

// How an insert meets a row that has its key: left alone (an insert: the caller reports it),
// or replaced whole; with `newer` (an integer column) replaced only when the new row's value
// is greater than the stored one (or the stored one is NULL): a change that arrives after a
// later one of the same row is stale and leaves it as it is.
struct row_conflict {
    bool replace = false;
    std::string newer;
};

// "ON CONFLICT (key) DO NOTHING" or "ON CONFLICT (key) DO UPDATE SET c = excluded.c, ...
// [WHERE table.n IS NULL OR excluded.n > table.n]", every name passed through `quote` (the
// backend's identifier quoting). Valid SQL for SQLite (>= 3.24) and PostgreSQL alike.
std::string on_conflict_clause(const table_spec& table, const row_conflict& conflict,
                               const std::function<std::string(const std::string&)>& quote);

// An upsert's `newer` column must be a declared integer column (type::integer); throws
// store_error naming the table otherwise.
void check_newer(const table_spec& table, const std::string& column);

// A decrement's column must be an integer column and every amount positive; throws otherwise.
// Only type::integer: a written_at column holds a write's time, never a quantity.
void check_decrement(const table_spec& table, const std::string& column,
                     const std::vector<decrement_claim>& claims);

// add_to_column's column must be an integer column (type::integer, as for a decrement);
// throws otherwise.
void check_add(const table_spec& table, const std::string& column);

// A claim's tables and columns: both tables given; the stock column an integer column
// (type::integer) of the stock table; the record's stock key and claimant columns two different
// declared columns of the record table, neither a written_at column (a claim sets those to the
// write's time); the stock key and claimant fit their columns (whole integers in an integer
// column). Throws store_error naming the table and column otherwise.
void check_claim(const claim_request& request);

// The record row a claim writes, checked (as check_row): the key = `id`, the stock key and
// claimant columns, every written_at column = `now_us`; the other columns absent (NULL).
// Call check_claim first.
std::vector<checked_value> claim_record(const claim_request& request, const std::string& id,
                                        std::int64_t now_us);

// rows_since's cursor must be a declared column holding integers and its limit positive;
// throws otherwise. The cursor is then safe to quote into SQL as a column of the table.
void check_rows_since(const table_spec& table, const std::string& cursor, int limit);

// "insert into table orders key 'o-1' (business id o-1, step create)", for error messages.
std::string write_context(const char* what, const table_spec& table, const row_values& row,
                          const std::string& id, const std::string& step);
std::string decrement_context(const table_spec& table, const std::string& column,
                              const std::string& id, const std::string& step);
// "update of table orders key 'o-1' (business id o-1, step paid)".
std::string update_context(const table_spec& table, const std::string& key, const std::string& id,
                           const std::string& step);
// The checked values of an update's `set`; throws store_error when it sets the key column.
std::vector<checked_value> check_update(const table_spec& table, const row_values& set);
// "add to table counts key 'click' column n (business id e-1, step count)".
std::string add_context(const table_spec& table, const std::string& key, const std::string& column,
                        const std::string& id, const std::string& step);
// "claim of table coupons key 'c1' column left for claimant 'u1' into table grants (business
// id g1, step claim)"; a missing table reads "?".
std::string claim_context(const claim_request& request, const std::string& id,
                          const std::string& step);
// "rows of table events with at >= 1700000000000000".
std::string rows_since_context(const table_spec& table, const std::string& cursor,
                               std::int64_t since);

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
