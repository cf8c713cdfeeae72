#include "mocks/mock_system.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "harness/http/blocking_http_client.hpp"
#include "mocks/delay_queue.hpp"
#include "mocks/mock_admin.hpp"
#include "mocks/mock_service.hpp"

namespace asyncbench {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

operation_spec fixed_operation(milliseconds latency) {
    operation_spec spec;
    spec.latency.kind = latency_spec::distribution::fixed;
    spec.latency.fixed = latency;
    return spec;
}

system_spec lp_system() {
    system_spec spec;
    spec.name = "lp";
    spec.default_operation = fixed_operation(milliseconds(1));
    spec.operations["LPRUN"] = fixed_operation(milliseconds(10));
    return spec;
}

http_request post(const std::string& operation, std::optional<std::string> business_id) {
    http_request request;
    request.method = "POST";
    request.target = "/" + operation;
    if (business_id) request.headers.emplace_back("X-Business-Id", *business_id);
    return request;
}

// Virtual time for mock_service: tasks run only when the test advances the clock, so queueing
// and service times are checked exactly, without sleeps.
class manual_scheduler {
  public:
    schedule_fn function() {
        return [this](microseconds delay, std::function<void()> task) {
            tasks_.emplace(std::make_pair(now_ + delay, sequence_++), std::move(task));
        };
    }
    void advance_to(microseconds until) {
        while (!tasks_.empty() && tasks_.begin()->first.first <= until) {
            auto node = tasks_.extract(tasks_.begin());
            now_ = node.key().first;
            node.mapped()();
        }
        now_ = until;
    }
    void advance_by(microseconds delta) { advance_to(now_ + delta); }
    microseconds now() const { return now_; }
    std::size_t pending() const { return tasks_.size(); }

  private:
    microseconds now_{0};
    std::uint64_t sequence_ = 0;
    std::map<std::pair<microseconds, std::uint64_t>, std::function<void()>> tasks_;
};

// Collects answers with the virtual time they arrived at.
struct answers {
    struct answer {
        http_response response;
        microseconds at;
    };
    std::vector<answer> list;
    respond_fn collector(const manual_scheduler& clock) {
        return [this, &clock](http_response response) {
            list.push_back(answer{std::move(response), clock.now()});
        };
    }
};

struct service_fixture : ::testing::Test {
    manual_scheduler clock;
    int refusing_notifications = 0;
    mock_service service{lp_system(), clock.function(), [this] { ++refusing_notifications; }, 42};
    answers got;

