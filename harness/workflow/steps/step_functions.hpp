#pragma once
// The executors of the step kinds (their YAML keys and readers are one table:
// harness/config/step_kinds.hpp): one run_step overload per alternative of step_spec::action,
// each in its own file of this folder, picked by workflow_executor with std::visit. One
// attempt each; they may throw store_error or redis_error, which the executor turns into a
// failed attempt.
#include <functional>
#include <string>

#include "harness/config/scenario_config.hpp"
#include "harness/workflow/step_result.hpp"

namespace asyncbench {

class store_session;
class blocking_http_client;
class redis_client;
struct work_item;
struct network_endpoint;

// What an executor works with; owned by the workflow_executor of one thread.
struct step_context {
    const scenario_config& scenario;
    std::function<store_session&()> session;  // the thread's database session, opened lazily
    blocking_http_client& http;
    std::function<redis_client&()> redis;  // connected lazily; throws redis_error without Redis
    std::function<const network_endpoint*(const std::string&)> system_address;
    std::string redis_prefix;  // put before every declared key: the run's and mode's own keys
};

step_result run_step(step_context& context, const step_spec& step, const call_step& call,
                     const work_item& item);
step_result run_step(step_context& context, const step_spec& step, const db_step& db,
                     const work_item& item);
step_result run_step(step_context& context, const step_spec& step, const redis_step& redis,
                     const work_item& item);

}  // namespace asyncbench
