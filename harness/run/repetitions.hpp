#pragma once
// `--repeat N`: each mode run N times, modes alternating (A B B A ...), so a drift of the
// machine over the run (a warming cache, a neighbour's job) hits both designs alike, and the
// repetitions merged into the one result a report reads. Pure; thread-safe (no state).
#include <vector>

#include "harness/core/mode.hpp"
#include "harness/result/run_result.hpp"
#include "harness/stats/histogram.hpp"

namespace asyncbench {

// The latency histograms behind a mode_result's summaries, kept so repetitions merge exactly
// (percentiles cannot be averaged).
struct mode_histograms {
    histogram api_all_us;
    histogram api_2xx_us;
    histogram completion_us;
    histogram send_delay_us;
    histogram schedule_lag_us;
};

struct measured_mode {
    mode_result result;
    mode_histograms histograms;
};

// The order modes run in repetition `index` (1-based): `modes` as given in odd repetitions,
// reversed in even ones.
std::vector<mode> repetition_order(const std::vector<mode>& modes, int index);

// One mode's repetitions (at least one, in the order run) as one result: latency summaries
// from the merged histograms; counts summed (requests, errors, reconciliation, retries, stage
// tallies); availability and the error share over all the requests; rates, drain and the
// time to full completion as the median of the repetitions; scenario metrics the median; an
// invariant held only if it held in every repetition; valid only if every repetition was
// (each invalid reason prefixed with its repetition); the series, faults, fault windows, costs
// and step errors the first repetition's; `repetitions` one entry per run with every metric of
// the catalogue. With one repetition the result is that run's, with its one entry.
mode_result merge_repetitions(const std::vector<measured_mode>& runs);

// The repetitions' histograms merged (each view over all runs); `runs` not empty.
mode_histograms merge_histograms(const std::vector<measured_mode>& runs);

}  // namespace asyncbench