    void call(const std::string& operation, std::optional<std::string> id = "b-1") {
        service.handle(post(operation, std::move(id)), got.collector(clock));
    }
    http_response admin(const std::string& method, const std::string& target,
                        std::string body = "") {
        http_request request;
        request.method = method;
        request.target = target;
        request.body = std::move(body);
        answers admin_answers;
        service.handle(std::move(request), admin_answers.collector(clock));
        EXPECT_EQ(admin_answers.list.size(), 1u) << "admin endpoints answer at once";
        return admin_answers.list.empty() ? http_response{} : admin_answers.list.front().response;
    }
};

TEST_F(service_fixture, answers_after_the_service_time_with_the_documented_body) {
    call("LPRUN", "rep-7");
    clock.advance_by(milliseconds(9));
    EXPECT_TRUE(got.list.empty());
    clock.advance_by(milliseconds(1));
    ASSERT_EQ(got.list.size(), 1u);
    EXPECT_EQ(got.list[0].response.status, 200);
    EXPECT_EQ(got.list[0].response.content_type, "application/json");
    EXPECT_EQ(boost::json::parse(got.list[0].response.body),
              boost::json::parse(R"({"ok":true,"system":"lp","operation":"LPRUN","id":"rep-7"})"));
}

TEST_F(service_fixture, counts_every_call_per_operation_and_business_id) {
    call("LPRUN", "a");
    call("LPRUN", "a");
    call("LPRUN", "b");
    call("setQueue", std::nullopt);  // unlisted: served by the default; no id counts under ""
    const call_log expected{{"LPRUN", {{"a", 2}, {"b", 1}}}, {"setQueue", {{"", 1}}}};
    EXPECT_EQ(service.calls(), expected);  // counted on arrival, before any answer
    EXPECT_EQ(service.total_calls(), 4u);
    service.reset_calls();
    EXPECT_TRUE(service.calls().empty());
    EXPECT_EQ(service.total_calls(), 0u);
}

TEST_F(service_fixture, other_methods_get_405_and_are_not_counted) {
    http_request request = post("LPRUN", "a");
    request.method = "GET";
    service.handle(std::move(request), got.collector(clock));
    ASSERT_EQ(got.list.size(), 1u);
    EXPECT_EQ(got.list[0].response.status, 405);
    EXPECT_EQ(boost::json::parse(got.list[0].response.body).at("error").as_string(),
              "method_not_allowed");
    EXPECT_EQ(service.total_calls(), 0u);
}

TEST_F(service_fixture, injected_errors_take_their_latency_and_are_counted) {
    operation_spec spec = fixed_operation(milliseconds(5));
    spec.error_rate = 1.0;
    spec.error_status = 502;
    service.set_operation("LPRUN", spec);
    for (int i = 0; i < 20; ++i) call("LPRUN", "x");
    clock.advance_by(milliseconds(4));
    EXPECT_TRUE(got.list.empty());
    clock.advance_by(milliseconds(1));
    ASSERT_EQ(got.list.size(), 20u);
    for (const auto& answer : got.list) EXPECT_EQ(answer.response.status, 502);
    EXPECT_EQ(service.calls().at("LPRUN").at("x"), 20u);
}

TEST_F(service_fixture, error_rate_is_roughly_honoured) {
    operation_spec spec = fixed_operation(milliseconds(1));
    spec.error_rate = 0.25;
    service.set_operation("LPRUN", spec);
    for (int i = 0; i < 4000; ++i) call("LPRUN");
    clock.advance_by(milliseconds(1));
    int failed = 0;
    for (const auto& answer : got.list) failed += answer.response.status == 500 ? 1 : 0;
    EXPECT_NEAR(failed, 1000, 150);  // binomial sd ~27
}

TEST_F(service_fixture, unavailable_answers_503_at_once_and_counts) {
    operation_spec spec = fixed_operation(milliseconds(100));
    spec.outage = operation_spec::outage_kind::unavailable;
    service.set_operation("LPRUN", spec);
    call("LPRUN");
    ASSERT_EQ(got.list.size(), 1u);
    EXPECT_EQ(got.list[0].response.status, 503);
    EXPECT_EQ(got.list[0].at, microseconds(0));
    EXPECT_EQ(service.total_calls(), 1u);
    EXPECT_EQ(refusing_notifications, 0);
}

TEST_F(service_fixture, slowdown_multiplies_the_service_time) {
    operation_spec spec = fixed_operation(milliseconds(10));
    spec.slowdown = 2.5;
    service.set_operation("LPRUN", spec);
    call("LPRUN");
    clock.advance_by(milliseconds(24));
    EXPECT_TRUE(got.list.empty());
    clock.advance_by(milliseconds(1));
    EXPECT_EQ(got.list.size(), 1u);
}

TEST_F(service_fixture, concurrency_limit_queues_calls_in_fifo_order) {
    operation_spec spec = fixed_operation(milliseconds(200));
    spec.concurrency = 1;
    service.set_operation("LPRUN", spec);
    call("LPRUN", "first");
    call("LPRUN", "second");
    call("LPRUN", "third");
    EXPECT_EQ(service.in_service("LPRUN"), 1);
    EXPECT_EQ(service.waiting("LPRUN"), 2u);
    clock.advance_to(milliseconds(1000));
    ASSERT_EQ(got.list.size(), 3u);
    const std::vector<std::string> order{"first", "second", "third"};
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(got.list[i].at, milliseconds(200 * (i + 1)));
        EXPECT_EQ(boost::json::parse(got.list[i].response.body).at("id").as_string(), order[i]);
    }
    EXPECT_EQ(service.in_service("LPRUN"), 0);
    EXPECT_EQ(service.waiting("LPRUN"), 0u);
}

TEST_F(service_fixture, concurrency_limit_is_per_operation) {
    operation_spec spec = fixed_operation(milliseconds(100));
    spec.concurrency = 1;
    service.set_operation("LPRUN", spec);
    service.set_operation("setQueue", spec);
    call("LPRUN");
    call("setQueue");
    clock.advance_by(milliseconds(100));
    EXPECT_EQ(got.list.size(), 2u);
}

