#include "harness/store/row_checks.hpp"

#include <fmt/format.h>

#include <charconv>

namespace asyncbench {
namespace {

std::int64_t parse_integer(const table_spec& table, const std::string& column,
                           const std::string& value) {
    std::int64_t number = 0;
    const char* end = value.data() + value.size();
    auto [stop, error] = std::from_chars(value.data(), end, number);
    if (value.empty() || error != std::errc() || stop != end) {
        throw store_error(
            fmt::format("table {} column {}: '{}' is not an integer", table.name, column, value));
    }
    return number;
}

// A column the arithmetic writes (decrement, add) may change: type::integer only.
void check_counter_column(const table_spec& table, const std::string& column) {
    const column_spec* spec = table.column(column);
    if (spec == nullptr || spec->kind != column_spec::type::integer) {
        throw store_error("not an integer column of the table");
    }
}

constexpr std::pair<stage_outcome, const char*> outcome_names[] = {
    {stage_outcome::completed, "completed"},
    {stage_outcome::dead_lettered, "dead_lettered"},
    {stage_outcome::rejected, "rejected"},
};

}  // namespace

std::string outcome_name(stage_outcome outcome) {
    for (const auto& [value, name] : outcome_names) {
        if (value == outcome) return name;
    }
    throw store_error(fmt::format("stage outcome {} has no name", static_cast<int>(outcome)));
}

stage_outcome outcome_from_name(const std::string& text) {
    for (const auto& [value, name] : outcome_names) {
        if (text == name) return value;
    }
    throw store_error(fmt::format("unknown stage outcome '{}' in stage_outcomes", text));
}

bool holds_integer(column_spec::type kind) {
    switch (kind) {
        case column_spec::type::integer:
        case column_spec::type::written_at:
            return true;
        case column_spec::type::text:
            return false;
    }
    throw store_error(fmt::format("column type {} is unknown", static_cast<int>(kind)));
}

checked_value check_value(const table_spec& table, const std::string& column,
                          const std::string& value) {
    if (column == table.key) return {column, value, std::nullopt};
    const column_spec* spec = table.column(column);
    if (spec == nullptr) {
        throw store_error(
            fmt::format("table {} has no column {} (key {})", table.name, column, table.key));
    }
    if (!holds_integer(spec->kind)) return {column, value, std::nullopt};
    const auto number = parse_integer(table, column, value);
    return {column, std::to_string(number), number};
}

std::vector<checked_value> check_row(const table_spec& table, const row_values& row,
                                     bool needs_key) {
    if (needs_key && row.find(table.key) == row.end()) {
        throw store_error(
            fmt::format("a row of table {} lacks its key column {}", table.name, table.key));
    }
    std::vector<checked_value> result;
    for (const auto& [column, value] : row) result.push_back(check_value(table, column, value));
    return result;
}

void check_decrement(const table_spec& table, const std::string& column,
                     const std::vector<decrement_claim>& claims) {
    check_counter_column(table, column);
    for (const auto& claim : claims) {
        if (claim.amount < 1) {
            throw store_error(
                fmt::format("key '{}': amount {} is not positive", claim.key, claim.amount));
        }
    }
}

void check_add(const table_spec& table, const std::string& column) {
    check_counter_column(table, column);
}

void check_newer(const table_spec& table, const std::string& column) {
    check_counter_column(table, column);
}

std::string on_conflict_clause(const table_spec& table, const row_conflict& conflict,
                               const std::function<std::string(const std::string&)>& quote) {
    std::string clause = fmt::format("ON CONFLICT ({}) ", quote(table.key));
    if (!conflict.replace || table.columns.empty()) return clause + "DO NOTHING";
    clause += "DO UPDATE SET ";
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
        const std::string column = quote(table.columns[i].name);
        clause += fmt::format("{}{} = excluded.{}", i == 0 ? "" : ", ", column, column);
    }
    if (!conflict.newer.empty()) {
        const std::string newer = quote(conflict.newer);
        clause += fmt::format(" WHERE {0}.{1} IS NULL OR excluded.{1} > {0}.{1}", quote(table.name),
                              newer);
    }
    return clause;
}

