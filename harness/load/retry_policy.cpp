#include "harness/load/retry_policy.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace asyncbench {

bool retryable(const retry_spec& policy, request_outcome outcome, int status) {
    switch (outcome) {
        case request_outcome::status_5xx:
            return status == 503 ? policy.on_503 : policy.on_5xx;
        case request_outcome::timeout:
            return policy.on_timeout;
        case request_outcome::connect_error:
            return policy.on_connect;
        case request_outcome::ok:
        case request_outcome::rejected:
        case request_outcome::status_4xx:
        case request_outcome::io_error:
            return false;
    }
    return false;
}

std::chrono::nanoseconds retry_delay(const retry_spec& policy, int next_attempt,
                                     std::optional<std::chrono::seconds> retry_after,
                                     double unit_random) {
    using seconds_d = std::chrono::duration<double>;
    const double initial = seconds_d(policy.initial).count();
    const double cap = seconds_d(policy.max).count();
    const double exponent = std::max(0, next_attempt - 2);
    double delay = std::min(cap, initial * std::pow(policy.multiplier, exponent));
    const double u = std::clamp(unit_random, 0.0, 1.0);
    delay *= 1.0 - policy.jitter + 2.0 * policy.jitter * u;
    if (retry_after && policy.honour_retry_after) {
        delay = std::max(delay, seconds_d(*retry_after).count());
    }
    return std::chrono::duration_cast<std::chrono::nanoseconds>(seconds_d(delay));
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    long long seconds = 0;
    const auto* end = value.data() + value.size();
    const auto [ptr, ec] = std::from_chars(value.data(), end, seconds);
    if (value.empty() || ec != std::errc() || ptr != end || seconds < 0) return std::nullopt;
    return std::chrono::seconds(std::min<long long>(seconds, 3600));  // one hour at the most
}

bool retry_budget::take(std::chrono::steady_clock::time_point now) {
    if (rate_per_s_ <= 0) return true;
    const double capacity = std::max(1.0, rate_per_s_);
    if (tokens_ < 0) {
        tokens_ = capacity;
    } else {
        const double elapsed = std::chrono::duration<double>(now - last_).count();
        tokens_ = std::min(capacity, tokens_ + std::max(0.0, elapsed) * rate_per_s_);
    }
    last_ = now;
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
}

}  // namespace asyncbench
