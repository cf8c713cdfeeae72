#pragma once
// Wall-clock timestamps shared across components (and, later, processes): the load generator
// stamps each request's intended send time, the workflow stamps completion, reconciliation
// subtracts them. Latency within one component uses steady_clock instead.
#include <chrono>
#include <cstdint>

namespace asyncbench {

inline std::int64_t epoch_us_now() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace asyncbench
