#pragma once
// One mode's database and Redis as a scenario plugin sees them (scenario_state): to seed state
// before the load and to check invariants after the drain. Opens its own database session and
// Redis connection, lazily. Not thread-safe: used by the runner's thread only.
#include <memory>
#include <optional>
#include <string>

#include "harness/redis/redis_client.hpp"
#include "harness/store/store.hpp"
#include "harness/workflow/workflow_executor.hpp"
#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {

class mode_state final : public scenario_state {
  public:
    // `db` must outlive this object.
    mode_state(const scenario_config& scenario, store& db, redis_target redis);

    const scenario_config& scenario() const override { return scenario_; }
    store_session& db() override;
    std::map<std::string, double> sorted_set(std::string_view declared) override;

  private:
    const scenario_config& scenario_;
    store& store_;
    redis_target redis_;
    std::unique_ptr<store_session> session_;
    std::optional<redis_client> client_;
};

// The plugin's checks with each invariant's `required` set from the scenario file. A check
// that throws (the database or Redis unreachable) comes back as one failed, required
// invariant naming the error: a check that could not run proves nothing.
scenario_checks run_scenario_checks(const scenario_plugin& plugin, scenario_state& state);

}  // namespace asyncbench
