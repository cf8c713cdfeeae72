#pragma once
// Draws service times from a latency_spec. Pure apart from the caller's random engine.
#include <chrono>
#include <random>

#include "harness/config/scenario_config.hpp"

namespace asyncbench {

// lognormal: mu = ln(p50), sigma = (ln(p99) - ln(p50)) / z(0.99), so the sampled distribution
// has exactly the configured median and 99th percentile. Never negative.
std::chrono::microseconds sample_latency(const latency_spec& spec, std::mt19937_64& rng);

}  // namespace asyncbench