TEST_F(service_fixture, raising_the_limit_starts_waiting_calls_at_once) {
    operation_spec spec = fixed_operation(milliseconds(100));
    spec.concurrency = 1;
    service.set_operation("LPRUN", spec);
    for (int i = 0; i < 3; ++i) call("LPRUN");
    clock.advance_by(milliseconds(10));
    spec.concurrency = 0;
    service.set_operation("LPRUN", spec);
    EXPECT_EQ(service.in_service("LPRUN"), 3);
    clock.advance_to(milliseconds(110));
    ASSERT_EQ(got.list.size(), 3u);
    EXPECT_EQ(got.list[2].at, milliseconds(110));
}

TEST_F(service_fixture, refuse_outage_notifies_and_refusing_follows_every_operation) {
    operation_spec refuse = fixed_operation(milliseconds(1));
    refuse.outage = operation_spec::outage_kind::refuse;
    service.set_operation("LPRUN", refuse);
    EXPECT_TRUE(service.refusing());
    EXPECT_EQ(refusing_notifications, 1);
    service.set_operation("setQueue", refuse);
    EXPECT_EQ(refusing_notifications, 1);  // still refusing: nothing to change
    service.set_operation("LPRUN", fixed_operation(milliseconds(1)));
    EXPECT_TRUE(service.refusing());
    service.set_operation("setQueue", fixed_operation(milliseconds(1)));
    EXPECT_FALSE(service.refusing());
    EXPECT_EQ(refusing_notifications, 2);
}

TEST_F(service_fixture, admin_calls_renders_the_call_log) {
    call("LPRUN", "a");
    call("setQueue", "b");
    const http_response response = admin("GET", "/_mock/calls");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(boost::json::parse(response.body),
              boost::json::parse(R"({"LPRUN":{"a":1},"setQueue":{"b":1}})"));
    EXPECT_EQ(response.body, calls_to_json(service.calls()));
    EXPECT_EQ(service.total_calls(), 2u) << "admin requests are not calls";
}

TEST_F(service_fixture, admin_reset_clears_the_log) {
    call("LPRUN", "a");
    EXPECT_EQ(admin("POST", "/_mock/reset").status, 200);
    EXPECT_TRUE(service.calls().empty());
    EXPECT_EQ(admin("GET", "/_mock/reset").status, 405);
    EXPECT_EQ(admin("GET", "/_mock/nothing").status, 404);
}

TEST_F(service_fixture, admin_put_replaces_an_operation_from_json_or_yaml) {
    EXPECT_EQ(admin("PUT", "/_mock/operations/LPRUN",
                    R"({"latency": {"distribution": "fixed", "value": "30ms"},)"
                    R"( "error_rate": 1.0, "error_status": 504, "concurrency": 2})")
                  .status,
              200);
    operation_spec spec = service.operation("LPRUN");
    EXPECT_EQ(spec.latency.fixed, milliseconds(30));
    EXPECT_EQ(spec.error_status, 504);
    EXPECT_EQ(spec.concurrency, 2);

    EXPECT_EQ(admin("PUT", "/_mock/operations/setQueue",
                    "latency:\n  distribution: uniform\n  min: 1ms\n  max: 2ms\n"
                    "outage: unavailable\n")
                  .status,
              200);
    spec = service.operation("setQueue");
    EXPECT_EQ(spec.latency.kind, latency_spec::distribution::uniform);
    EXPECT_EQ(spec.latency.max, milliseconds(2));
    EXPECT_EQ(spec.outage, operation_spec::outage_kind::unavailable);
    call("setQueue");
    ASSERT_EQ(got.list.size(), 1u);
    EXPECT_EQ(got.list[0].response.status, 503);
}

