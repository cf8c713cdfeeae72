#include "harness/redis/redis_client.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

// The parser tests always run; the rest need a Redis server and are skipped without
// ASYNCBENCH_TEST_REDIS. The restart test starts a server of its own with scripts/redis, so it
// never disturbs the shared one.
#ifndef ASYNCBENCH_SOURCE_DIR
#error "ASYNCBENCH_SOURCE_DIR must name the source tree (CMake defines it for asyncbench_lib)"
#endif

#include "tests/unit/redis_test_support.hpp"

namespace asyncbench {
namespace {

using namespace std::chrono_literals;

constexpr const char* enable_hint =
    "set ASYNCBENCH_TEST_REDIS to a redis:// URL to run this test, e.g. "
    "ASYNCBENCH_TEST_REDIS=$(scripts/redis/start.sh | tail -n 1); stop it afterwards with "
    "scripts/redis/stop.sh --clean";

std::string test_url() {
    const char* url = std::getenv("ASYNCBENCH_TEST_REDIS");
    return url != nullptr ? url : "";
}

// "<test name>:<pid>:<suffix>", so parallel runs and leftovers of a crashed run never collide.
std::string test_key(const std::string& suffix) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return std::string("asyncbench-test:") + info->name() + ":" + std::to_string(::getpid()) + ":" +
           suffix;
}

// Runs a shell command; returns its exit status and its last stdout line.
std::pair<int, std::string> run_script(const std::string& command) {
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return {-1, ""};
    std::string last;
    std::array<char, 512> line{};
    while (std::fgets(line.data(), line.size(), pipe) != nullptr) {
        last = line.data();
        while (!last.empty() && (last.back() == '\n' || last.back() == '\r')) last.pop_back();
    }
    return {::pclose(pipe), last};
}

class redis_client_test : public ::testing::Test {
  protected:
    void SetUp() override {
        if (test_url().empty()) GTEST_SKIP() << enable_hint;
        client_.emplace(redis_client::connect(test_url(), 2s));
    }
    void TearDown() override {
        if (!client_ || keys_.empty()) return;
        std::vector<std::string> del{"DEL"};
        del.insert(del.end(), keys_.begin(), keys_.end());
        client_->command(std::span<const std::string>(del));
    }
    std::string key(const std::string& suffix) {
        keys_.push_back(test_key(suffix));
        return keys_.back();
    }

