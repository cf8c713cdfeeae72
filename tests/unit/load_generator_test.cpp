// The load generator: its pure helpers, then whole runs against a small HTTP server living in
// this file (Boost.Asio/Beast on 127.0.0.1, port 0). Assertions are on counts and on lower
// bounds that a slow machine only makes larger, never on how fast anything ran.
#include "harness/load/load_generator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "harness/load/request_outcome.hpp"
#include "harness/load/second_series.hpp"

namespace asyncbench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// Pure helpers

TEST(classify_outcome, transport_failures_by_stage) {
    const auto refused = asio::error::make_error_code(asio::error::connection_refused);
    const auto reset = asio::error::make_error_code(asio::error::connection_reset);
    const beast::error_code timeout = beast::error::timeout;
    EXPECT_EQ(classify_outcome(exchange_stage::connect, refused, 0),
              request_outcome::connect_error);
    // A connect that never completed is a connect failure, even when its deadline ended it.
    EXPECT_EQ(classify_outcome(exchange_stage::connect, timeout, 0),
              request_outcome::connect_error);
    EXPECT_EQ(classify_outcome(exchange_stage::write, timeout, 0), request_outcome::timeout);
    EXPECT_EQ(classify_outcome(exchange_stage::read, timeout, 0), request_outcome::timeout);
    EXPECT_EQ(classify_outcome(exchange_stage::write, reset, 0), request_outcome::io_error);
    EXPECT_EQ(classify_outcome(exchange_stage::read, http::error::end_of_stream, 0),
              request_outcome::io_error);
}

TEST(classify_outcome, statuses) {
    const beast::error_code none;
    EXPECT_EQ(classify_outcome(exchange_stage::done, none, 200), request_outcome::ok);
    EXPECT_EQ(classify_outcome(exchange_stage::done, none, 202), request_outcome::ok);
    EXPECT_EQ(classify_outcome(exchange_stage::done, none, 299), request_outcome::ok);
    EXPECT_EQ(classify_outcome(exchange_stage::done, none, 400), request_outcome::status_4xx);
    EXPECT_EQ(classify_outcome(exchange_stage::done, none, 429), request_outcome::status_4xx);
    EXPECT_EQ(classify_outcome(exchange_stage::done, none, 500), request_outcome::status_5xx);
    EXPECT_EQ(classify_outcome(exchange_stage::done, none, 503), request_outcome::status_5xx);
    EXPECT_EQ(classify_outcome(exchange_stage::done, none, 302), request_outcome::io_error);
    EXPECT_EQ(classify_outcome(exchange_stage::done, none, 101), request_outcome::io_error);
    EXPECT_EQ(classify_outcome(exchange_stage::done, none, 700), request_outcome::io_error);
}

TEST(count_outcome, one_counter_per_kind) {
    error_counts errors;
    for (auto o : {request_outcome::ok, request_outcome::status_4xx, request_outcome::status_5xx,
                   request_outcome::status_5xx, request_outcome::connect_error,
                   request_outcome::timeout, request_outcome::io_error}) {
        count_outcome(errors, o);
    }
    EXPECT_EQ(errors.status_4xx, 1u);
    EXPECT_EQ(errors.status_5xx, 2u);
    EXPECT_EQ(errors.connect, 1u);
    EXPECT_EQ(errors.timeout, 1u);
    EXPECT_EQ(errors.io, 1u);
    EXPECT_EQ(errors.total(), 6u);
    EXPECT_FALSE(needs_reconnect(request_outcome::ok));
    EXPECT_FALSE(needs_reconnect(request_outcome::status_5xx));
    EXPECT_TRUE(needs_reconnect(request_outcome::timeout));
    EXPECT_TRUE(needs_reconnect(request_outcome::io_error));
}