TEST_F(service_fixture, admin_put_reports_every_error_with_lines_of_the_body) {
    const http_response response =
        admin("PUT", "/_mock/operations/LPRUN", "error_rate: 2\nbogus: 1\n");
    EXPECT_EQ(response.status, 400);
    const std::string message(boost::json::parse(response.body).at("message").as_string());
    EXPECT_NE(message.find("PUT /_mock/operations/LPRUN:1:"), std::string::npos) << message;
    EXPECT_NE(message.find("PUT /_mock/operations/LPRUN:2:"), std::string::npos) << message;
    EXPECT_NE(message.find("bogus"), std::string::npos) << message;
    EXPECT_EQ(service.operation("LPRUN").latency.fixed, milliseconds(10)) << "unchanged";

    EXPECT_EQ(admin("PUT", "/_mock/operations/LPRUN", "").status, 400);
    EXPECT_EQ(admin("PUT", "/_mock/operations/a%22b", "outage: none").status, 400);
    EXPECT_EQ(admin("POST", "/_mock/operations/LPRUN", "outage: none").status, 405);
}

TEST_F(service_fixture, admin_put_of_refuse_applies_after_the_answer) {
    EXPECT_EQ(admin("PUT", "/_mock/operations/LPRUN", "outage: refuse").status, 200);
    EXPECT_TRUE(service.refusing());
    EXPECT_EQ(refusing_notifications, 0) << "the server must not change from its I/O thread";
    clock.advance_by(milliseconds(100));
    EXPECT_EQ(refusing_notifications, 1);
}

TEST_F(service_fixture, shutdown_answers_every_pending_call_once_with_503) {
    operation_spec spec = fixed_operation(milliseconds(100));
    spec.concurrency = 1;
    service.set_operation("LPRUN", spec);
    call("LPRUN", "in-service");
    call("LPRUN", "waiting");
    service.shutdown();
    ASSERT_EQ(got.list.size(), 2u);
    for (const auto& answer : got.list) EXPECT_EQ(answer.response.status, 503);
    clock.advance_by(milliseconds(1000));  // the scheduled completion finds nothing to answer
    EXPECT_EQ(got.list.size(), 2u);
    call("LPRUN", "late");
    ASSERT_EQ(got.list.size(), 3u);
    EXPECT_EQ(got.list[2].response.status, 503);
    EXPECT_EQ(service.total_calls(), 3u);
}

TEST(mock_admin, operation_names_follow_the_loader_rule) {
    EXPECT_TRUE(is_valid_operation_name("LPRUN"));
    EXPECT_TRUE(is_valid_operation_name("set_queue.v2-x"));
    EXPECT_FALSE(is_valid_operation_name(""));
    EXPECT_FALSE(is_valid_operation_name("a\"b"));
    EXPECT_FALSE(is_valid_operation_name("a/b"));
}

TEST(delay_queue, runs_tasks_in_due_order_and_drops_them_at_stop) {
    delay_queue queue;
    std::mutex mutex;
    std::vector<int> order;
    auto record = [&](int value) {
        return [&, value] {
            std::lock_guard lock(mutex);
            order.push_back(value);
        };
    };
    const auto start = delay_queue::clock::now();
    queue.post_at(start + milliseconds(60), record(3));
    queue.post_at(start + milliseconds(20), record(1));
    queue.post_at(start + milliseconds(20), record(2));  // same due time: posting order
    queue.post_after(microseconds(std::chrono::hours(1)), record(99));
    while (queue.pending() > 1) std::this_thread::sleep_for(milliseconds(5));
    EXPECT_GE(delay_queue::clock::now() - start, milliseconds(60));
    queue.stop();
    queue.post_after(microseconds(0), record(100));  // after stop: never runs
    std::lock_guard lock(mutex);
    EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(queue.pending(), 0u);
}

// ---- Over real loopback sockets ----

struct socket_fixture : ::testing::Test {
    mock_system mock{lp_system()};
    blocking_http_client client;

    void SetUp() override { mock.start(); }

    http_call_result call(const std::string& operation, const std::string& business_id,
                          blocking_http_client& with) {
        return with.request("POST", "127.0.0.1", mock.port(), "/" + operation,
                            {{"X-Business-Id", business_id}}, "", milliseconds(5000));
    }
    http_call_result call(const std::string& operation, const std::string& business_id) {
        return call(operation, business_id, client);
    }
};

