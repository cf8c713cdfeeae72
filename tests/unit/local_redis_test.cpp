#include "harness/redis/local_redis.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>

#include "harness/redis/redis_client.hpp"
#include "harness/redis/redis_subscriber.hpp"
#include "tests/unit/redis_test_support.hpp"

// The parser tests always run. The start and restart tests need Debian's redis-server on PATH
// and skip with the install hint (or the reason it did not start) without it; each starts a
// server of its own on a free port, so it never touches a shared one (ASYNCBENCH_TEST_REDIS).
namespace asyncbench {
namespace {

using namespace std::chrono_literals;

struct option_case {
    std::string text;
    bool accepted;
    redis_choice::kind type;  // when accepted
    std::string url;          // when accepted and external
};

TEST(parse_redis_option, accepts_embedded_host_port_and_redis_urls_and_refuses_the_rest) {
    using k = redis_choice::kind;
    const std::vector<option_case> cases = {
        {"embedded", true, k::embedded, ""},
        {"127.0.0.1:6379", true, k::external, "redis://127.0.0.1:6379"},
        {"cache.internal:7000", true, k::external, "redis://cache.internal:7000"},
        {"[::1]:6380", true, k::external, "redis://[::1]:6380"},
        {"redis://10.0.0.5", true, k::external, "redis://10.0.0.5"},
        {"redis://10.0.0.5:6379/2", true, k::external, "redis://10.0.0.5:6379/2"},
        {"", false, k::embedded, ""},
        {"embeded", false, k::embedded, ""},           // a typo, not a host on port 6379
        {"localhost", false, k::embedded, ""},         // HOST alone: the port must be given
        {"127.0.0.1:", false, k::embedded, ""},        // empty port
        {"127.0.0.1:redis", false, k::embedded, ""},   // port not a number
        {"127.0.0.1:70000", false, k::embedded, ""},   // port out of range
        {":6379", false, k::embedded, ""},             // no host
        {"127.0.0.1:6379/2", false, k::embedded, ""},  // a database needs the URL form
        {"::1", false, k::embedded, ""},               // IPv6 needs brackets
        {"redis://", false, k::embedded, ""},
        {"redis://host:0", false, k::embedded, ""},
        {"redis://host/db", false, k::embedded, ""},
        {"redis://user:secret@host:6379", false, k::embedded, ""},
        {"rediss://host:6380", false, k::embedded, ""},
        {"unix:///run/redis.sock", false, k::embedded, ""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE("--redis '" + c.text + "'");
        const auto parsed = parse_redis_option(c.text);
        if (!c.accepted) {
            const auto* error = std::get_if<std::string>(&parsed);
            ASSERT_NE(error, nullptr);
            // Every refusal teaches the accepted forms and never repeats a password.
            EXPECT_NE(error->find("--redis"), std::string::npos) << *error;
            EXPECT_NE(error->find("HOST:PORT"), std::string::npos) << *error;
            EXPECT_NE(error->find("redis://HOST[:PORT][/DB]"), std::string::npos) << *error;
            EXPECT_EQ(error->find("secret"), std::string::npos) << *error;
            continue;
        }
        const auto* choice = std::get_if<redis_choice>(&parsed);
        ASSERT_NE(choice, nullptr) << std::get<std::string>(parsed);
        EXPECT_EQ(choice->type, c.type);
        EXPECT_EQ(choice->url, c.url);
    }
}

bool redis_server_installed() {
    return std::system("command -v redis-server >/dev/null 2>&1") == 0;
}

TEST(start_embedded_redis, serves_on_loopback_and_is_gone_once_destroyed) {
    if (!redis_server_installed()) {
        GTEST_SKIP() << "no redis-server on PATH: apt-get install -y redis-server (or "
                        "scripts/install-deps.sh)";
    }
    const auto dir = std::filesystem::temp_directory_path() /
                     ("asyncbench-local-redis-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::string url;
    {
        const auto service = start_embedded_redis(dir);
        url = service->url();
        EXPECT_TRUE(std::regex_match(url, std::regex(R"(redis://127\.0\.0\.1:\d+)"))) << url;
        EXPECT_TRUE(std::regex_search(service->description(),
                                      std::regex(R"(^redis-server \d+\.\d+\.\d+ started for this )"
                                                 R"(run at 127\.0\.0\.1:\d+ \(no persistence\)$)")))
            << service->description();
        EXPECT_NE(service->description().find(url.substr(std::string("redis://").size())),
                  std::string::npos);

        auto client = redis_client::connect(url, 2s);
        const auto pong = client.command({"PING"});
        EXPECT_EQ(pong.kind, redis_reply::type::status);
        EXPECT_EQ(pong.str, "PONG");
        EXPECT_EQ(client.command({"ZINCRBY", "ranking", "3", "widget"}).str, "3");
        EXPECT_EQ(client.command({"ZINCRBY", "ranking", "2", "widget"}).str, "5");
        // The settings of scripts/redis/start.sh: no snapshots, no append-only file.
        const auto save = client.command({"CONFIG", "GET", "save"});
        ASSERT_EQ(save.elements.size(), 2u);
        EXPECT_EQ(save.elements[1].str, "");
        EXPECT_EQ(client.command({"CONFIG", "GET", "appendonly"}).elements.at(1).str, "no");
        EXPECT_TRUE(std::filesystem::exists(dir / "server.log"));
    }
    EXPECT_THROW(redis_client::connect(url, 500ms), redis_error) << url << " still answers";
    std::filesystem::remove_all(dir);
}

TEST(connect_external_redis, names_the_address_when_nothing_listens) {
    const auto address = "127.0.0.1:" + std::to_string(testing_support::unused_port());
    try {
        connect_external_redis("redis://" + address, 2s);
        FAIL() << "connected to " << address;
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(address), std::string::npos) << e.what();
    }
}

// What a redis_down fault does, `how` either way: every client notices at once, the server
// comes back on the same URL, and it comes back empty.
void take_down_and_bring_up(redis_service::stop_kind how) {
    std::string why;
    const auto redis = testing_support::test_redis(why);
    if (!redis) GTEST_SKIP() << why;
    ASSERT_TRUE(redis->can_restart());
    const std::string url = redis->url();
    const std::string address = parse_redis_url(url).address();

    auto client = redis_client::connect(url, 2s);
    EXPECT_EQ(client.command({"SET", "incident:42", "open"}).str, "OK");
    auto watcher = redis_subscriber::subscribe(url, "incident-states", 2s);

    redis->take_down(how);
    // The socket is closed by the time the process is reaped, so the watcher sees it without
    // waiting out its 5 s; a second is generous.
    const auto start = std::chrono::steady_clock::now();
    try {
        const auto message = watcher.next(5s);
        FAIL() << "next() returned " << (message ? "a message" : "nothing")
               << " from a server that is down";
    } catch (const redis_error& error) {
        EXPECT_EQ(error.error_kind(), redis_error::kind::io) << error.what();
        EXPECT_NE(std::string(error.what()).find(address), std::string::npos) << error.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    EXPECT_FALSE(watcher.is_open());
    EXPECT_THROW(client.command({"PING"}), redis_error);
    EXPECT_THROW(redis_client::connect(url, 500ms), redis_error) << url << " still answers";
    redis->take_down(how);  // already down: nothing to do

    redis->bring_up();
    EXPECT_EQ(redis->url(), url);
    EXPECT_EQ(client.command({"PING"}).str, "PONG");
    EXPECT_TRUE(client.command({"GET", "incident:42"}).is_nil()) << "a key survived the restart";
    redis->bring_up();  // already up: nothing to do
    EXPECT_EQ(client.command({"PING"}).str, "PONG");

    auto replacement = redis_subscriber::subscribe(url, "incident-states", 2s);
    EXPECT_EQ(client.command({"PUBLISH", "incident-states", "incident-42:resolved"}).integer, 1);
    EXPECT_EQ(replacement.next(2s), "incident-42:resolved");
}

TEST(embedded_redis_restart, kill_breaks_clients_and_bring_up_serves_the_same_url_empty) {
    take_down_and_bring_up(redis_service::stop_kind::kill);
}

TEST(embedded_redis_restart, stop_breaks_clients_and_bring_up_serves_the_same_url_empty) {
    take_down_and_bring_up(redis_service::stop_kind::stop);
}

TEST(connect_external_redis, cannot_be_taken_down) {
    std::string why;
    const auto owner = testing_support::test_redis(why);
    if (!owner) GTEST_SKIP() << why;
    const auto external = connect_external_redis(owner->url(), 2s);
    EXPECT_FALSE(external->can_restart());
    for (const auto how : {redis_service::stop_kind::stop, redis_service::stop_kind::kill}) {
        try {
            external->take_down(how);
            FAIL() << "took down a server given with --redis";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("--redis embedded"), std::string::npos)
                << e.what();
            EXPECT_NE(std::string(e.what()).find(parse_redis_url(owner->url()).address()),
                      std::string::npos)
                << e.what();
        }
    }
    EXPECT_THROW(external->bring_up(), std::runtime_error);
    EXPECT_EQ(redis_client::connect(owner->url(), 2s).command({"PING"}).str, "PONG");
}

}  // namespace
}  // namespace asyncbench
