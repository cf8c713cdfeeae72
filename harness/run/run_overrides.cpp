#include "harness/run/run_overrides.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "harness/config/units.hpp"

namespace asyncbench {

std::vector<std::string> apply_overrides(scenario_config& scenario,
                                         const scenario_overrides& overrides) {
    std::vector<std::string> errors;
    if (overrides.rate) {
        auto rate = parse_rate(*overrides.rate);
        if (!rate || *rate <= 0) {
            errors.push_back(
                fmt::format("--rate: '{}' is not a positive rate (examples: 200, 200/s, 1.5k/s)",
                            *overrides.rate));
        } else {
            scenario.load.rate_per_s = *rate;
            scenario.load.ramp.clear();
        }
    }
    if (overrides.duration) {
        auto duration = parse_duration(*overrides.duration);
        if (!duration || duration->count() <= 0) {
            errors.push_back(fmt::format(
                "--duration: '{}' is not a positive duration (examples: 30s, 2m, 500ms)",
                *overrides.duration));
        } else {
            scenario.load.duration = *duration;
        }
    }
    if (overrides.quick) {
        using namespace std::chrono_literals;
        scenario.load.warmup = std::min<std::chrono::nanoseconds>(scenario.load.warmup, 2s);
        scenario.load.duration = std::min<std::chrono::nanoseconds>(scenario.load.duration, 10s);
        scenario.load.requests =
            std::min(scenario.load.requests.value_or(quick_max_requests), quick_max_requests);
        scenario.drain_timeout = std::min<std::chrono::nanoseconds>(scenario.drain_timeout, 30s);
    }
    return errors;
}

run_settings describe_settings(const scenario_config& scenario) {
    run_settings settings;
    const auto& load = scenario.load;
    settings.load_model = load.kind == load_spec::model::open ? "open" : "closed";
    settings.rate_per_s = load.ramp.empty() ? load.rate_per_s : load.ramp.front().rate_per_s;
    settings.users = load.users;
    settings.warmup_s = std::chrono::duration<double>(load.warmup).count();
    settings.duration_s = std::chrono::duration<double>(load.duration).count();
    settings.requests = load.requests;
    settings.sync_worker_threads = scenario.sync.worker_threads;
    settings.async_partitions = scenario.async.partitions;
    settings.async_consumers_per_group = scenario.async.consumers_per_group;
    settings.async_worker_processes = scenario.async.worker_processes;
    for (const auto& stage : scenario.workflow) settings.stages.push_back(stage.name);
    return settings;
}

}  // namespace asyncbench
