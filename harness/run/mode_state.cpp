#include "harness/run/mode_state.hpp"

namespace asyncbench {

mode_state::mode_state(const scenario_config& scenario, store& db, redis_target redis)
    : scenario_(scenario), store_(db), redis_(std::move(redis)) {}

store_session& mode_state::db() {
    if (!session_) session_ = store_.open_session();
    return *session_;
}

std::map<std::string, double> mode_state::sorted_set(std::string_view declared) {
    if (!client_) {
        if (redis_.url.empty()) {
            throw redis_error(redis_error::kind::connect,
                              "scenario '" + scenario_.name + "' declares no Redis keys");
        }
        client_ = redis_client::connect(redis_.url, std::chrono::seconds(5));
    }
    const std::string key = redis_.prefix + std::string(declared);
    auto reply = client_->command({"ZRANGE", key, "0", "-1", "WITHSCORES"});
    if (reply.is_error()) throw redis_error(redis_error::kind::protocol, key + ": " + reply.str);
    std::map<std::string, double> scores;
    for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
        scores[reply.elements[i].str] = std::stod(reply.elements[i + 1].str);
    }
    return scores;
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
