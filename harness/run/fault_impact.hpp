#pragma once
// The before / during / after view of each fault, computed from what the run measured. Pure:
// no clock, no I/O, so every rule is tested with made-up series. Thread-safe (no state).
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/load/load_generator.hpp"
#include "harness/result/run_result.hpp"

namespace asyncbench {

// The windows the load generator must tally for `faults` (scenario order), three per fault:
// before = [measure start, fault start), during = [fault start, fault end), after =
// [fault end, measure end), except that before starts where the last earlier fault ended and
// after stops where the next fault starts, so one fault's effects are never another's
// baseline or recovery (faults that overlap this one are not separated). Offsets from the start of
// warm-up (measure start = load.warmup, measure end = load.warmup + load.duration); planned times,
// which the timeline then keeps to within milliseconds. The during window is never cut: a fault
// running past the measure end keeps it whole (late answers to measured requests still arrive while
// it is active); before and after are clipped to the measure phase, so such a fault's after window
// is the empty [measure end, measure end). Negative `at` or `duration` count as 0.
std::vector<load_window> fault_windows(const load_spec& load,
                                       const std::vector<fault_spec>& faults);

// One impact per fault whose record says it was applied, in record order. `windows` are the
// tallies of fault_windows(), same order (3 per fault of `records`, which parallel the
// scenario's faults); `series` is the mode's per-second series with backlog filled in (drain
// seconds included). Throws std::invalid_argument when windows.size() != 3 * records.size().
//
// Rules (also in docs/result-schema.md):
// - A series second t_s belongs to a window [start_s, end_s) when start_s <= t_s < end_s.
//   peak_backlog is the largest backlog of those seconds (0 when there are none).
// - Recovery is searched from the first second with t_s >= record.end_s (the first whole second
//   after the fault), and reported as t_s - record.end_s: resolution one second.
// - backlog_recovered_s: the first such second whose backlog <= the pre-fault level, which is
//   the (lower) median per-second backlog of the before window's seconds, or 0 when the before
//   window holds no second (a fault at the start of the measure phase).
// - latency_recovered_s: the first such second that has 2xx answers, a p99 <= the reference and
//   a 2xx share ok / (ok + errors) >= the availability target. Reference: slo.api_p99 when set,
//   else 1.5 x the before window's p99 (no reference, so nullopt, when neither exists).
//   Availability target: the before window's availability (1.0 when it answered nothing),
//   lowered to slo.min_availability when that is set and lower. Drain seconds carry no answers
//   and so never count as recovered.
// - Either is nullopt when no second of the series qualifies.
std::vector<fault_impact> compute_fault_impacts(const std::vector<fault_record>& records,
                                                const std::vector<window_tally>& windows,
                                                const std::vector<second_sample>& series,
                                                const slo_spec& slo);

}  // namespace asyncbench
