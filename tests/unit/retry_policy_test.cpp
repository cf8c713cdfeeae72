// The callers' retry rules with answers known in advance: which outcomes retry, the backoff
// and its jitter bounds, Retry-After, and the overall retry-rate budget.
#include "harness/load/retry_policy.hpp"

#include <gtest/gtest.h>

namespace asyncbench {
namespace {

using namespace std::chrono_literals;

retry_spec policy() {
    retry_spec p;
    p.max_attempts = 5;
    p.initial = 200ms;
    p.multiplier = 2.0;
    p.max = 1000ms;
    p.jitter = 0.0;
    return p;
}

TEST(retryable, retries_unavailable_answers_never_client_errors) {
    const auto p = policy();
    EXPECT_TRUE(retryable(p, request_outcome::status_5xx, 503));
    EXPECT_TRUE(retryable(p, request_outcome::status_5xx, 500));
    EXPECT_TRUE(retryable(p, request_outcome::timeout, 0));
    EXPECT_TRUE(retryable(p, request_outcome::connect_error, 0));
    EXPECT_FALSE(retryable(p, request_outcome::ok, 200));
    EXPECT_FALSE(retryable(p, request_outcome::status_4xx, 409));
    // The server may have acted on it without answering: not retried blindly.
    EXPECT_FALSE(retryable(p, request_outcome::io_error, 0));
    retry_spec only_503 = p;
    only_503.on_5xx = only_503.on_timeout = only_503.on_connect = false;
    EXPECT_TRUE(retryable(only_503, request_outcome::status_5xx, 503));
    EXPECT_FALSE(retryable(only_503, request_outcome::status_5xx, 502));
    EXPECT_FALSE(retryable(only_503, request_outcome::timeout, 0));
}

TEST(retry_delay, grows_exponentially_up_to_the_cap) {
    const auto p = policy();
    EXPECT_EQ(retry_delay(p, 2, std::nullopt, 0.5), 200ms);
    EXPECT_EQ(retry_delay(p, 3, std::nullopt, 0.5), 400ms);
    EXPECT_EQ(retry_delay(p, 4, std::nullopt, 0.5), 800ms);
    EXPECT_EQ(retry_delay(p, 5, std::nullopt, 0.5), 1000ms);  // capped
    EXPECT_EQ(retry_delay(p, 30, std::nullopt, 0.5), 1000ms);
}

TEST(retry_delay, jitter_stays_within_its_bounds) {
    auto p = policy();
    p.jitter = 0.5;
    EXPECT_EQ(retry_delay(p, 2, std::nullopt, 0.0), 100ms);  // 200 ms x (1 - 0.5)
    EXPECT_EQ(retry_delay(p, 2, std::nullopt, 0.5), 200ms);
    const auto high = retry_delay(p, 2, std::nullopt, 0.999999);
    EXPECT_LT(high, 300ms);  // 200 ms x (1 + 0.5), exclusive
    EXPECT_GT(high, 299ms);
    for (double u = 0; u < 1; u += 0.01) {
        const auto d = retry_delay(p, 4, std::nullopt, u);  // 800 ms nominal
        EXPECT_GE(d, 400ms);
        EXPECT_LT(d, 1200ms);
    }
}

TEST(retry_delay, retry_after_is_a_floor_when_honoured) {
    auto p = policy();
    EXPECT_EQ(retry_delay(p, 2, 3s, 0.5), 3s);
    EXPECT_EQ(retry_delay(p, 4, 0s, 0.5), 800ms);  // a shorter Retry-After does not hurry it
    p.honour_retry_after = false;
    EXPECT_EQ(retry_delay(p, 2, 3s, 0.5), 200ms);
}

TEST(parse_retry_after, reads_delay_seconds_only) {
    EXPECT_EQ(parse_retry_after("1"), 1s);
    EXPECT_EQ(parse_retry_after(" 120 "), 120s);
    EXPECT_EQ(parse_retry_after("999999"), 3600s);  // bounded
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), std::nullopt);
    EXPECT_EQ(parse_retry_after("-1"), std::nullopt);
    EXPECT_EQ(parse_retry_after(""), std::nullopt);
}

TEST(retry_budget, caps_retries_per_second_with_one_second_of_burst) {
    retry_budget budget(10);
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    int taken = 0;
    for (int i = 0; i < 25; ++i) taken += budget.take(t0);
    EXPECT_EQ(taken, 10);                  // a full bucket holds one second's worth
    EXPECT_FALSE(budget.take(t0 + 50ms));  // half a token came back
    EXPECT_TRUE(budget.take(t0 + 100ms));  // a whole one
    EXPECT_FALSE(budget.take(t0 + 100ms));
    taken = 0;
    for (int i = 0; i < 25; ++i) taken += budget.take(t0 + 10s);  // refilled, never beyond full
    EXPECT_EQ(taken, 10);
    retry_budget unlimited(0);
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(unlimited.take(t0));
}

}  // namespace
}  // namespace asyncbench
