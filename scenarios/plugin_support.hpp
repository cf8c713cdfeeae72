#pragma once
// What the scenario plugins share beyond request validation (json_fields.hpp): the fixed mix
// that makes their workloads deterministic, and reading their declared tables in checks.
// Pure functions; thread-safe.
#include <cstdint>
#include <string>

#include "harness/config/scenario_config.hpp"
#include "harness/store/store.hpp"

namespace asyncbench {

// splitmix64: a fixed, well-spread mix of `x`, so both modes (and every run) send the same
// workload for the same sequence numbers.
std::uint64_t splitmix64(std::uint64_t x);

// The scenario's declared table `name`; throws store_error naming the scenario when its file
// does not declare it (a plugin run with the wrong YAML).
const table_spec& declared_table(const scenario_config& scenario, const std::string& name);

// The integer in `row`'s `column`; 0 when the column is absent (NULL) or not an integer.
std::int64_t integer_column(const row_values& row, const std::string& column);

}  // namespace asyncbench
