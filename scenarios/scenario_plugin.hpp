#pragma once
// The small C++ part of a scenario: what its requests look like, and, where the scenario needs
// them, the state it starts from and the invariants it must keep. The workflow itself is data
// (the scenario YAML) executed by harness/workflow; a plugin never contains business steps, so
// the sync and async modes cannot drift apart. Plugins are registered in scenarios/registry.cpp,
// one explicit table (static self-registration is silently dropped by the linker).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/result/run_result.hpp"

namespace asyncbench {

class store_session;

// A request body as the load generator sends it, with the business id inside it.
struct generated_request {
    std::string business_id;
    std::string body;  // JSON
    std::string path;  // the request's target when not the load's (a lookup's /incidents/<id>)
};

// A validated request: the business id is the idempotency key everywhere downstream
// (Kafka message key, DB effects, X-Business-Id at the mocks).
struct parsed_request {
    std::string business_id;
    std::string kind;     // e.g. "employee" / "team"; free text for the report
    std::string payload;  // the normalised JSON carried in the Kafka message
};

struct scenario_checks {
    std::vector<scenario_metric> metrics;
    std::vector<invariant_result> invariants;
};

// A mode's database and Redis, for seeding before the load and checking after the drain.
// Used from one thread. Methods throw store_error / redis_error on failure.
class scenario_state {
  public:
    virtual ~scenario_state() = default;
    virtual const scenario_config& scenario() const = 0;
    virtual store_session& db() = 0;
    // Every member and score of a declared sorted set, in this mode's keys (the state reads
    // Redis itself, so plugins need no Redis client). Throws redis_error when the scenario
    // declares no Redis keys or Redis does not answer.
    virtual std::map<std::string, double> sorted_set(std::string_view declared) = 0;
};

class scenario_plugin {
  public:
    virtual ~scenario_plugin() = default;
    // The path both APIs accept requests on, e.g. "/SAVE" (POST).
    virtual std::string_view api_path() const = 0;
    // Deterministic for a given seq, so both modes send the very same workload.
    // Thread-safe (const, no state).
    virtual generated_request make_request(std::uint64_t seq) const = 0;
    // Validates a body sent to either API; an error string becomes a 400 with that message.
    // Must never throw, whatever the input. Thread-safe.
    virtual std::variant<parsed_request, std::string> parse_request(
        std::string_view body) const = 0;

    // The names of the invariants check() reports, so a scenario file can refer to them.
    virtual std::vector<std::string> invariant_names() const { return {}; }
    // The names of the metrics check() reports, so thresholds can name them before a run.
    virtual std::vector<std::string> metric_names() const { return {}; }
    // Before the load, in each mode's fresh database and Redis keys (e.g. stock levels).
    virtual void seed(scenario_state& /*state*/) const {}
    // After the drain: metrics and invariants computed from the database and Redis. `required`
    // is set by the caller from the scenario file.
    virtual scenario_checks check(scenario_state& /*state*/) const { return {}; }
};

// nullptr when no plugin has that name.
const scenario_plugin* find_plugin(std::string_view name);
std::vector<std::string> plugin_names();

}  // namespace asyncbench
