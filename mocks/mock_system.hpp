#pragma once
// A mock external system (LP report system, payroll, ERP, ...): an HTTP server that answers
// POST /<operation> as its operation_spec says: sampled latency, an error rate, a concurrency
// limit (excess calls queue, like a worker pool), slow-down, and outage (connection refused or
// 503). Every call is counted per operation and business id (header X-Business-Id), failed ones
// included, so duplicates reaching a downstream system are countable.
//
// Admin endpoints (for the standalone `asyncbench mock` and for changes during a run):
//   GET  /_mock/calls                -> {"<operation>": {"<business id>": count, ...}, ...}
//   PUT  /_mock/operations/<op>      body: YAML/JSON operation spec -> replaces that operation
//   POST /_mock/reset                -> clears the call log
// Thread-safe: every public member may be called from any thread while serving.
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "harness/config/scenario_config.hpp"

namespace asyncbench {

// operation -> business id -> calls received
using call_log = std::map<std::string, std::map<std::string, std::uint64_t>>;

class mock_system {
  public:
    // Binds at once (port 0 = any free port); throws std::runtime_error naming the port if taken.
    mock_system(system_spec spec, std::uint16_t port = 0, std::string address = "127.0.0.1");
    ~mock_system();

    const std::string& name() const;
    std::uint16_t port() const;
    void start();
    void stop();

    // Replaces one operation's behaviour for calls that arrive from now on.
    void set_operation(const std::string& operation, const operation_spec& spec);
    operation_spec operation(const std::string& operation) const;

    call_log calls() const;
    std::uint64_t total_calls() const;
    void reset_calls();

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace asyncbench