    std::optional<redis_client> client_;
    std::vector<std::string> keys_;
};

TEST(redis_url_test, parses_host_port_and_database) {
    auto endpoint = parse_redis_url("redis://127.0.0.1:56379");
    EXPECT_EQ(endpoint.host, "127.0.0.1");
    EXPECT_EQ(endpoint.port, 56379);
    EXPECT_EQ(endpoint.db, 0);
    EXPECT_EQ(endpoint.address(), "127.0.0.1:56379");

    endpoint = parse_redis_url("redis://cache/3");
    EXPECT_EQ(endpoint.host, "cache");
    EXPECT_EQ(endpoint.port, 6379);
    EXPECT_EQ(endpoint.db, 3);

    endpoint = parse_redis_url("redis://[::1]:7000");
    EXPECT_EQ(endpoint.host, "::1");
    EXPECT_EQ(endpoint.address(), "[::1]:7000");
}

TEST(redis_url_test, rejects_what_it_cannot_use) {
    for (const char* url : {"http://127.0.0.1:6379", "redis://", "redis://host:", "redis://h:0",
                            "redis://h:70000", "redis://h:12x", "redis://h/x",
                            "redis://:secret@h:6379", "redis://h?timeout=1", "redis://[::1"}) {
        try {
            parse_redis_url(url);
            ADD_FAILURE() << url << " was accepted";
        } catch (const redis_error& error) {
            EXPECT_EQ(error.error_kind(), redis_error::kind::bad_url) << url;
            EXPECT_NE(std::string(error.what()).find("redis URL"), std::string::npos) << url;
        }
    }
    try {
        parse_redis_url("redis://user:s3cret@h:6379");
        ADD_FAILURE() << "a URL with a password was accepted";
    } catch (const redis_error& error) {
        EXPECT_EQ(std::string(error.what()).find("s3cret"), std::string::npos) << error.what();
    }
}

TEST_F(redis_client_test, set_get_round_trips_binary_data) {
    const std::string value("a\0b\r\n\xff", 6);
    const auto k = key("binary");
    auto set = client_->command({"SET", k, value});
    ASSERT_EQ(set.kind, redis_reply::type::status) << set.str;
    EXPECT_EQ(set.str, "OK");

    auto get = client_->command({"GET", k});
    ASSERT_EQ(get.kind, redis_reply::type::string);
    EXPECT_EQ(get.str, value);
    EXPECT_EQ(get.str.size(), 6u);

    EXPECT_TRUE(client_->command({"GET", key("missing")}).is_nil());
}

TEST_F(redis_client_test, incr_counts) {
    const auto k = key("counter");
    EXPECT_EQ(client_->command({"INCR", k}).integer, 1);
    auto second = client_->command({"INCRBY", k, "41"});
    ASSERT_EQ(second.kind, redis_reply::type::integer);
    EXPECT_EQ(second.integer, 42);
}

TEST_F(redis_client_test, sorted_set_ranking) {
    // The shape of order-events' "top products" ranking.
    const auto k = key("ranking");
    EXPECT_EQ(client_->command({"ZADD", k, "5", "apple", "3", "pear", "8", "plum"}).integer, 3);
    auto bumped = client_->command({"ZINCRBY", k, "4", "pear"});
    ASSERT_EQ(bumped.kind, redis_reply::type::string);  // RESP2 returns scores as strings
    EXPECT_EQ(bumped.str, "7");

    auto top = client_->command({"ZREVRANGE", k, "0", "-1", "WITHSCORES"});
    ASSERT_EQ(top.kind, redis_reply::type::array);
    std::vector<std::string> flat;
    for (const auto& element : top.elements) flat.push_back(element.str);
    EXPECT_EQ(flat, (std::vector<std::string>{"plum", "8", "pear", "7", "apple", "5"}));
}

TEST_F(redis_client_test, set_nx_admits_one_claim_per_user) {
    // coupon-rush's "at most one coupon per user" without Lua: the first SET NX wins.
    const auto k = key("claim:user-7");
    auto first = client_->command({"SET", k, "order-1", "NX", "EX", "60"});
    EXPECT_EQ(first.kind, redis_reply::type::status);
    auto second = client_->command({"SET", k, "order-2", "NX", "EX", "60"});
    EXPECT_TRUE(second.is_nil());
    EXPECT_EQ(client_->command({"GET", k}).str, "order-1");
}

TEST_F(redis_client_test, error_reply_is_a_value_not_an_exception) {
    const auto k = key("text");
    client_->command({"SET", k, "not a number"});
    redis_reply reply;
    ASSERT_NO_THROW(reply = client_->command({"INCR", k}));
    EXPECT_TRUE(reply.is_error());
    EXPECT_NE(reply.str.find("not an integer"), std::string::npos) << reply.str;

    auto wrong_type = client_->command({"LPUSH", k, "x"});
    EXPECT_TRUE(wrong_type.is_error());
    EXPECT_TRUE(wrong_type.str.starts_with("WRONGTYPE")) << wrong_type.str;

    // The connection is still fine afterwards.
    EXPECT_EQ(client_->command({"PING"}).str, "PONG");
    EXPECT_EQ(client_->reconnects(), 0u);
}

TEST_F(redis_client_test, wrong_port_throws_naming_host_and_port) {
    const auto port = std::to_string(testing_support::unused_port());
    try {
        redis_client::connect("redis://127.0.0.1:" + port, 1s);
        FAIL() << "connected to a port nothing listens on";
    } catch (const redis_error& error) {
        EXPECT_EQ(error.error_kind(), redis_error::kind::connect);
        const std::string message = error.what();
        EXPECT_NE(message.find("127.0.0.1:" + port), std::string::npos) << message;
        EXPECT_NE(message.find("refused"), std::string::npos) << message;
    }
}

TEST_F(redis_client_test, slow_reply_times_out_and_the_next_command_reconnects) {
    auto slow = redis_client::connect(test_url(), 200ms);
    // BLPOP on a missing list holds the reply for 2 s, longer than the 200 ms timeout.
    try {
        slow.command({"BLPOP", key("empty-list"), "2"});
        FAIL() << "BLPOP returned before the timeout";
    } catch (const redis_error& error) {
        EXPECT_EQ(error.error_kind(), redis_error::kind::timeout) << error.what();
    }
    EXPECT_EQ(slow.command({"PING"}).str, "PONG");
    EXPECT_EQ(slow.reconnects(), 1u);
}

TEST_F(redis_client_test, server_restart_reconnects_once) {
    const std::filesystem::path scripts = std::filesystem::path(ASYNCBENCH_SOURCE_DIR) / "scripts";
    char pattern[] = "/tmp/asyncbench-redis-test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    const std::string dir = pattern;
    const std::string start = (scripts / "redis/start.sh").string() + " --dir " + dir;
    const std::string stop = (scripts / "redis/stop.sh").string() + " --dir " + dir;
    struct cleanup {
        std::string command;
        ~cleanup() { run_script(command + " --clean 2>/dev/null"); }
    } guard{stop};

    auto [started, url] = run_script(start + " 2>/dev/null");
    ASSERT_EQ(started, 0) << "scripts/redis/start.sh failed";
    const auto endpoint = parse_redis_url(url);
    auto client = redis_client::connect(url, 2s);
    EXPECT_EQ(client.command({"SET", "k", "before"}).str, "OK");

    ASSERT_EQ(run_script(stop + " 2>/dev/null").first, 0);
    try {
        client.command({"PING"});
        FAIL() << "a command to a stopped server succeeded";
    } catch (const redis_error& error) {
        EXPECT_EQ(error.error_kind(), redis_error::kind::connect);
        EXPECT_NE(std::string(error.what()).find(endpoint.address()), std::string::npos);
    }

    const auto port = std::to_string(endpoint.port);
    auto [restarted, url_again] = run_script(start + " --port " + port + " 2>/dev/null");
    ASSERT_EQ(restarted, 0) << "scripts/redis/start.sh --port " << port << " failed";
    EXPECT_EQ(url_again, url);
    const auto before = client.reconnects();
    EXPECT_EQ(client.command({"PING"}).str, "PONG");
    EXPECT_EQ(client.reconnects(), before + 1);
    // Not persisted: a restarted throwaway server starts empty.
    EXPECT_TRUE(client.command({"GET", "k"}).is_nil());
}

TEST_F(redis_client_test, idle_connection_closed_by_server_reconnects_before_sending) {
    auto client = redis_client::connect(test_url(), 2s);
    auto id = client.command({"CLIENT", "ID"});
    ASSERT_EQ(id.kind, redis_reply::type::integer);
    EXPECT_EQ(client_->command({"CLIENT", "KILL", "ID", std::to_string(id.integer)}).integer, 1);

    const auto k = key("once");
    EXPECT_EQ(client.command({"INCR", k}).integer, 1);  // sent once, on the new connection
    EXPECT_EQ(client.reconnects(), 1u);
}

}  // namespace
}  // namespace asyncbench
