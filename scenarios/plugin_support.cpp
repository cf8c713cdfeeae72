#include "scenarios/plugin_support.hpp"

#include <fmt/format.h>

#include <charconv>

namespace asyncbench {

std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

const table_spec& declared_table(const scenario_config& scenario, const std::string& name) {
    const auto* table = scenario.table(name);
    if (table == nullptr) {
        throw store_error(fmt::format("scenario '{}' declares no table '{}'", scenario.name, name));
    }
    return *table;
}

std::int64_t integer_column(const row_values& row, const std::string& column) {
    const auto found = row.find(column);
    if (found == row.end()) return 0;
    std::int64_t value = 0;
    std::from_chars(found->second.data(), found->second.data() + found->second.size(), value);
    return value;
}

}  // namespace asyncbench
