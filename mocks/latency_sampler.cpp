#include "mocks/latency_sampler.hpp"

#include <algorithm>
#include <cmath>

namespace asyncbench {
namespace {

// Standard normal quantile at 0.99: the number of sigmas between a lognormal's median and its
// 99th percentile.
constexpr double z_099 = 2.3263478740408408;

std::chrono::microseconds from_double_us(double value_us) {
    // Rounded rather than truncated so a constant draw reproduces the configured value exactly.
    return std::chrono::microseconds(std::llround(std::max(0.0, value_us)));
}

}  // namespace

std::chrono::microseconds sample_latency(const latency_spec& spec, std::mt19937_64& rng) {
    using distribution = latency_spec::distribution;
    switch (spec.kind) {
        case distribution::fixed:
            return std::max(spec.fixed, std::chrono::microseconds(0));
        case distribution::uniform: {
            const auto low = std::max<std::int64_t>(0, spec.min.count());
            const auto high = std::max<std::int64_t>(low, spec.max.count());
            std::uniform_int_distribution<std::int64_t> uniform(low, high);
            return std::chrono::microseconds(uniform(rng));
        }
        case distribution::lognormal: {
            // ln(0) is undefined; a zero median can only mean "answer at once".
            if (spec.p50.count() <= 0) return std::chrono::microseconds(0);
            // p99 == p50 gives sigma 0, which std::lognormal_distribution does not accept.
            if (spec.p99 <= spec.p50) return spec.p50;
            const double mu = std::log(static_cast<double>(spec.p50.count()));
            const double sigma = (std::log(static_cast<double>(spec.p99.count())) - mu) / z_099;
            std::normal_distribution<double> normal(mu, sigma);
            return from_double_us(std::exp(normal(rng)));
        }
    }
    return std::chrono::microseconds(0);  // unreachable: every enumerator is handled above
}

}  // namespace asyncbench
