// Both APIs, over real sockets, fed bad input: each gets a 4xx with a JSON error body and the
// server keeps serving; then a valid request goes through and its state can be asked for.
// Also hostile or repeated clients: a slowloris is cut off at the read deadline while others
// are served, a business id submitted twice is processed once, and a crowd beyond the API's
// connection cap is partly served, the rest closed at once and reported.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <future>
#include <map>
#include <optional>
#include <thread>

#include "harness/config/scenario_loader.hpp"
#include "harness/core/descriptor_limit.hpp"
#include "harness/http/blocking_http_client.hpp"
#include "harness/http/http_server.hpp"
#include "harness/kafka/kafka_broker.hpp"
#include "harness/run/system_under_test.hpp"
#include "mocks/mock_system.hpp"
#include "tests/support/raw_http_socket.hpp"

namespace asyncbench {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// A slowloris: sends `head` one byte every `gap` on its own connection and returns how long
// the server kept the connection open, or nullopt if it was still open after `give_up`.
// Any read result other than "nothing yet" means the server ended the exchange.
std::optional<milliseconds> trickle_until_closed(std::uint16_t port, std::string_view head,
                                                 milliseconds gap, milliseconds give_up) {
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    socket.non_blocking(true);
    const auto start = steady_clock::now();
    for (std::size_t sent = 0; steady_clock::now() - start < give_up; ++sent) {
        boost::system::error_code ec;
        char byte = 0;
        socket.read_some(asio::buffer(&byte, 1), ec);
        if (ec != asio::error::would_block) {
            return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
        }
        if (sent < head.size()) {
            socket.write_some(asio::buffer(&head[sent], 1), ec);
            if (ec && ec != asio::error::would_block) {
                return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
            }
        }
        std::this_thread::sleep_for(gap);
    }
    return std::nullopt;
}

class api_bad_input : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        auto loaded = load_scenario(std::string(ASYNCBENCH_SOURCE_DIR) +
                                    "/scenarios/lp-report/lp-report.yaml");
        ASSERT_TRUE(std::holds_alternative<scenario_config>(loaded));
        scenario_ = std::get<scenario_config>(loaded);
        scenario_.body_limit_bytes = 1024;
        // Low enough for holds_at_most_api_connections... to fill; far above the rest's needs.
        scenario_.api_connections = api_connections;
        scenario_.sync.worker_threads = 4;
        scenario_.async.partitions = 2;
        scenario_.async.consumers_per_group = 1;
        for (auto& system : scenario_.systems) {
            for (auto& [name, op] : system.operations) {
                op.latency = latency_spec{};  // fixed 0: fast test
            }
            mocks_.push_back(std::make_unique<mock_system>(system));
            mocks_.back()->start();
            systems_[system.name] = network_endpoint{"127.0.0.1", mocks_.back()->port()};
        }
        auto dir = std::filesystem::temp_directory_path() / ("asyncbench-api-" + GetParam());
        std::filesystem::create_directories(dir);
        db_ = open_sqlite_store((dir / "api.sqlite").string());
        // No worker processes here, so no store address or log folder for them; no Redis.
        system_context context{scenario_, *find_plugin("lp-report"), *db_, systems_, "test", {}, {},
                               {}};
        if (GetParam() == "sync") {
            system_ = start_sync_system(context);
        } else {
            broker_ = start_embedded_broker(1);
            system_ = start_async_system(context, *broker_);
        }
        system_->wait_ready(60s);
    }

    void TearDown() override {
        if (system_) system_->stop();
        for (auto& mock : mocks_) mock->stop();
    }

    http_call_result send(std::string_view method, std::string_view target, std::string_view body) {
        return client_.request(method, "127.0.0.1", system_->port(), target, {}, body, 10s);
    }

    // Asks for the request's state until it is `wanted` (bounded: 10 s); returns the last one.
    std::string wait_for_state(const std::string& business_id, std::string_view wanted) {
        std::string state;
        for (int i = 0; i < 200 && state != wanted; ++i) {
            auto answer = send("GET", "/requests/" + business_id, "");
            if (answer.result != http_call_result::outcome::ok) return "no answer: " + answer.error;
            boost::system::error_code ec;
            auto body = boost::json::parse(answer.body, ec);
            if (ec || !body.is_object() || !body.as_object().contains("state")) return answer.body;
            state = std::string(body.as_object().at("state").as_string());
            if (state != wanted) std::this_thread::sleep_for(50ms);
        }
        return state;
    }

    // Calls the mocks received for `business_id`, per operation.
    std::map<std::string, std::uint64_t> calls_for(const std::string& business_id) const {
        std::map<std::string, std::uint64_t> calls;
        for (const auto& mock : mocks_) {
            for (const auto& [operation, by_id] : mock->calls()) {
                if (auto it = by_id.find(business_id); it != by_id.end()) {
                    calls[mock->name() + "." + operation] = it->second;
                }
            }
        }
        return calls;
    }

    static std::string lp_body(std::string_view report_id) {
        return R"({"report_id": ")" + std::string(report_id) +
               R"(", "lp_code": "LP001", "period": "2026-01"})";
    }

    static void expect_json_error(const http_call_result& result, int status) {
        ASSERT_EQ(result.result, http_call_result::outcome::ok) << result.error;
        EXPECT_EQ(result.status, status) << result.body;
        boost::system::error_code ec;
        auto body = boost::json::parse(result.body, ec);
        ASSERT_FALSE(ec) << result.body;
        ASSERT_TRUE(body.is_object());
        EXPECT_TRUE(body.as_object().contains("error")) << result.body;
    }

    static constexpr int api_connections = 300;
    scenario_config scenario_;
    std::vector<std::unique_ptr<mock_system>> mocks_;
    system_directory systems_;
    std::unique_ptr<store> db_;
    std::unique_ptr<kafka_broker> broker_;
    std::unique_ptr<system_under_test> system_;
    blocking_http_client client_;
};

