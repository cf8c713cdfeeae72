#pragma once
// The request handling of a mock external system, apart from the HTTP server (mock_system) so
// it is testable without sockets or sleeps: time passes only through the injected schedule
// function, which a test can drive by hand.
//
// A call to POST /<operation> is counted, then, per its operation_spec at arrival: an outage
// answers 503 at once (a hang outage holds the call unanswered until the outage ends); otherwise a
// service time is sampled (times slowdown), the outcome is decided (error_rate), and the call waits
// in a FIFO until fewer than `concurrency` calls of that operation are in service, like a worker
// pool. It is answered when its service time has passed, failures included. Admin endpoints are
// documented in mock_system.hpp.
//
// Thread-safe: every public member may be called from any thread. handle() never blocks and
// never calls respond while holding a lock.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/http/http_types.hpp"
#include "mocks/call_counter.hpp"
#include "mocks/mock_system.hpp"

namespace asyncbench {

// Runs `task` once `delay` has passed, on a thread that is not the caller's (the caller may be
// an I/O thread). Tasks posted with equal delays run in posting order.
using schedule_fn =
    std::function<void(std::chrono::microseconds delay, std::function<void()> task)>;

class mock_service {
  public:
    // refusing_changed runs whenever refusing() may have changed: on set_operation's thread,
    // or through `schedule` shortly after answering an admin PUT (the server cannot change its
    // listener from its own I/O thread, and the admin answer must leave before connections are
    // closed). It should read refusing() itself, so a late call never applies a stale value.
    mock_service(system_spec spec, schedule_fn schedule, std::function<void()> refusing_changed,
                 std::uint64_t seed);
    mock_service(const mock_service&) = delete;
    mock_service& operator=(const mock_service&) = delete;

    const std::string& name() const { return name_; }

    void handle(http_request request, respond_fn respond);

    void set_operation(const std::string& operation, const operation_spec& spec);
    operation_spec operation(const std::string& operation) const;  // default when not listed
    std::vector<std::string> operation_names() const;              // the listed ones

    // True while any listed operation, or the default, has outage refuse: the whole system
    // then refuses connections, as a host that is down does.
    bool refusing() const;

    call_log calls() const { return calls_.snapshot(); }
    std::uint64_t total_calls() const { return calls_.total(); }
    void reset_calls() { calls_.reset(); }

    // Calls of `operation` in service (their service time running) and waiting for a slot.
    int in_service(const std::string& operation) const;
    std::size_t waiting(const std::string& operation) const;

    // Answers every call in service or waiting with 503 at once, and every later call too, so
    // the server's connections can close instead of waiting for answers that would come after
    // it stopped. Completions already scheduled then do nothing. Irreversible.
    void shutdown();

  private:
    struct pending_call {
        std::chrono::microseconds service_time;
        http_response response;
        respond_fn respond;
    };
    // One per operation with calls in service or waiting; erased when idle.
    struct worker_pool {
        int in_service = 0;
        std::deque<pending_call> waiting;
    };
    // A call whose service time runs; its respond_fn stays in in_flight_ under `id`, so
    // shutdown() can answer it and the scheduled completion then finds nothing to do.
    struct started_call {
        std::uint64_t id;
        std::chrono::microseconds service_time;
        http_response response;
    };

    const operation_spec& spec_for(const std::string& operation) const;  // mutex_ held
    bool replace_operation(const std::string& operation, const operation_spec& spec);
    void handle_operation(const std::string& operation, const http_request& request,
                          respond_fn respond);
    http_response handle_admin(const http_request& request, const std::string& path,
                               bool& refusing_changed);
    started_call start_locked(const std::string& operation, worker_pool& pool,
                              pending_call call);  // mutex_ held
    void schedule_completion(const std::string& operation, started_call call);
    http_response shutting_down_response(const std::string& operation) const;
    // Frees a slot if `finished`, then starts waiting calls while slots are free.
    void release(const std::string& operation, bool finished);
    bool refusing_locked() const;

    const std::string name_;
    const schedule_fn schedule_;
    const std::function<void()> refusing_changed_;
    call_counter calls_;

    mutable std::mutex mutex_;  // guards everything below
    operation_spec default_operation_;
    std::map<std::string, operation_spec> operations_;
    std::map<std::string, worker_pool> pools_;
    std::map<std::uint64_t, std::pair<std::string, respond_fn>> in_flight_;  // id -> op, respond
    std::vector<std::pair<std::string, respond_fn>> hung_;  // outage hang: op, respond
    std::uint64_t next_call_id_ = 0;
    bool shut_down_ = false;
    std::mt19937_64 rng_;
};

}  // namespace asyncbench
