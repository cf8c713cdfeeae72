#pragma once
// The small C++ part of a scenario: what its requests look like. The workflow itself is data
// (the scenario YAML) executed by harness/workflow; a plugin never contains business steps, so
// the sync and async modes cannot drift apart. Plugins are registered in scenarios/registry.cpp,
// one explicit table (static self-registration is silently dropped by the linker).
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace asyncbench {

// A request body as the load generator sends it, with the business id inside it.
struct generated_request {
    std::string business_id;
    std::string body;  // JSON
};

// A validated request: the business id is the idempotency key everywhere downstream
// (Kafka message key, DB effects, X-Business-Id at the mocks).
struct parsed_request {
    std::string business_id;
    std::string kind;     // e.g. "employee" / "team"; free text for the report
    std::string payload;  // the normalised JSON carried in the Kafka message
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
};

// nullptr when no plugin has that name.
const scenario_plugin* find_plugin(std::string_view name);
std::vector<std::string> plugin_names();

}  // namespace asyncbench