TEST_P(api_bad_input, rejects_bad_requests_and_keeps_serving) {
    expect_json_error(send("POST", "/SAVE", "{not json"), 400);
    expect_json_error(send("POST", "/SAVE", "[1, 2]"), 400);
    expect_json_error(send("POST", "/SAVE", R"({"report_id": "r1"})"), 400);
    expect_json_error(send("POST", "/SAVE", R"({"report_id": 7, "lp_code": "A", "period": "x"})"),
                      400);
    expect_json_error(send("POST", "/SAVE", "\xff\xfe\xfd"), 400);
    expect_json_error(send("POST", "/SAVE", std::string(4096, 'x')), 413);
    expect_json_error(send("GET", "/SAVE", ""), 405);
    expect_json_error(send("POST", "/nowhere", "{}"), 404);
    expect_json_error(send("GET", "/requests/never-sent", ""), 404);

    auto accepted = send("POST", "/SAVE",
                         R"({"report_id": "rpt-api-1", "lp_code": "LP001", "period": "2026-01"})");
    ASSERT_EQ(accepted.result, http_call_result::outcome::ok) << accepted.error;
    EXPECT_EQ(accepted.status, GetParam() == "sync" ? 200 : 202) << accepted.body;
    EXPECT_NE(accepted.body.find("rpt-api-1"), std::string::npos);

    // The async pipeline completes in the background: ask until it says so (bounded).
    EXPECT_EQ(wait_for_state("rpt-api-1", "completed"), "completed");
}

