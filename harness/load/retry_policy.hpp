#pragma once
// The retry rules of the load's callers (load.retry): which outcomes are retried, how long to
// wait before the next attempt, and the overall budget on retries. Pure (randomness and time
// are passed in), so every rule is tested without sockets; retry_budget is not thread-safe
// (the generator's one thread owns it).
#include <chrono>
#include <optional>
#include <string_view>

#include "harness/config/scenario_config.hpp"
#include "harness/load/request_outcome.hpp"

namespace asyncbench {

// Whether `outcome` (with HTTP `status` when one was read) is one the policy retries.
bool retryable(const retry_spec& policy, request_outcome outcome, int status);

// The wait before attempt `next_attempt` (2, 3, ...): initial * multiplier^(next_attempt - 2),
// capped at max, then scaled by 1 - jitter + 2 * jitter * `unit_random` (unit_random in
// [0, 1)); at least `retry_after` when the server sent one and the policy honours it.
std::chrono::nanoseconds retry_delay(const retry_spec& policy, int next_attempt,
                                     std::optional<std::chrono::seconds> retry_after,
                                     double unit_random);

// Retry-After as delay-seconds ("1", "120"); nullopt for anything else (an HTTP date, junk).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value);

// A token bucket over retries: `rate_per_s` tokens a second, holding at most one second's
// worth (at least 1). A rate of 0 never refuses.
class retry_budget {
  public:
    explicit retry_budget(double rate_per_s) : rate_per_s_(rate_per_s) {}
    // Takes a token at `now` if one is there.
    bool take(std::chrono::steady_clock::time_point now);

  private:
    double rate_per_s_;
    double tokens_ = -1;  // < 0: not started (full at the first take)
    std::chrono::steady_clock::time_point last_{};
};

}  // namespace asyncbench
