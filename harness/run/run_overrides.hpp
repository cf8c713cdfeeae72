#pragma once
// Command-line adjustments applied to a loaded scenario, as pure functions.
#include <optional>
#include <string>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/result/run_result.hpp"

namespace asyncbench {

struct scenario_overrides {
    std::optional<std::string> rate;      // e.g. "200/s"; replaces rate and any ramp
    std::optional<std::string> duration;  // e.g. "45s"
    bool quick = false;
};

// --quick bounds a run so both modes finish in under a minute: warm-up at most 2 s, measured
// phase at most 10 s, at most 2,000 measured requests, drain at most 30 s.
inline constexpr std::uint64_t quick_max_requests = 2000;

// Returns one message per invalid override; leaves `scenario` unchanged for those.
std::vector<std::string> apply_overrides(scenario_config& scenario,
                                         const scenario_overrides& overrides);

// What result.json records of the settings the run used.
run_settings describe_settings(const scenario_config& scenario);

}  // namespace asyncbench