TEST(second_series, buckets_by_second_with_gaps_and_percentiles) {
    second_series s;
    s.on_sent(-5ms);  // counted in second 0
    s.on_sent(100ms);
    s.on_sent(2500ms);
    for (int i = 1; i <= 100; ++i) {
        s.on_completed(200ms, request_outcome::ok, static_cast<std::uint64_t>(i) * 100);
    }
    s.on_completed(900ms, request_outcome::status_5xx, 999'999);  // not in the percentiles
    s.on_completed(2600ms, request_outcome::ok, 50'000);
    s.on_completed(2700ms, request_outcome::timeout, 0);

    const auto series = s.build();
    ASSERT_EQ(series.size(), 3u);
    EXPECT_EQ(series[0].t_s, 0);
    EXPECT_EQ(series[0].sent, 2u);
    EXPECT_EQ(series[0].ok, 100u);
    EXPECT_EQ(series[0].errors, 1u);
    EXPECT_GE(series[0].p50_us, 5000.0);
    EXPECT_LE(series[0].p50_us, 5000.0 * (1 + 1.0 / 128));
    EXPECT_GE(series[0].p99_us, 9900.0);
    EXPECT_LE(series[0].p99_us, 9900.0 * (1 + 1.0 / 128));
    EXPECT_EQ(series[1].t_s, 1);
    EXPECT_EQ(series[1].sent + series[1].ok + series[1].errors, 0u);
    EXPECT_EQ(series[1].p99_us, 0.0);
    EXPECT_EQ(series[2].sent, 1u);
    EXPECT_EQ(series[2].ok, 1u);
    EXPECT_EQ(series[2].errors, 1u);
    EXPECT_GE(series[2].p50_us, 50'000.0);
    EXPECT_LE(series[2].p50_us, 50'000.0 * (1 + 1.0 / 128));
    EXPECT_EQ(series[2].backlog, 0);
    EXPECT_EQ(s.build().size(), 3u);  // build() does not disturb the builder
}

TEST(send_windows, requests_count_in_the_window_of_their_intended_send_time) {
    send_windows s;
    s.add(0ms, 1000ms);     // before
    s.add(1000ms, 1500ms);  // during: a half-second window
    s.add(500ms, 2000ms);   // overlapping windows each count the request
    s.record(100ms, request_outcome::ok, 1000, 200);
    s.record(999ms, request_outcome::status_5xx, 2'000'000, 503);  // answered 2 s later: "before"
    s.record(1000ms, request_outcome::status_5xx, 10, 503);        // window ends are exclusive
    s.record(1200ms, request_outcome::status_5xx, 0, 502);
    s.record(1499ms, request_outcome::ok, 400'000, 200);
    s.record(1499ms, request_outcome::timeout, 5'000'000, 0);
    s.record(2500ms, request_outcome::ok, 7, 200);  // in no window

    const auto& w = s.windows();
    ASSERT_EQ(w.size(), 3u);
    EXPECT_EQ(w[0].requests, 2u);
    EXPECT_EQ(w[0].ok, 1u);
    EXPECT_EQ(w[0].rejected_503, 1u);
    EXPECT_EQ(w[0].latency_2xx_us.count(), 1u);
    EXPECT_EQ(w[0].latency_all_us.count(), 2u);
    EXPECT_EQ(w[0].latency_all_us.max(), 2'000'000u);
    EXPECT_EQ(w[1].requests, 4u);
    EXPECT_EQ(w[1].ok, 1u);
    EXPECT_EQ(w[1].rejected_503, 1u);
    EXPECT_EQ(w[1].latency_2xx_us.max(), 400'000u);
    EXPECT_EQ(w[1].latency_all_us.max(), 5'000'000u);  // the timeout counts in the all view
    EXPECT_EQ(w[2].requests, 5u);
    EXPECT_EQ(w[2].rejected_503, 2u);
}

// ---------------------------------------------------------------------------------------------
// A small HTTP server for the runs below, on its own thread and io_context.

struct server_behaviour {
    int status = 200;
    bool close_after_each = false;             // answer with "Connection: close"
    bool never_answer = false;                 // read requests, answer nothing
    std::uint64_t stall_request = UINT64_MAX;  // 0-based arrival index answered late, once
    std::chrono::milliseconds stall{0};
    std::chrono::milliseconds latency{0};  // every answer waits this long first
    // Requests arriving with index in [hold_from, hold_to) wait `hold` and are answered 503:
    // a downstream call held, then failing.
    std::uint64_t hold_from = UINT64_MAX;
    std::uint64_t hold_to = UINT64_MAX;
    std::chrono::milliseconds hold{0};
    // The first `refuse_attempts` requests with a given body are answered 503 with
    // "Retry-After: <retry_after>" (a callers' retry test); later ones as usual.
    int refuse_attempts = 0;
    int retry_after = 0;
};

class test_server {
  public:
    explicit test_server(server_behaviour behaviour)
        : behaviour_(behaviour),
          acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
        asio::co_spawn(ioc_, accept_loop(), asio::detached);
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~test_server() {
        ioc_.stop();
        thread_.join();
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::uint64_t requests() const { return requests_.load(); }
    std::uint64_t connections() const { return connections_.load(); }
    // X-Intended-Send-Us values received, in microseconds since the epoch; -1 when missing.
    std::vector<std::int64_t> intended_headers() const {
        std::lock_guard lock(mutex_);
        return intended_;
    }
    std::set<std::string> bodies() const {
        std::lock_guard lock(mutex_);
        return bodies_;
    }

  private:
    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] =
                co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) {
                co_return;
            }
            ++connections_;
            asio::co_spawn(ioc_, session(std::move(socket)), asio::detached);
        }
    }

    asio::awaitable<void> session(tcp::socket socket) {
        constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        asio::steady_timer timer(ioc_);
        for (;;) {
            http::request<http::string_body> req;
            auto [read_ec, n] = co_await http::async_read(stream, buffer, req, use_tuple);
            if (read_ec) {
                co_return;
            }
            const std::uint64_t index = requests_++;
            {
                std::lock_guard lock(mutex_);
                const auto it = req.find("X-Intended-Send-Us");
                intended_.push_back(it == req.end() ? -1 : std::stoll(std::string(it->value())));
                bodies_.insert(req.body());
            }
            if (behaviour_.never_answer) {
                timer.expires_after(1h);
                co_await timer.async_wait(use_tuple);
                co_return;
            }
            if (index == behaviour_.stall_request) {
                timer.expires_after(behaviour_.stall);
                co_await timer.async_wait(use_tuple);
            }
            bool refused = false;
            {
                std::lock_guard lock(mutex_);
                refused = ++attempts_by_body_[req.body()] <= behaviour_.refuse_attempts;
            }
            const bool held = index >= behaviour_.hold_from && index < behaviour_.hold_to;
            const auto wait = held ? behaviour_.hold : behaviour_.latency;
            if (wait.count() > 0) {
                timer.expires_after(wait);
                co_await timer.async_wait(use_tuple);
            }
            const int status = held || refused ? 503 : behaviour_.status;
            http::response<http::string_body> res{static_cast<http::status>(status), 11};
            if (refused) res.set(http::field::retry_after, std::to_string(behaviour_.retry_after));
            res.set(http::field::content_type, "application/json");
            res.keep_alive(req.keep_alive() && !behaviour_.close_after_each);
            res.body() = "{}";
            res.prepare_payload();
            auto [write_ec, written] = co_await http::async_write(stream, res, use_tuple);
            if (write_ec || !res.keep_alive()) {
                beast::error_code ignored;
                stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
                co_return;
            }
        }
    }

    server_behaviour behaviour_;
    asio::io_context ioc_{1};
    tcp::acceptor acceptor_;
    std::thread thread_;
    std::atomic<std::uint64_t> requests_{0};
    std::atomic<std::uint64_t> connections_{0};
    mutable std::mutex mutex_;
    std::vector<std::int64_t> intended_;
    std::set<std::string> bodies_;
    std::map<std::string, int> attempts_by_body_;
};

generated_request make_test_request(std::uint64_t seq) {
    const std::string id = "id-" + std::to_string(seq);
    return generated_request{id, R"({"id":")" + id + R"("})", {}};
}

load_target target_at(std::uint16_t port) {
    load_target t;
    t.port = port;
    t.path = "/SAVE";
    return t;
}

std::int64_t now_epoch_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

load_report run(const load_spec& spec, std::uint16_t port, load_progress& progress,
                const std::atomic<bool>& cancel) {
    return run_load(spec, target_at(port), make_test_request, progress, cancel);
}

load_report run(const load_spec& spec, std::uint16_t port) {
    load_progress progress;
    std::atomic<bool> cancel{false};
    return run(spec, port, progress, cancel);
}

load_spec open_spec(double rate, std::chrono::milliseconds warmup,
                    std::chrono::milliseconds duration) {
    load_spec spec;
    spec.kind = load_spec::model::open;
    spec.rate_per_s = rate;
    spec.warmup = warmup;
    spec.duration = duration;
    spec.request_timeout = 10s;
    return spec;
}

// ---------------------------------------------------------------------------------------------
// Whole runs

TEST(run_load, open_loop_sends_and_counts_every_scheduled_request) {
    test_server server({});
    load_progress progress;
    std::atomic<bool> cancel{false};
    const std::int64_t before_us = now_epoch_us();
    const load_report r = run(open_spec(50, 200ms, 1000ms), server.port(), progress, cancel);
    const std::int64_t after_us = now_epoch_us();

    EXPECT_EQ(r.measured_sent, 50u);
    EXPECT_EQ(r.measured_ok, 50u);
    EXPECT_EQ(r.errors.total(), 0u);
    EXPECT_EQ(r.latency_2xx_us.count(), 50u);
    EXPECT_EQ(r.latency_all_us.count(), 50u);
    EXPECT_EQ(r.schedule_lag_us.count(), 50u);
    EXPECT_EQ(r.send_delay_us.count(), 50u);
    EXPECT_DOUBLE_EQ(r.offered_per_s, 50.0);
    EXPECT_GE(r.measured_seconds, 0.98);  // the last measured request is due at 0.98 s
    EXPECT_EQ(server.requests(), 60u);    // 10 warm-up + 50 measured

    ASSERT_EQ(r.accepted.size(), 60u);
    std::set<std::string> ids;
    for (const auto& a : r.accepted) {
        ids.insert(a.business_id);
        const auto seq = std::stoull(a.business_id.substr(3));
        EXPECT_EQ(a.measured, seq >= 10) << a.business_id;
        EXPECT_GE(a.intended_epoch_us, before_us);
        EXPECT_LE(a.intended_epoch_us, after_us);
    }
    EXPECT_EQ(ids.size(), 60u);
    EXPECT_EQ(server.bodies().size(), 60u);
    EXPECT_EQ(server.bodies().count(R"({"id":"id-0"})"), 1u);

    // Every request carried its intended time: t0 + n * 20 ms, so the sorted values are 20 ms
    // apart (to rounding) however late each request actually left.
    auto intended = server.intended_headers();
    ASSERT_EQ(intended.size(), 60u);
    std::sort(intended.begin(), intended.end());
    EXPECT_GE(intended.front(), before_us);
    for (std::size_t i = 1; i < intended.size(); ++i) {
        EXPECT_NEAR(intended[i] - intended[i - 1], 20'000, 1) << i;
    }

    std::uint64_t series_sent = 0, series_ok = 0;
    for (const auto& s : r.series) {
        series_sent += s.sent;
        series_ok += s.ok;
    }
    EXPECT_GE(r.series.size(), 2u);
    EXPECT_EQ(series_sent, 60u);
    EXPECT_EQ(series_ok, 60u);
    EXPECT_GT(r.first_send_epoch_us, 0);
    EXPECT_EQ(progress.phase.load(), 3);
    EXPECT_EQ(progress.sent.load(), 60u);
    EXPECT_EQ(progress.ok.load(), 60u);
    EXPECT_EQ(progress.in_flight.load(), 0u);
}

TEST(run_load, status_500_is_counted_as_5xx) {
    test_server server({.status = 500});
    const load_report r = run(open_spec(20, 0ms, 500ms), server.port());
    EXPECT_EQ(r.measured_sent, 10u);
    EXPECT_EQ(r.errors.status_5xx, 10u);
    EXPECT_EQ(r.errors.total(), 10u);
    EXPECT_EQ(r.measured_ok, 0u);
    EXPECT_EQ(r.latency_2xx_us.count(), 0u);
    EXPECT_EQ(r.latency_all_us.count(), 10u);  // every answer counts in the all view
    EXPECT_TRUE(r.accepted.empty());
}

TEST(run_load, status_4xx_is_counted_as_4xx) {
    test_server server({.status = 429});
    const load_report r = run(open_spec(20, 0ms, 250ms), server.port());
    EXPECT_EQ(r.measured_sent, 5u);
    EXPECT_EQ(r.errors.status_4xx, 5u);
    EXPECT_EQ(r.errors.total(), 5u);
}

TEST(run_load, refused_port_is_counted_as_connect_errors) {
    std::uint16_t port = 0;
    {
        // Bind, note the port, release it: nothing listens there during the run.
        asio::io_context ioc;
        tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        port = a.local_endpoint().port();
    }
    load_progress progress;
    std::atomic<bool> cancel{false};
    const load_report r = run(open_spec(20, 100ms, 500ms), port, progress, cancel);
    EXPECT_EQ(r.measured_sent, 10u);
    EXPECT_EQ(r.errors.connect, 10u);
    EXPECT_EQ(r.errors.total(), 10u);
    EXPECT_EQ(r.send_delay_us.count(), 0u);  // nothing was ever written
    EXPECT_TRUE(r.accepted.empty());
    EXPECT_EQ(progress.errors.load(), 12u);  // warm-up failures show in the progress line
}

TEST(run_load, unanswered_requests_time_out) {
    test_server server({.never_answer = true});
    load_spec spec = open_spec(10, 0ms, 300ms);
    spec.request_timeout = 300ms;
    const load_report r = run(spec, server.port());
    EXPECT_EQ(r.measured_sent, 3u);
    EXPECT_EQ(r.errors.timeout, 3u);
    EXPECT_EQ(r.errors.total(), 3u);
    EXPECT_GE(r.measured_seconds, 0.3);  // the first one waited its whole timeout
}

TEST(run_load, connection_close_from_server_reconnects) {
    test_server server({.close_after_each = true});
    const load_report r = run(open_spec(40, 0ms, 500ms), server.port());
    EXPECT_EQ(r.measured_sent, 20u);
    EXPECT_EQ(r.measured_ok, 20u);
    EXPECT_EQ(r.errors.total(), 0u);
    EXPECT_EQ(server.connections(), 20u);  // one fresh connection per request
}

TEST(run_load, ramp_with_zero_rate_step) {
    test_server server({});
    load_spec spec = open_spec(0, 0ms, 0ms);
    spec.ramp = {ramp_step{50, 200ms}, ramp_step{0, 200ms}, ramp_step{100, 200ms}};
    const load_report r = run(spec, server.port());
    EXPECT_EQ(r.measured_sent, 30u);
    EXPECT_EQ(r.measured_ok, 30u);
    EXPECT_DOUBLE_EQ(r.offered_per_s, 50.0);  // 30 requests over the 600 ms of intended ramp
}

TEST(run_load, requests_limit_ends_the_measured_phase) {
    test_server server({});
    load_spec spec = open_spec(100, 100ms, 10'000ms);
    spec.requests = 25;
    const load_report r = run(spec, server.port());
    EXPECT_EQ(r.measured_sent, 25u);
    EXPECT_EQ(r.measured_ok, 25u);
    EXPECT_EQ(server.requests(), 35u);
    EXPECT_DOUBLE_EQ(r.offered_per_s, 100.0);
}

// Coordinated omission: one 2 s stall on a single connection at 100/s. Every request due
// during the stall queues behind it and its latency runs from its intended time, so about 200
// samples show the stall, 100 of them by at least a second. A closed-loop (or CO-affected) tool
// would show exactly one slow sample.
TEST(run_load, stall_is_not_hidden_by_coordinated_omission) {
    server_behaviour stall;
    stall.stall_request = 60;  // 0.4 s into the measured phase
    stall.stall = 2000ms;
    test_server server(stall);
    load_spec spec = open_spec(100, 200ms, 3000ms);
    spec.max_connections = 1;
    const load_report r = run(spec, server.port());

    EXPECT_EQ(server.connections(), 1u);
    EXPECT_EQ(r.measured_sent, 300u);
    EXPECT_EQ(r.measured_ok, 300u);
    const histogram& h = r.latency_2xx_us;
    ASSERT_EQ(h.count(), 300u);
    EXPECT_GE(h.max(), 2'000'000u);
    EXPECT_GE(h.value_at_percentile(99), 1'000'000u);

    // At least 100 samples >= 1 s: the 100th largest sample's bucket tops out above
    // 1 s * (1 + 2^-7), so the sample itself is >= 1 s (the histogram's precision bound).
    const std::uint64_t rank = h.count() - 99;
    const double percentile =
        100.0 * (static_cast<double>(rank) - 0.5) / static_cast<double>(h.count());
    EXPECT_GE(static_cast<double>(h.value_at_percentile(percentile)),
              1'000'000.0 * (1.0 + 1.0 / 128));
    // The queueing shows up in the generator's own health figure too.
    EXPECT_GE(r.send_delay_us.max(), 1'000'000u);
    std::cout << "[ figures  ] stall: p50 " << h.value_at_percentile(50) << " us, 100th largest "
              << h.value_at_percentile(percentile) << " us, p99 " << h.value_at_percentile(99)
              << " us, max " << h.max() << " us, send delay p99 "
              << r.send_delay_us.value_at_percentile(99) << " us\n";
}

// The instrument against a known answer: 100/s for 3 s to an endpoint answering in 10 ms,
// except that the 100 requests sent during the second second are each held 1 s and then fail
// (503). The "during" window must hold exactly those requests with availability near 0, the
// all-answers p99 must be the 1 s hold, and the 2xx view must not see it. (Before send-time
// windows, "during" held 1 answer at 100% availability and the failures counted "after".)
TEST(run_load, one_second_hold_counts_in_its_send_window_and_the_all_answers_view) {
    server_behaviour behaviour;
    behaviour.latency = 10ms;
    behaviour.hold_from = 100;  // arrival order is send order to within a request or two
    behaviour.hold_to = 200;
    behaviour.hold = 1000ms;
    test_server server(behaviour);
    const load_spec spec = open_spec(100, 0ms, 3000ms);
    load_progress progress;
    std::atomic<bool> cancel{false};
    const std::vector<load_window> windows = {{0ms, 1000ms}, {1000ms, 2000ms}, {2000ms, 3000ms}};
    const load_report r =
        run_load(spec, target_at(server.port()), make_test_request, progress, cancel, windows);

    ASSERT_EQ(r.measured_sent, 300u);
    ASSERT_EQ(r.windows.size(), 3u);
    const auto& before = r.windows[0];
    const auto& during = r.windows[1];
    const auto& after = r.windows[2];
    EXPECT_EQ(before.requests, 100u);
    EXPECT_EQ(during.requests, 100u);
    EXPECT_EQ(after.requests, 100u);
    // Near 0 / near 100%: a request at the boundary may arrive a place out of send order.
    EXPECT_LE(during.ok, 2u);
    EXPECT_GE(during.rejected_503, 98u);
    EXPECT_GE(before.ok, 98u);
    EXPECT_GE(after.ok, 98u);
    EXPECT_GE(during.latency_all_us.value_at_percentile(50), 1'000'000u);

    // The whole run: 100 of 300 answers took >= 1 s, so the all-answers p99 is the hold
    // (bounded above loosely: only a very slow machine adds more), while the 2xx p99 is not.
    EXPECT_EQ(r.latency_all_us.count(), 300u);
    EXPECT_GE(r.latency_all_us.value_at_percentile(99), 1'000'000u);
    EXPECT_LT(r.latency_all_us.value_at_percentile(99), 1'500'000u);
    EXPECT_LT(r.latency_2xx_us.value_at_percentile(99), 500'000u);
    EXPECT_GE(r.latency_2xx_us.count(), 198u);
    std::cout << "[ figures  ] 1 s hold: during " << during.ok << "/" << during.requests
              << " ok, all-answers p99 " << r.latency_all_us.value_at_percentile(99)
              << " us, 2xx p99 " << r.latency_2xx_us.value_at_percentile(99)
              << " us, schedule lag p99 " << r.schedule_lag_us.value_at_percentile(99) << " us\n";
}

// Callers that retry: every request is refused twice (503, Retry-After: 0) and taken the third
// time. Each must end 2xx after exactly 3 attempts, counted once as a request, its latency
// from its first intended send time (so at least the two backoffs), its body sent unchanged.
TEST(run_load, retried_requests_count_once_from_their_first_intended_send) {
    server_behaviour behaviour;
    behaviour.refuse_attempts = 2;
    test_server server(behaviour);
    load_spec spec = open_spec(50, 0ms, 1000ms);
    spec.retry.max_attempts = 5;
    spec.retry.initial = 100ms;
    spec.retry.multiplier = 2.0;
    spec.retry.jitter = 0.0;
    const std::vector<load_window> windows = {{0ms, 1000ms}};
    load_progress progress;
    std::atomic<bool> cancel{false};
    const load_report r =
        run_load(spec, target_at(server.port()), make_test_request, progress, cancel, windows);

    EXPECT_EQ(r.measured_sent, 50u);
    EXPECT_EQ(r.measured_ok, 50u);
    EXPECT_EQ(r.errors.total(), 0u);  // the refusals were retried, not final
    EXPECT_EQ(r.retries.attempts, 150u);
    EXPECT_EQ(r.retries.retries, 100u);
    EXPECT_EQ(r.retries.requests_retried, 50u);
    EXPECT_EQ(r.retries.exhausted, 0u);
    EXPECT_EQ(r.retries.most_attempts, 3);
    EXPECT_EQ(server.requests(), 150u);
    EXPECT_EQ(server.bodies().size(), 50u);  // the same body each time
    EXPECT_EQ(r.accepted.size(), 50u);
    // 100 ms + 200 ms of backoff at the least, from the first intended send.
    EXPECT_GE(r.latency_all_us.min(), 300'000u);
    EXPECT_EQ(r.latency_2xx_us.count(), 50u);
    ASSERT_EQ(r.windows.size(), 1u);
    EXPECT_EQ(r.windows[0].requests, 50u);
    EXPECT_EQ(r.windows[0].ok, 50u);
    EXPECT_EQ(r.send_delay_us.count(), 50u);  // first attempts only
    EXPECT_GE(r.retries.answers_after_schedule_s, 0.3);
}

// A budget that runs out: always refused, 3 attempts each, then failed with its attempts.
TEST(run_load, a_request_whose_attempts_run_out_fails_once) {
    server_behaviour behaviour;
    behaviour.refuse_attempts = 1000;
    test_server server(behaviour);
    load_spec spec = open_spec(20, 0ms, 500ms);
    spec.retry.max_attempts = 3;
    spec.retry.initial = 20ms;
    spec.retry.jitter = 0.0;
    const load_report r = run(spec, server.port());
    EXPECT_EQ(r.measured_sent, 10u);
    EXPECT_EQ(r.measured_ok, 0u);
    EXPECT_EQ(r.errors.status_503, 10u);  // one final failure per request, not per attempt
    EXPECT_EQ(r.retries.attempts, 30u);
    EXPECT_EQ(r.retries.exhausted, 10u);
    EXPECT_EQ(r.latency_all_us.count(), 10u);
    EXPECT_TRUE(r.accepted.empty());
}

// The retry-rate cap refuses retries beyond its budget; those requests fail at once.
TEST(run_load, the_retry_rate_cap_refuses_retries_beyond_it) {
    server_behaviour behaviour;
    behaviour.refuse_attempts = 1;
    test_server server(behaviour);
    load_spec spec = open_spec(100, 0ms, 500ms);  // 50 requests in half a second
    spec.retry.max_attempts = 2;
    spec.retry.initial = 10ms;
    spec.retry.max_rate_per_s = 10;  // at most ~10 + 5 retries in that time
    const load_report r = run(spec, server.port());
    EXPECT_EQ(r.measured_sent, 50u);
    EXPECT_GT(r.retries.refused_by_rate_cap, 20u);
    EXPECT_EQ(r.retries.retries + r.retries.refused_by_rate_cap, 50u);
    EXPECT_EQ(r.measured_ok, r.retries.retries);  // each retry was taken
}

TEST(run_load, closed_loop_users_send_await_and_think) {
    test_server server({});
    load_spec spec;
    spec.kind = load_spec::model::closed;
    spec.users = 3;
    spec.think_time = 5ms;
    spec.warmup = 100ms;
    spec.duration = 400ms;
    load_progress progress;
    std::atomic<bool> cancel{false};
    const load_report r = run(spec, server.port(), progress, cancel);
    EXPECT_GT(r.measured_sent, 0u);
    EXPECT_EQ(r.measured_ok, r.measured_sent);
    EXPECT_EQ(r.latency_2xx_us.count(), r.measured_sent);
    EXPECT_EQ(r.schedule_lag_us.count(), 0u);  // a closed loop has no schedule
    EXPECT_EQ(r.errors.total(), 0u);
    EXPECT_EQ(r.accepted.size(), server.requests());
    EXPECT_LE(server.connections(), 3u);  // one keep-alive connection per user
    EXPECT_GT(r.offered_per_s, 0.0);
    EXPECT_EQ(progress.phase.load(), 3);
}

TEST(run_load, closed_loop_requests_limit_is_exact) {
    test_server server({});
    load_spec spec;
    spec.kind = load_spec::model::closed;
    spec.users = 4;
    spec.warmup = 0ms;
    spec.duration = 10s;
    spec.requests = 7;
    const load_report r = run(spec, server.port());
    EXPECT_EQ(r.measured_sent, 7u);
    EXPECT_EQ(r.measured_ok, 7u);
}

TEST(run_load, cancel_stops_sending_and_returns) {
    test_server server({});
    load_progress progress;
    std::atomic<bool> cancel{false};
    std::thread canceller([&] {
        while (progress.sent.load() < 20) {
            std::this_thread::sleep_for(10ms);
        }
        cancel.store(true);
    });
    const load_report r = run(open_spec(100, 0ms, 10'000ms), server.port(), progress, cancel);
    canceller.join();
    EXPECT_GE(r.measured_sent, 20u);
    EXPECT_LT(r.measured_sent, 1000u);  // the full run would have sent 1000
    EXPECT_EQ(r.measured_ok, r.measured_sent);
    EXPECT_EQ(progress.in_flight.load(), 0u);
    EXPECT_EQ(progress.phase.load(), 3);
}

}  // namespace
}  // namespace asyncbench