TEST_F(socket_fixture, answers_and_counts_calls_per_business_id_including_errors) {
    auto ok = call("LPRUN", "r1");
    ASSERT_EQ(ok.result, http_call_result::outcome::ok) << ok.error;
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(boost::json::parse(ok.body),
              boost::json::parse(R"({"ok":true,"system":"lp","operation":"LPRUN","id":"r1"})"));

    operation_spec failing = fixed_operation(milliseconds(1));
    failing.error_rate = 1.0;
    failing.error_status = 503;
    mock.set_operation("setQueue", failing);
    for (int i = 0; i < 5; ++i) {
        auto failed = call("setQueue", "r1");
        ASSERT_EQ(failed.result, http_call_result::outcome::ok) << failed.error;
        EXPECT_EQ(failed.status, 503);
    }
    call("LPRUN", "r2");
    const call_log expected{{"LPRUN", {{"r1", 1}, {"r2", 1}}}, {"setQueue", {{"r1", 5}}}};
    EXPECT_EQ(mock.calls(), expected);
    EXPECT_EQ(mock.total_calls(), 7u);

    auto listed =
        client.request("GET", "127.0.0.1", mock.port(), "/_mock/calls", {}, "", milliseconds(5000));
    ASSERT_EQ(listed.result, http_call_result::outcome::ok) << listed.error;
    EXPECT_EQ(listed.body, calls_to_json(mock.calls()));

    auto reset = client.request("POST", "127.0.0.1", mock.port(), "/_mock/reset", {}, "",
                                milliseconds(5000));
    EXPECT_EQ(reset.status, 200);
    EXPECT_EQ(mock.total_calls(), 0u);
}

TEST_F(socket_fixture, unavailable_gives_503) {
    operation_spec down = fixed_operation(milliseconds(1));
    down.outage = operation_spec::outage_kind::unavailable;
    mock.set_operation("LPRUN", down);
    auto result = call("LPRUN", "r1");
    ASSERT_EQ(result.result, http_call_result::outcome::ok) << result.error;
    EXPECT_EQ(result.status, 503);
    EXPECT_EQ(mock.total_calls(), 1u);
}

TEST_F(socket_fixture, refuse_gives_connect_error_then_recovers) {
    ASSERT_EQ(call("LPRUN", "r1").status, 200);
    operation_spec refuse = fixed_operation(milliseconds(1));
    refuse.outage = operation_spec::outage_kind::refuse;
    mock.set_operation("LPRUN", refuse);
    {
        blocking_http_client fresh;  // no kept-alive connection to reuse
        auto refused = call("setQueue", "r1", fresh);
        EXPECT_EQ(refused.result, http_call_result::outcome::connect_error) << refused.error;
    }
    mock.set_operation("LPRUN", fixed_operation(milliseconds(1)));
    blocking_http_client after;
    auto recovered = call("LPRUN", "r1", after);
    ASSERT_EQ(recovered.result, http_call_result::outcome::ok) << recovered.error;
    EXPECT_EQ(recovered.status, 200);
}

TEST_F(socket_fixture, concurrency_limit_serialises_parallel_calls) {
    operation_spec spec = fixed_operation(milliseconds(200));
    spec.concurrency = 1;
    mock.set_operation("LPRUN", spec);
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::chrono::steady_clock::duration> done(3);
    std::vector<int> statuses(3, 0);
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i) {
        threads.emplace_back([&, i] {
            blocking_http_client own;
            statuses[i] = call("LPRUN", "r" + std::to_string(i), own).status;
            done[i] = std::chrono::steady_clock::now() - start;
        });
    }
    for (auto& thread : threads) thread.join();
    for (int status : statuses) EXPECT_EQ(status, 200);
    // Measured from a common start, so late-starting threads cannot shorten it: with one slot
    // the three 200 ms services run one after another. A lower bound only, safe when slow.
    const auto last = *std::max_element(done.begin(), done.end());
    EXPECT_GE(last, milliseconds(600));
}

TEST_F(socket_fixture, admin_put_changes_behaviour) {
    auto put = client.request("PUT", "127.0.0.1", mock.port(), "/_mock/operations/LPRUN",
                              {{"Content-Type", "application/json"}},
                              R"({"error_rate": 1, "error_status": 418})", milliseconds(5000));
    ASSERT_EQ(put.result, http_call_result::outcome::ok) << put.error;
    EXPECT_EQ(put.status, 200) << put.body;
    EXPECT_EQ(mock.operation("LPRUN").error_status, 418);
    EXPECT_EQ(call("LPRUN", "r1").status, 418);

    auto bad = client.request("PUT", "127.0.0.1", mock.port(), "/_mock/operations/LPRUN", {},
                              "outage: sometimes", milliseconds(5000));
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("outage"), std::string::npos) << bad.body;
}

