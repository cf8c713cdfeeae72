#pragma once
// Wall-clock timestamps shared across components (and, later, processes): the load generator
// stamps each request's intended send time, the workflow stamps completion, reconciliation
// subtracts them. Latency within one component uses steady_clock instead.
#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace asyncbench {

inline std::int64_t epoch_us_now() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// An epoch-microseconds timestamp as the load generator writes it (the HTTP header
// X-Intended-Send-Us, the Kafka header intended-us): decimal digits only, > 0. nullopt for
// anything else, so a request from another client simply has no intended time.
inline std::optional<std::int64_t> parse_epoch_us(std::string_view text) {
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value <= 0) return std::nullopt;
    return value;
}

}  // namespace asyncbench