// Slow clients must not hold the server: each connection's head and body must arrive within
// http_server_options::read_timeout (neither API overrides the default), counted from the
// start of the request, however steadily the bytes trickle in. Meanwhile others are served.
TEST_P(api_bad_input, cuts_off_slowloris_clients_at_the_read_deadline_and_keeps_serving) {
    const milliseconds read_timeout = http_server_options{}.read_timeout;
    const milliseconds gap = 200ms;
    // Never finishes its head: at one byte per 200 ms this lasts far beyond the deadline.
    const std::string head =
        "POST /SAVE HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + std::string(200, 'a');
    ASSERT_GT(static_cast<long>(head.size()) * gap.count(), 2 * read_timeout.count());
    constexpr int slow_clients = 4;  // more than either API's I/O threads
    std::vector<std::future<std::optional<milliseconds>>> slow;
    for (int i = 0; i < slow_clients; ++i) {
        slow.push_back(std::async(std::launch::async, trickle_until_closed, system_->port(),
                                  std::string_view(head), gap, read_timeout + 5s));
    }

    // While they trickle, a normal client is served promptly, more than once.
    std::this_thread::sleep_for(1s);
    const auto served_from = steady_clock::now();
    for (int i = 0; i < 3; ++i) {
        const auto id = "rpt-slow-" + std::to_string(i);
        auto answer =
            client_.request("POST", "127.0.0.1", system_->port(), "/SAVE", {}, lp_body(id), 5s);
        ASSERT_EQ(answer.result, http_call_result::outcome::ok) << answer.error;
        EXPECT_EQ(answer.status, GetParam() == "sync" ? 200 : 202) << answer.body;
        auto health = client_.request("GET", "127.0.0.1", system_->port(), "/health", {}, "", 5s);
        ASSERT_EQ(health.result, http_call_result::outcome::ok) << health.error;
        EXPECT_EQ(health.status, 200);
    }
    const auto served_in = steady_clock::now() - served_from;
    EXPECT_LT(served_in, 5s) << "normal requests were held up by the slow clients";

    for (auto& client : slow) {
        const auto open_for = client.get();
        ASSERT_TRUE(open_for.has_value()) << "a slow client was never disconnected";
        // Cut by the deadline (not earlier, not much later: a 2-core CI box gets slack).
        EXPECT_GE(*open_for, read_timeout - 1s);
        EXPECT_LE(*open_for, read_timeout + 3s);
    }
    // And the server is still fine afterwards.
    auto after = send("GET", "/health", "");
    ASSERT_EQ(after.result, http_call_result::outcome::ok) << after.error;
    EXPECT_EQ(after.status, 200);
}

// The business id is the idempotency key: submitting it again (a client retry) answers like
// the first time, and every effect still happens once. Today's behaviour, per mode:
// sync: the retry runs the workflow again, every step finds its effect applied and skips it;
//       answered 200 "completed". async: the retry is produced again (202 "accepted"); the
//       consumer skips every applied step. Either way: no second call to any mock.
TEST_P(api_bad_input, processes_a_resubmitted_business_id_once) {
    const std::string id = "rpt-dup-1";
    const int expected_status = GetParam() == "sync" ? 200 : 202;
    const std::string expected_state = GetParam() == "sync" ? "completed" : "accepted";
    for (int submission = 1; submission <= 2; ++submission) {
        auto answer = send("POST", "/SAVE", lp_body(id));
        ASSERT_EQ(answer.result, http_call_result::outcome::ok) << answer.error;
        EXPECT_EQ(answer.status, expected_status) << "submission " << submission;
        auto body = boost::json::parse(answer.body).as_object();
        EXPECT_EQ(body.at("id").as_string(), id);
        EXPECT_EQ(body.at("state").as_string(), expected_state) << "submission " << submission;
        ASSERT_EQ(wait_for_state(id, "completed"), "completed") << "submission " << submission;
    }
    // The async retry may still be in the topic. Requests sent after it are consumed after it
    // in its partition; with eight of them, one shares its partition unless the partitioner
    // is very unlucky, so once they are all completed the retry has been consumed too.
    for (int i = 0; i < 8; ++i) {
        const auto after = "rpt-after-" + std::to_string(i);
        auto answer = send("POST", "/SAVE", lp_body(after));
        ASSERT_EQ(answer.result, http_call_result::outcome::ok) << answer.error;
        ASSERT_EQ(wait_for_state(after, "completed"), "completed") << after;
    }

    const std::map<std::string, std::uint64_t> once{{"lp.LPRUN", 1}, {"lp.setQueue", 1}};
    EXPECT_EQ(calls_for(id), once);
    const auto snapshot = db_->snapshot();
    EXPECT_EQ(snapshot.duplicate_effects, 0u);
    ASSERT_EQ(snapshot.stages_by_id.count(id), 1u);
    const auto& stages = snapshot.stages_by_id.at(id);
    ASSERT_EQ(stages.size(), 1u);
    EXPECT_EQ(stages[0].outcome, stage_outcome::completed);
    EXPECT_EQ(stages[0].attempts, 1);
}

