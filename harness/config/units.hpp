#pragma once
// Parsing of human-written quantities, done once at the configuration boundary.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace asyncbench {

// "250ms", "30s", "2m", "1.5s", "500us", "0" -> nanoseconds. Negative or unit-less non-zero
// values are rejected (nullopt): "30" is ambiguous and users meant different things by it.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

// "64KiB", "1MiB", "512B", "4096" (plain bytes) -> bytes. Negative rejected.
std::optional<std::size_t> parse_size(std::string_view text);

// "500", "500/s", "1.5k/s" -> per second, >= 0.
std::optional<double> parse_rate(std::string_view text);

// "5%" -> 0.05, "99.9%" -> 0.999: a finite number >= 0 followed by '%' and nothing else (no
// spaces); nullopt otherwise. Callers check their own range.
std::optional<double> parse_percent(std::string_view text);

// Short rendering for messages and reports: 1500ms -> "1.5s", 250ms -> "250ms", 90s -> "90s".
std::string format_duration(std::chrono::nanoseconds value);

}  // namespace asyncbench
