// The only translation unit with Beast client templates for load. Everything runs on one
// io_context thread owned by run_load, so the run state below needs no locks; only
// load_progress (read by other threads) is atomic.
#include "harness/load/load_generator.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <exception>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "harness/core/thread_name.hpp"
#include "harness/load/load_plan.hpp"
#include "harness/load/request_outcome.hpp"
#include "harness/load/retry_policy.hpp"
#include "harness/load/second_series.hpp"

namespace asyncbench {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// cancel is polled at this period; the contract promises at most 100 ms.
constexpr auto supervisor_period = 50ms;

std::uint64_t to_us(steady::duration d) {
    return d.count() <= 0 ? 0
                          : static_cast<std::uint64_t>(
                                std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

struct pending_request {
    std::uint64_t seq = 0;
    generated_request request;
    // The first attempt's intended send time: latency counts from here, whatever queueing or
    // retries followed, and a request belongs to the fault window of this time.
    steady::time_point intended;
    bool measured = false;
    int attempt = 1;  // 1 = the first attempt, 2 = the first retry, ...
    // The previous attempt's outcome, for a retry the run stops before sending.
    request_outcome last_outcome = request_outcome::ok;
    int last_status = 0;
};

void record_measured(load_report& report, request_outcome outcome, std::uint64_t latency_us,
                     int status) {
    count_outcome(report.errors, outcome);
    if (status == 503) ++report.errors.status_503;
    report.latency_all_us.record(latency_us);
    if (outcome == request_outcome::rejected) ++report.measured_rejected;
    if (outcome == request_outcome::ok) {
        ++report.measured_ok;
        report.latency_2xx_us.record(latency_us);
    }
}

// One HTTP/1.1 keep-alive connection, opened lazily and reopened after a transport failure or
// a "Connection: close" from the server.
struct connection {
    explicit connection(const asio::any_io_executor& executor) : stream(executor) {}

    void close() {
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream.close();
        buffer.clear();
        open = false;
    }

    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    bool open = false;
    std::chrono::steady_clock::time_point last_used{};
};

// A keep-alive connection idle longer than this is closed and reopened before its next
// request. Servers close idle connections after their own timeout (ours 10 s, Tomcat 20 s,
// nginx 75 s); reusing one the server already closed fails the request with an I/O error that
// is the generator's fault, not the system's. Idle connections are reused most-recent first,
// so after a burst the oldest ones can sit idle for a long time.
constexpr std::chrono::seconds max_idle_reuse{4};

class load_run {
  public:
    load_run(const load_spec& spec, const load_target& target, const request_factory& make_request,
             load_progress& progress, const std::atomic<bool>& cancel,
             const std::vector<load_window>& windows)
        : spec_(spec),
          target_(target),
          make_request_(make_request),
          progress_(progress),
          cancel_(cancel),
          plan_(make_open_load_plan(spec)),
          host_header_(target.host + ":" + std::to_string(target.port)),
          scheduler_timer_(ioc_),
          supervisor_timer_(ioc_),
          retry_budget_(spec.retry.max_rate_per_s) {
        report_.retries.max_attempts = spec.retry.max_attempts;
        for (const auto& window : windows) windows_.add(window.start, window.end);
    }

    load_report run();

  private:
    asio::awaitable<void> scheduler();
    asio::awaitable<void> connection_worker();
    asio::awaitable<void> virtual_user();
    asio::awaitable<void> supervisor();
    asio::awaitable<void> execute(connection& conn, pending_request& request);

    void spawn(asio::awaitable<void> task);
    void dispatch();
    void stop_sending();
    void wake_idle_workers();
    void record_completion(const pending_request& request, request_outcome outcome,
                           std::optional<steady::time_point> write_start, int status,
                           std::optional<std::chrono::seconds> retry_after);
    // The request's final outcome: statistics, windows, reconciliation.
    void finish_request(const pending_request& request, request_outcome outcome, int status,
                        steady::time_point done);
    asio::awaitable<void> retry_later(pending_request request, steady::duration delay);
    std::int64_t epoch_us(steady::time_point t) const {
        return t0_epoch_us_ +
               std::chrono::duration_cast<std::chrono::microseconds>(t - t0_).count();
    }

    const load_spec& spec_;
    const load_target& target_;
    const request_factory& make_request_;
    load_progress& progress_;
    const std::atomic<bool>& cancel_;
    const open_load_plan plan_;
    const std::string host_header_;

    // Declared before every object holding its I/O objects, so it is destroyed after them.
    asio::io_context ioc_{1};
    tcp::resolver::results_type endpoints_;
    steady::time_point t0_;
    std::int64_t t0_epoch_us_ = 0;
    steady::time_point measure_start_;

    asio::steady_timer scheduler_timer_;
    asio::steady_timer supervisor_timer_;
    std::deque<pending_request> backlog_;              // FIFO: sent in intended order
    std::vector<asio::steady_timer*> idle_workers_;    // their timers; cancel() wakes one
    std::vector<asio::steady_timer*> sleeping_users_;  // think-time timers, woken on cancel
    int workers_ = 0;
    int active_tasks_ = 0;  // scheduler, workers, users: the run ends when 0
    bool sending_done_ = false;
    bool stopping_ = false;
    std::uint64_t next_seq_ = 0;  // closed loop

    second_series series_;
    send_windows windows_;
    load_report report_;
    std::optional<steady::time_point> first_send_;
    std::optional<steady::time_point> last_measured_done_;
    steady::time_point last_scheduled_;              // intended time of the last first attempt
    std::optional<steady::time_point> last_answer_;  // the last final answer, any phase
    retry_budget retry_budget_;
    std::vector<asio::steady_timer*> retry_timers_;  // retries waiting; woken on stop
    std::mt19937_64 jitter_random_{std::random_device{}()};
};

load_report load_run::run() {
    // Resolved once: the target is fixed for the run. A failure leaves no endpoints, so every
    // request is counted as a connect error rather than thrown.
    {
        beast::error_code ec;
        tcp::resolver resolver(ioc_);
        endpoints_ = resolver.resolve(target_.host, std::to_string(target_.port), ec);
    }

    t0_ = steady::now();
    t0_epoch_us_ = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    measure_start_ = t0_ + std::chrono::duration_cast<steady::duration>(plan_.measure_start);
    progress_.phase.store(plan_.measure_start.count() > 0 ? 1 : 2);

    if (spec_.kind == load_spec::model::open) {
        spawn(scheduler());
    } else {
        for (int i = 0; i < spec_.users; ++i) {
            spawn(virtual_user());
        }
    }
    asio::co_spawn(ioc_, supervisor(), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    ioc_.run();
    progress_.phase.store(3);

    report_.series = series_.build();
    report_.windows = windows_.windows();
    if (first_send_) {
        report_.first_send_epoch_us = epoch_us(*first_send_);
    }
    if (last_measured_done_) {
        report_.measured_seconds =
            std::chrono::duration<double>(*last_measured_done_ - measure_start_).count();
    }
    auto& retries = report_.retries;
    if (last_answer_ && spec_.kind == load_spec::model::open) {
        retries.answers_after_schedule_s =
            std::max(0.0, std::chrono::duration<double>(*last_answer_ - last_scheduled_).count());
    }
    if (report_.measured_sent > 0) {
        retries.amplification =
            static_cast<double>(retries.attempts) / static_cast<double>(report_.measured_sent);
    }
    if (report_.measured_seconds > 0) {
        retries.retries_per_s = static_cast<double>(retries.retries) / report_.measured_seconds;
    }
    if (spec_.kind == load_spec::model::open) {
        report_.offered_per_s =
            rate_per_s(report_.measured_sent, measured_intended_span(plan_, report_.measured_sent));
    } else if (report_.measured_seconds > 0) {
        // A closed loop has no intended schedule: what it offered is what it managed to send.
        report_.offered_per_s =
            static_cast<double>(report_.measured_sent) / report_.measured_seconds;
    }
    return std::move(report_);
}

void load_run::spawn(asio::awaitable<void> task) {
    ++active_tasks_;
    asio::co_spawn(ioc_, std::move(task), [this](std::exception_ptr e) {
        // Per-request failures never throw (they are counted); an exception here is a broken
        // invariant such as a throwing request factory, and leaves run_load through ioc.run().
        if (e) std::rethrow_exception(e);
        if (--active_tasks_ == 0) {
            supervisor_timer_.cancel();
        }
    });
}

asio::awaitable<void> load_run::supervisor() {
    while (active_tasks_ > 0) {
        if (!stopping_ && cancel_.load()) {
            stop_sending();
        }
        if (progress_.phase.load() == 1 && steady::now() >= measure_start_) {
            progress_.phase.store(2);
        }
        supervisor_timer_.expires_after(supervisor_period);
        co_await supervisor_timer_.async_wait(use_tuple);
    }
}

void load_run::stop_sending() {
    stopping_ = true;
    // First attempts not yet sent are neither counted nor measured; a retry waiting for a
    // connection ends with its last attempt's outcome, so no request vanishes uncounted.
    for (auto& request : backlog_) {
        if (request.attempt == 1) continue;
        --request.attempt;
        finish_request(request, request.last_outcome, request.last_status, steady::now());
    }
    backlog_.clear();
    scheduler_timer_.cancel();
    for (auto* timer : sleeping_users_) {
        timer->cancel();
    }
    for (auto* timer : retry_timers_) timer->cancel();
    wake_idle_workers();
}

void load_run::wake_idle_workers() {
    for (auto* timer : idle_workers_) {
        timer->cancel();
    }
    idle_workers_.clear();
}

// Open loop: sleeps until each intended time (from t0, never from the previous send) and
// hands the request on. It never waits for a response, so a stalled server cannot slow it.
asio::awaitable<void> load_run::scheduler() {
    const std::uint64_t total = plan_.warmup_requests + plan_.measured_requests;
    for (std::uint64_t n = 0; n < total && !stopping_; ++n) {
        const auto offset = plan_.schedule.intended_offset(n);
        if (!offset) {
            break;  // cannot happen: total never exceeds the schedule
        }
        const auto intended = t0_ + std::chrono::duration_cast<steady::duration>(*offset);
        // Always waits, even when late: an expired timer completes at once but still yields, so
        // a burst of overdue requests cannot starve the connections or the cancel check.
        scheduler_timer_.expires_at(intended);
        co_await scheduler_timer_.async_wait(use_tuple);
        if (stopping_) {
            break;
        }
        const bool measured = n >= plan_.warmup_requests;
        if (measured) report_.schedule_lag_us.record(to_us(steady::now() - intended));
        last_scheduled_ = intended;
        backlog_.push_back(pending_request{n, make_request_(n), intended, measured});
        dispatch();
    }
    sending_done_ = true;
    wake_idle_workers();
}

void load_run::dispatch() {
    if (!idle_workers_.empty()) {
        idle_workers_.back()->cancel();
        idle_workers_.pop_back();
    } else if (workers_ < std::max(1, spec_.max_connections)) {
        ++workers_;
        spawn(connection_worker());
    }
    // Otherwise the request stays in the backlog until a connection frees up; its latency
    // still runs from its intended time, which is how coordinated omission is avoided.
}

asio::awaitable<void> load_run::connection_worker() {
    connection conn(ioc_.get_executor());
    asio::steady_timer idle(ioc_);
    for (;;) {
        if (!backlog_.empty()) {
            pending_request request = std::move(backlog_.front());
            backlog_.pop_front();
            co_await execute(conn, request);
            continue;
        }
        if (sending_done_ || stopping_) {
            break;
        }
        idle.expires_at(steady::time_point::max());
        idle_workers_.push_back(&idle);
        co_await idle.async_wait(use_tuple);
        std::erase(idle_workers_, &idle);  // when woken by something other than dispatch()
    }
    conn.close();
    --workers_;  // a retry due later spawns a new one through dispatch()
}

// Closed loop: send, await the answer, think, repeat. Latency counts from the actual send,
// which is the model's definition; its coordinated omission is why open loop is the default.
asio::awaitable<void> load_run::virtual_user() {
    connection conn(ioc_.get_executor());
    asio::steady_timer think(ioc_);
    sleeping_users_.push_back(&think);
    const auto measure_end =
        measure_start_ + std::chrono::duration_cast<steady::duration>(spec_.duration);
    while (!stopping_) {
        const auto now = steady::now();
        if (now >= measure_end) {
            break;
        }
        const bool measured = now >= measure_start_;
        if (measured && spec_.requests && report_.measured_sent >= *spec_.requests) {
            break;
        }
        const std::uint64_t seq = next_seq_++;
        pending_request request{seq, make_request_(seq), now, measured};
        co_await execute(conn, request);
        if (spec_.think_time.count() > 0 && !stopping_) {
            think.expires_after(spec_.think_time);
            co_await think.async_wait(use_tuple);
        }
    }
    std::erase(sleeping_users_, &think);
    conn.close();
}

asio::awaitable<void> load_run::execute(connection& conn, pending_request& request) {
    const auto dispatched = steady::now();
    if (!first_send_) {
        first_send_ = dispatched;
    }
    // The series counts a send in the second it actually left (or tried to connect), so a
    // stall shows as a gap in `sent` followed by a burst, exactly as the server saw it.
    series_.on_sent(dispatched - t0_);
    progress_.sent.fetch_add(1, std::memory_order_relaxed);
    progress_.in_flight.fetch_add(1, std::memory_order_relaxed);
    if (request.attempt == 1) ++report_.sent_all_phases;
    if (request.measured) {
        ++report_.retries.attempts;
        if (request.attempt == 1) ++report_.measured_sent;
        if (request.attempt > 1) ++report_.retries.retries;  // counted when actually sent
    }

    exchange_stage stage = exchange_stage::connect;
    beast::error_code ec;
    int status = 0;
    bool keep_alive = true;
    std::optional<steady::time_point> write_start;
    std::optional<std::chrono::seconds> retry_after;

    if (conn.open && dispatched - conn.last_used > max_idle_reuse) {
        conn.close();
    }
    if (!conn.open) {
        conn.stream.expires_after(spec_.request_timeout);
        auto [connect_ec, endpoint] = co_await conn.stream.async_connect(endpoints_, use_tuple);
        ec = connect_ec;
        if (!ec) {
            conn.open = true;
            beast::error_code ignored;
            conn.stream.socket().set_option(tcp::no_delay(true), ignored);
        }
    }
    if (!ec) {
        stage = exchange_stage::write;
        http::request<http::string_body> req;
        req.method_string(target_.method);
        req.target(request.request.path.empty() ? target_.path : request.request.path);
        req.version(11);
        req.keep_alive(true);
        req.set(http::field::host, host_header_);
        req.set(http::field::content_type, "application/json");
        req.set("X-Intended-Send-Us", std::to_string(epoch_us(request.intended)));
        for (const auto& [name, value] : target_.headers) req.set(name, value);
        req.body() = request.request.body;  // kept: a retry sends the same body again
        req.prepare_payload();

        write_start = steady::now();
        // One deadline for write and read together: the request times out when no complete
        // answer arrived within request_timeout of its send.
        conn.stream.expires_after(spec_.request_timeout);
        auto [write_ec, written] = co_await http::async_write(conn.stream, req, use_tuple);
        ec = write_ec;
        if (!ec) {
            stage = exchange_stage::read;
            http::response<http::string_body> res;
            auto [read_ec, bytes_read] =
                co_await http::async_read(conn.stream, conn.buffer, res, use_tuple);
            ec = read_ec;
            if (!ec) {
                stage = exchange_stage::done;
                status = res.result_int();
                keep_alive = res.keep_alive();
                if (const auto it = res.find(http::field::retry_after); it != res.end()) {
                    retry_after = parse_retry_after(it->value());
                }
            }
        }
    }

    const request_outcome outcome = classify_outcome(stage, ec, status);
    conn.last_used = steady::now();
    if (needs_reconnect(outcome) || !keep_alive) {
        conn.close();  // harmless on a stream whose connect failed
    }
    record_completion(request, outcome, write_start, status, retry_after);
}

void load_run::record_completion(const pending_request& request, request_outcome outcome,
                                 std::optional<steady::time_point> write_start, int status,
                                 std::optional<std::chrono::seconds> retry_after) {
    const auto done = steady::now();
    progress_.in_flight.fetch_sub(1, std::memory_order_relaxed);
    // The series shows every answer as the server gave it, retried ones included.
    series_.on_completed(done - t0_, outcome, to_us(done - request.intended));
    if (request.measured && request.attempt == 1 && write_start) {
        report_.send_delay_us.record(to_us(*write_start - request.intended));
    }
    const auto& policy = spec_.retry;
    if (!stopping_ && request.attempt < policy.max_attempts && retryable(policy, outcome, status)) {
        if (retry_budget_.take(done)) {
            pending_request next = request;
            ++next.attempt;
            next.last_outcome = outcome;
            next.last_status = status;
            const double u = std::uniform_real_distribution<double>(0.0, 1.0)(jitter_random_);
            spawn(retry_later(std::move(next),
                              std::chrono::duration_cast<steady::duration>(
                                  retry_delay(policy, request.attempt + 1, retry_after, u))));
            return;
        }
        if (request.measured) ++report_.retries.refused_by_rate_cap;
    }
    finish_request(request, outcome, status, done);
}

void load_run::finish_request(const pending_request& request, request_outcome outcome, int status,
                              steady::time_point done) {
    const std::uint64_t latency_us = to_us(done - request.intended);
    const bool ok = outcome == request_outcome::ok;
    if (outcome != request_outcome::rejected) {
        (ok ? progress_.ok : progress_.errors).fetch_add(1, std::memory_order_relaxed);
    }
    windows_.record(request.intended - t0_, outcome, latency_us, status);
    if (ok) {
        report_.accepted.push_back(accepted_request{request.request.business_id, request.seq,
                                                    epoch_us(request.intended), request.measured});
    }
    last_answer_ = done;
    if (!request.measured) {
        return;
    }
    record_measured(report_, outcome, latency_us, status);
    auto& retries = report_.retries;
    if (request.attempt > 1) ++retries.requests_retried;
    if (!ok && outcome != request_outcome::rejected && request.attempt > 1) ++retries.exhausted;
    retries.most_attempts = std::max(retries.most_attempts, request.attempt);
    last_measured_done_ = done;
}

// Waits out a retry's backoff without holding a connection; the scheduler is never delayed by
// it (open loop stays open). If the run stops meanwhile, the request ends with the outcome of
// its last attempt: it is never dropped without a count.
asio::awaitable<void> load_run::retry_later(pending_request request, steady::duration delay) {
    asio::steady_timer timer(ioc_);
    // The coroutine starts after spawn() returns: the run may have stopped in between, and
    // then no one would cancel this timer.
    if (!stopping_) {
        retry_timers_.push_back(&timer);
        timer.expires_after(delay);
        co_await timer.async_wait(use_tuple);
        std::erase(retry_timers_, &timer);
    }
    if (stopping_) {
        --request.attempt;  // this one was never sent
        finish_request(request, request.last_outcome, request.last_status, steady::now());
        co_return;
    }
    backlog_.push_back(std::move(request));
    dispatch();
}

}  // namespace

load_report run_load(const load_spec& spec, const load_target& target,
                     const request_factory& make_request, load_progress& progress,
                     const std::atomic<bool>& cancel, const std::vector<load_window>& windows) {
    // The generator runs on the caller's thread: named while it does, so the cost sampler
    // can leave the client's own CPU out of either design's figures.
    std::array<char, 16> previous{};
    pthread_getname_np(pthread_self(), previous.data(), previous.size());
    name_this_thread(load_generator_thread);
    load_run run(spec, target, make_request, progress, cancel, windows);
    auto report = run.run();
    name_this_thread(previous.data());
    return report;
}

}  // namespace asyncbench
