#include "harness/workflow/row_json.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <stdexcept>

#include "harness/http/http_types.hpp"

namespace asyncbench {
namespace {

bool is_integer_kind(column_spec::type kind) {
    return kind == column_spec::type::integer || kind == column_spec::type::written_at;
}

std::optional<std::int64_t> parse_integer(const std::string& text) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

boost::json::object row_json(const table_spec& table, const row_values& row) {
    boost::json::object object;
    const auto key = row.find(table.key);
    if (key != row.end()) object[table.key] = valid_utf8(key->second);
    for (const auto& column : table.columns) {
        const auto value = row.find(column.name);
        if (value == row.end()) continue;  // NULL: the row never set it
        if (!is_integer_kind(column.kind)) {
            object[column.name] = valid_utf8(value->second);
            continue;
        }
        const auto number = parse_integer(value->second);
        if (!number) {
            throw std::invalid_argument(fmt::format(
                "table {}, row '{}': column {} holds '{}', not an integer", table.name,
                key == row.end() ? std::string() : key->second, column.name, value->second));
        }
        object[column.name] = *number;
    }
    return object;
}

std::optional<row_values> row_from_json(const boost::json::object& object) {
    row_values row;
    for (const auto& [name, value] : object) {
        const std::string column(name);
        if (value.is_string()) {
            row[column] = std::string(value.get_string());
        } else if (value.is_int64()) {
            row[column] = std::to_string(value.get_int64());
        } else if (value.is_uint64()) {
            row[column] = std::to_string(value.get_uint64());
        } else if (value.is_null()) {
            continue;
        } else {
            return std::nullopt;
        }
    }
    return row;
}

}  // namespace asyncbench
