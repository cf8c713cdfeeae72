#pragma once
// From a mode's run to what its report says about watchers and lookups: the truth the watchers
// are judged against (the accepted changes), the figures (pipeline_metric_names.hpp names them)
// and the invariant of their views. Pure; thread-safe.
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/load/load_generator.hpp"
#include "harness/result/run_result.hpp"
#include "harness/watch/watch_tally.hpp"
#include "harness/watch/watcher_group.hpp"
#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {

// The changes the system accepted (answered 2xx) in the measured phase, as every other
// figure, read from the very requests the load sent (the plugin's make_request of each
// accepted sequence number): entity, version and state by the watchers' field names, the
// intended send time as sent. Warm-up requests and requests without the entity or an integer
// version are left out (so the views judged are of the entities changed while measuring).
std::vector<watched_change> accepted_changes(const watcher_spec& watchers,
                                             const scenario_plugin& plugin,
                                             const std::vector<accepted_request>& accepted);

// watch_metric_names, in order; polls per second over the time the watchers watched.
std::vector<scenario_metric> watch_metrics(const watch_tally& tally,
                                           const watch_counters& counters);

// watcher_views_invariant: passed when every watcher's final view of every entity is its last
// accepted change. `required` as the scenario file says.
invariant_result watch_invariant(const watch_tally& tally, bool required);

// lookup_metric_names, in order, from the lookup load's measured phase: 404 answers are
// lookups of an entity the source does not hold (not_found), other failures failed.
std::vector<scenario_metric> lookup_metrics(const load_report& lookups);

}  // namespace asyncbench
