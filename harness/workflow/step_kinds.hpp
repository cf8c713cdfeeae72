#pragma once
// The one table of workflow step kinds: each kind's YAML key, the step-level keys it adds, its
// reader and its executor. Adding a kind: a struct in scenario_config.hpp's step_spec variant,
// a file in harness/workflow/steps/ with its two functions, and one row here.
// Thread-safety: the table is constant; readers and executors are as their contexts.
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/config/yaml_reader.hpp"
#include "harness/workflow/step_result.hpp"

namespace asyncbench {

class store_session;
class blocking_http_client;
class redis_client;
struct work_item;
struct network_endpoint;

// What a step's reader checks references against: the declarations read before the workflow.
struct step_declarations {
    std::set<std::string> systems;
    bool systems_known = true;  // false when `systems` was unreadable: dangling refs not reported
    const std::vector<table_spec>* tables = nullptr;
    const std::vector<redis_key_spec>* redis_keys = nullptr;
};

// What a step's executor works with; owned by the workflow_executor of one thread.
struct step_context {
    const scenario_config& scenario;
    std::function<store_session&()> session;  // the thread's database session, opened lazily
    blocking_http_client& http;
    std::function<redis_client&()> redis;  // connected lazily; throws redis_error without Redis
    std::function<const network_endpoint*(const std::string&)> system_address;
    std::string redis_prefix;  // put before every declared key: the run's and mode's own keys
};

struct step_kind {
    std::string_view key;                      // the step's YAML key naming its kind
    std::vector<std::string_view> extra_keys;  // step-level keys only this kind accepts
    // Reads `map` (a step whose kind key is present) into `step.action`; errors to `reader`.
    void (*read)(yaml_reader& reader, const yaml_map& map, const step_declarations& declared,
                 step_spec& step);
    // One attempt. Never throws: failures come back as step_result::failed.
    step_result (*run)(step_context& context, const step_spec& step, const work_item& item);
};

// Every kind, in the order of step_spec's variant alternatives.
const std::vector<step_kind>& step_kinds();
// The kind of a step (by its variant alternative).
const step_kind& kind_of(const step_spec& step);

}  // namespace asyncbench
