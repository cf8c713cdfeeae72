#include "harness/run/mode_state.hpp"

namespace asyncbench {

mode_state::mode_state(const scenario_config& scenario, store& db, redis_target redis)
    : scenario_(scenario), store_(db), redis_(std::move(redis)) {}

store_session& mode_state::db() {
    if (!session_) session_ = store_.open_session();
    return *session_;
}

redis_client& mode_state::redis() {
    if (!client_) {
        if (redis_.url.empty()) {
            throw redis_error(redis_error::kind::connect,
                              "scenario '" + scenario_.name + "' declares no Redis keys");
        }
        client_ = redis_client::connect(redis_.url, std::chrono::seconds(5));
    }
    return *client_;
}

std::string mode_state::redis_key(std::string_view declared) const {
    return redis_.prefix + std::string(declared);
}

scenario_checks run_scenario_checks(const scenario_plugin& plugin, scenario_state& state) {
    scenario_checks checks;
    try {
        checks = plugin.check(state);
    } catch (const std::exception& e) {
        checks.invariants.push_back({"checks_ran",
                                     "the scenario's checks read the database and Redis",
                                     std::string("they could not: ") + e.what(), false, true});
        return checks;
    }
    for (auto& invariant : checks.invariants) {
        invariant.required = !state.scenario().invariants_may_break.contains(invariant.name);
    }
    return checks;
}

}  // namespace asyncbench