// The same id sent twice at the same time (a client retrying after its own timeout while the
// first attempt is still running). setQueue is slowed to 200 ms so the two overlap. async: one
// key, one partition, one consumer at a time: processed once. sync: the second request waits
// for the first (id_claims), then finds every step applied.
TEST_P(api_bad_input, processes_concurrent_duplicates_once) {
    auto slow = mocks_.front()->operation("setQueue");
    slow.latency.fixed = std::chrono::microseconds(200'000);
    mocks_.front()->set_operation("setQueue", slow);
    const std::string id = "rpt-dup-concurrent";
    auto submit = [&] {
        blocking_http_client client;  // one per thread
        return client.request("POST", "127.0.0.1", system_->port(), "/SAVE", {}, lp_body(id), 10s);
    };
    auto first = std::async(std::launch::async, submit);
    auto second = std::async(std::launch::async, submit);
    for (auto* answer : {&first, &second}) {
        auto result = answer->get();
        ASSERT_EQ(result.result, http_call_result::outcome::ok) << result.error;
        EXPECT_EQ(result.status, GetParam() == "sync" ? 200 : 202) << result.body;
    }
    ASSERT_EQ(wait_for_state(id, "completed"), "completed");
    for (int i = 0; i < 8; ++i) {  // as above: the async duplicate has been consumed after these
        const auto after = "rpt-after-c" + std::to_string(i);
        ASSERT_EQ(send("POST", "/SAVE", lp_body(after)).result, http_call_result::outcome::ok);
        ASSERT_EQ(wait_for_state(after, "completed"), "completed") << after;
    }
    const std::map<std::string, std::uint64_t> once{{"lp.LPRUN", 1}, {"lp.setQueue", 1}};
    EXPECT_EQ(calls_for(id), once);
    EXPECT_EQ(db_->snapshot().duplicate_effects, 0u);
}

// Thousands of clients at once, idle, then all sending: the API holds api_connections of them
// and serves those (a 503 from an exhausted pool is an answer too), closes the rest at once
// (no client waits in the backlog), says so in the mode's warnings, and serves again after.
TEST_P(api_bad_input, holds_at_most_api_connections_and_reports_the_rest) {
    constexpr int clients = 1500;
    constexpr int refused = clients - api_connections;
    // Both ends of every connection live in this process, beside the mocks and the broker.
    if (raise_descriptor_limit().soft < 2 * clients + 500) {
        GTEST_SKIP() << "the descriptor limit (ulimit -Hn) is below " << 2 * clients + 500;
    }
    std::vector<int> fds;
    for (int i = 0; i < clients; ++i) {
        const int fd = test::connect_client(system_->port());
        ASSERT_GE(fd, 0) << "connection " << i << ": " << std::strerror(errno);
        fds.push_back(fd);
    }
    const std::string note = std::to_string(refused) + " connections to the API were closed";
    const auto has_note = [&] {
        for (const auto& warning : system_->warnings()) {
            if (warning.starts_with(note)) return true;
        }
        return false;
    };
    const auto deadline = steady_clock::now() + 20s;
    while (!has_note() && steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(has_note()) << "no warning starting \"" << note << "\"";

    // All of them send, then every answer is read.
    for (std::size_t i = 0; i < fds.size(); ++i) {
        const auto body = lp_body("rpt-crowd-" + std::to_string(i));
        test::send_request(fds[i],
                           "POST /SAVE HTTP/1.1\r\nHost: test\r\nContent-Type: "
                           "application/json\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body);
    }
    int answered = 0, closed = 0, timed_out = 0;
    for (int fd : fds) {
        switch (test::read_reply(fd)) {
            case test::reply::answered:
                ++answered;
                break;
            case test::reply::closed:
                ++closed;
                break;
            case test::reply::timed_out:
                ++timed_out;
                break;
        }
    }
    for (int fd : fds) ::close(fd);
    EXPECT_EQ(answered, api_connections);
    EXPECT_EQ(closed, refused);
    EXPECT_EQ(timed_out, 0);

    // With the crowd gone, a client is served again (the server may take a moment to see them
    // all close).
    http_call_result again;
    for (int attempt = 0; attempt < 100; ++attempt) {
        again = send("POST", "/SAVE", lp_body("rpt-after-crowd"));
        if (again.result == http_call_result::outcome::ok) break;
        std::this_thread::sleep_for(50ms);
    }
    ASSERT_EQ(again.result, http_call_result::outcome::ok) << again.error;
    EXPECT_EQ(again.status, GetParam() == "sync" ? 200 : 202) << again.body;
}

INSTANTIATE_TEST_SUITE_P(both_modes, api_bad_input, ::testing::Values("sync", "async"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace asyncbench
