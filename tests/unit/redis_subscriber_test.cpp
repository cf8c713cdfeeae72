#include "harness/redis/redis_subscriber.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "harness/redis/redis_client.hpp"
#include "tests/unit/redis_test_support.hpp"

// Each test starts a redis-server of its own (testing_support::test_redis) and skips saying why
// when none can start. The server's restarts under a subscriber are in local_redis_test.cpp.
namespace asyncbench {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view channel = "incident-states";

class redis_subscriber_test : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why;
        redis_ = testing_support::test_redis(why);
        if (!redis_) GTEST_SKIP() << why;
        publisher_.emplace(redis_client::connect(redis_->url(), 2s));
    }

    // PUBLISH; returns how many subscribers received the message.
    std::int64_t publish(std::string_view on, std::string_view payload) {
        const auto reply = publisher_->command({"PUBLISH", on, payload});
        EXPECT_EQ(reply.kind, redis_reply::type::integer) << reply.str;
        return reply.integer;
    }

    redis_subscriber subscribe() {
        return redis_subscriber::subscribe(redis_->url(), std::string(channel), 2s);
    }

    std::unique_ptr<redis_service> redis_;
    std::optional<redis_client> publisher_;
};

TEST_F(redis_subscriber_test, receives_messages_in_publishing_order) {
    auto subscriber = subscribe();
    EXPECT_TRUE(subscriber.is_open());
    // subscribe() returned after the confirmation, so every message below reaches it.
    for (int i = 1; i <= 5; ++i) {
        EXPECT_EQ(publish(channel, "incident-42:state-" + std::to_string(i)), 1);
    }
    for (int i = 1; i <= 5; ++i) {
        EXPECT_EQ(subscriber.next(2s), "incident-42:state-" + std::to_string(i));
    }
}

TEST_F(redis_subscriber_test, next_returns_nothing_after_the_wait_and_stays_usable) {
    auto subscriber = subscribe();
    // A message on another channel is not this subscriber's.
    EXPECT_EQ(publish("other-channel", "not for us"), 0);

    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(subscriber.next(100ms), std::nullopt);
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_GE(waited, 100ms);
    EXPECT_LT(waited, 2s);
    EXPECT_EQ(subscriber.next(0ms), std::nullopt);
    EXPECT_TRUE(subscriber.is_open());

    EXPECT_EQ(publish(channel, "resolved"), 1);
    EXPECT_EQ(subscriber.next(2s), "resolved");
}

TEST_F(redis_subscriber_test, binary_payload_comes_through_intact) {
    auto subscriber = subscribe();
    const std::string payload("a\0b\r\n\xff", 6);
    EXPECT_EQ(publish(channel, payload), 1);
    const auto received = subscriber.next(2s);
    ASSERT_TRUE(received.has_value());
    EXPECT_EQ(received->size(), 6u);
    EXPECT_EQ(*received, payload);
}

TEST_F(redis_subscriber_test, close_disconnects_and_is_idempotent) {
    auto subscriber = subscribe();
    EXPECT_EQ(publish(channel, "one watcher"), 1);
    subscriber.close();
    EXPECT_FALSE(subscriber.is_open());
    subscriber.close();
    EXPECT_FALSE(subscriber.is_open());
    try {
        subscriber.next(0ms);
        FAIL() << "next() on a closed subscriber returned";
    } catch (const redis_error& error) {
        EXPECT_EQ(error.error_kind(), redis_error::kind::io);
        EXPECT_NE(std::string(error.what()).find(subscriber.endpoint().address()),
                  std::string::npos)
            << error.what();
    }
    // The server drops the subscription once it notices the closed connection, which may be
    // just after a PUBLISH on another connection: allow it a generous second.
    std::int64_t receivers = 1;
    for (int attempt = 0; attempt < 100 && receivers != 0; ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(10ms);
        receivers = publish(channel, "nobody");
    }
    EXPECT_EQ(receivers, 0);
}

TEST_F(redis_subscriber_test, moved_from_subscriber_is_closed) {
    auto first = subscribe();
    redis_subscriber second = std::move(first);
    EXPECT_FALSE(first.is_open());  // NOLINT(bugprone-use-after-move): that is the point
    EXPECT_TRUE(second.is_open());
    EXPECT_EQ(publish(channel, "moved"), 1);
    EXPECT_EQ(second.next(2s), "moved");
}

TEST(redis_subscriber, nothing_listening_throws_naming_host_and_port) {
    const auto address = "127.0.0.1:" + std::to_string(testing_support::unused_port());
    try {
        redis_subscriber::subscribe("redis://" + address, "incidents", 1s);
        FAIL() << "subscribed on a port nothing listens on";
    } catch (const redis_error& error) {
        EXPECT_EQ(error.error_kind(), redis_error::kind::connect);
        EXPECT_NE(std::string(error.what()).find(address), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find("refused"), std::string::npos) << error.what();
    }
}

}  // namespace
}  // namespace asyncbench