TEST_F(socket_fixture, admin_put_of_refuse_answers_then_refuses) {
    auto put = client.request("PUT", "127.0.0.1", mock.port(), "/_mock/operations/LPRUN", {},
                              "outage: refuse", milliseconds(5000));
    ASSERT_EQ(put.result, http_call_result::outcome::ok) << put.error;
    EXPECT_EQ(put.status, 200);
    // The listener closes shortly after the answer; poll rather than assume a delay.
    bool refused = false;
    for (int i = 0; i < 100 && !refused; ++i) {
        blocking_http_client fresh;
        refused = call("LPRUN", "r1", fresh).result == http_call_result::outcome::connect_error;
        if (!refused) std::this_thread::sleep_for(milliseconds(20));
    }
    EXPECT_TRUE(refused);
    mock.set_operation("LPRUN", fixed_operation(milliseconds(1)));
    blocking_http_client after;
    EXPECT_EQ(call("LPRUN", "r1", after).status, 200);
}

TEST(mock_system, an_initial_refuse_outage_holds_from_the_start) {
    system_spec spec = lp_system();
    spec.operations["LPRUN"].outage = operation_spec::outage_kind::refuse;
    mock_system mock(spec);
    mock.start();
    blocking_http_client client;
    auto refused =
        client.request("POST", "127.0.0.1", mock.port(), "/LPRUN", {}, "", milliseconds(2000));
    EXPECT_EQ(refused.result, http_call_result::outcome::connect_error);
}

TEST(mock_system, a_taken_port_is_named_in_the_error) {
    mock_system first(lp_system());
    const std::uint16_t port = first.port();
    try {
        mock_system second(lp_system(), port);
        FAIL() << "binding a taken port must throw";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(std::to_string(port)), std::string::npos) << e.what();
    }
}

TEST(mock_system, stop_with_calls_in_service_is_clean) {
    system_spec spec = lp_system();
    spec.operations["LPRUN"] = fixed_operation(milliseconds(5000));
    spec.operations["LPRUN"].concurrency = 1;
    auto mock = std::make_unique<mock_system>(spec);
    mock->start();
    std::vector<std::thread> threads;
    std::vector<int> statuses(2, 0);
    for (int i = 0; i < 2; ++i) {
        threads.emplace_back([&mock, &statuses, i] {
            blocking_http_client client;
            statuses[i] = client
                              .request("POST", "127.0.0.1", mock->port(), "/LPRUN", {}, "",
                                       milliseconds(10000))
                              .status;
        });
    }
    while (mock->total_calls() < 2) std::this_thread::sleep_for(milliseconds(5));
    mock->stop();
    for (auto& thread : threads) thread.join();
    // One call in service, one waiting for the single slot: both are released at once, with
    // the mock's 503, or with a closed connection when http_server::stop() closes it before
    // the 503 is written (it does not drain answers already given).
    for (int status : statuses) EXPECT_TRUE(status == 503 || status == 0) << status;
    EXPECT_THROW(mock->start(), std::logic_error) << "a stopped mock cannot answer again";
    mock.reset();
}

// The local address of the IPv4 socket listening on `port`, as /proc/net/tcp writes it
// (hex, e.g. "0100007F" for 127.0.0.1), or empty when none listens there.
std::string listening_address(std::uint16_t port) {
    std::ifstream table("/proc/net/tcp");
    std::string line;
    std::getline(table, line);  // the header
    const std::string wanted_port = fmt::format("{:04X}", port);
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        const auto colon = local.find(':');
        if (state == "0A" && colon != std::string::npos && local.substr(colon + 1) == wanted_port) {
            return local.substr(0, colon);
        }
    }
    return {};
}

// The admin endpoints have no authentication: only an explicit address exposes them.
TEST(mock_system, listens_on_loopback_unless_given_an_address) {
    mock_system loopback(lp_system());
    EXPECT_EQ(listening_address(loopback.port()), "0100007F");
    mock_system everywhere(lp_system(), 0, "0.0.0.0");
    EXPECT_EQ(listening_address(everywhere.port()), "00000000");
    EXPECT_THROW(mock_system(lp_system(), 0, "localhost:80"), std::runtime_error);
}

}  // namespace
}  // namespace asyncbench