void check_claim(const claim_request& request) {
    if (request.stock == nullptr || request.record == nullptr) {
        throw store_error("a claim needs both a stock table and a record table");
    }
    const table_spec& stock = *request.stock;
    const column_spec* units = stock.column(request.stock_column);
    if (units == nullptr || units->kind != column_spec::type::integer) {
        throw store_error(
            fmt::format("table {} has no integer column {}", stock.name, request.stock_column));
    }
    const table_spec& record = *request.record;
    if (request.stock_key_column == request.claimant_column) {
        throw store_error(
            fmt::format("table {} column {} cannot hold both the stock key and the "
                        "claimant",
                        record.name, request.claimant_column));
    }
    for (const auto* column : {&request.stock_key_column, &request.claimant_column}) {
        const column_spec* spec = record.column(*column);
        if (spec == nullptr) {
            throw store_error(fmt::format("table {} has no column {} (key {})", record.name,
                                          *column, record.key));
        }
        if (spec->kind == column_spec::type::written_at) {
            throw store_error(fmt::format(
                "table {} column {} is a written_at column: a claim sets it to the write's time",
                record.name, *column));
        }
    }
    check_value(record, request.stock_key_column, request.stock_key);
    check_value(record, request.claimant_column, request.claimant);
}

std::vector<checked_value> claim_record(const claim_request& request, const std::string& id,
                                        std::int64_t now_us) {
    const table_spec& record = *request.record;
    row_values row{{record.key, id},
                   {request.stock_key_column, request.stock_key},
                   {request.claimant_column, request.claimant}};
    for (const auto& column : record.columns) {
        if (column.kind == column_spec::type::written_at) {
            row[column.name] = std::to_string(now_us);
        }
    }
    return check_row(record, row, true);
}

void check_rows_since(const table_spec& table, const std::string& cursor, int limit) {
    const column_spec* spec = table.column(cursor);
    if (spec == nullptr || !holds_integer(spec->kind)) {
        throw store_error(
            fmt::format("{} is not a column of table {} holding integers", cursor, table.name));
    }
    if (limit < 1) throw store_error(fmt::format("limit {} is not positive", limit));
}

std::string write_context(const char* what, const table_spec& table, const row_values& row,
                          const std::string& id, const std::string& step) {
    auto key = row.find(table.key);
    return fmt::format("{} table {} key '{}' (business id {}, step {})", what, table.name,
                       key == row.end() ? "" : key->second, id, step);
}

std::string decrement_context(const table_spec& table, const std::string& column,
                              const std::string& id, const std::string& step) {
    return fmt::format("decrement of table {} column {} (business id {}, step {})", table.name,
                       column, id, step);
}

std::string add_context(const table_spec& table, const std::string& key, const std::string& column,
                        const std::string& id, const std::string& step) {
    return fmt::format("add to table {} key '{}' column {} (business id {}, step {})", table.name,
                       key, column, id, step);
}

std::string claim_context(const claim_request& request, const std::string& id,
                          const std::string& step) {
    return fmt::format(
        "claim of table {} key '{}' column {} for claimant '{}' into table {} (business id {}, "
        "step {})",
        request.stock == nullptr ? "?" : request.stock->name, request.stock_key,
        request.stock_column, request.claimant,
        request.record == nullptr ? "?" : request.record->name, id, step);
}

std::string rows_since_context(const table_spec& table, const std::string& cursor,
                               std::int64_t since) {
    return fmt::format("rows of table {} with {} >= {}", table.name, cursor, since);
}

std::string update_context(const table_spec& table, const std::string& key, const std::string& id,
                           const std::string& step) {
    return fmt::format("update of table {} key '{}' (business id {}, step {})", table.name, key, id,
                       step);
}

std::vector<checked_value> check_update(const table_spec& table, const row_values& set) {
    auto values = check_row(table, set, false);
    if (set.count(table.key) != 0) {
        throw store_error(fmt::format("the key column {} cannot be set", table.key));
    }
    return values;
}

}  // namespace asyncbench
