#include "harness/config/step_kinds.hpp"

namespace asyncbench {

const std::vector<step_kind>& step_kinds() {
    // Same order as step_spec::action's alternatives: call_step, db_step, redis_step.
    static const std::vector<step_kind> table{
        {"call", {"timeout"}, read_call_step},
        {"db", {}, read_db_step},
        {"redis", {}, read_redis_step},
    };
    static_assert(std::variant_size_v<decltype(step_spec::action)> == 3,
                  "every step kind needs a row in step_kinds()");
    return table;
}

const step_kind& kind_of(const step_spec& step) { return step_kinds()[step.action.index()]; }

}  // namespace asyncbench
