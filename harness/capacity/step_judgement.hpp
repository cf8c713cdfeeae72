#pragma once
// Whether one fixed-rate step of `asyncbench capacity` was sustainable, judged from its
// mode_result alone: the API kept up (accepting), the work kept up too (completing), or the
// generator fell behind and the step says nothing about the system. Pure: the command runs the
// step and hands its result here, so every rule is tested with made-up results. Thread-safe (no
// state).
#include <chrono>
#include <string>
#include <vector>

#include "harness/config/threshold.hpp"
#include "harness/core/mode.hpp"
#include "harness/result/run_result.hpp"

namespace asyncbench {

struct step_limits {
    // Achieved (2xx, plus 409 business answers: correct answers too) >= this share of offered.
    double min_achieved_share = 0.95;
    // Errors over all answers (metric `error_rate`) at most this share, unless a threshold on
    // error_rate applies to the mode: then the threshold decides instead.
    double max_error_rate = 0.01;
    // The generator must keep its schedule: schedule lag p99 (mode_result::schedule_lag_us) at
    // most max(min_lag_bound, lag_share_of_interval x the inter-arrival time 1/offered).
    std::chrono::microseconds min_lag_bound{5000};
    double lag_share_of_interval = 0.10;
    // The backlog (mode_result::series[].backlog, one sample a second) must not grow through the
    // measured phase: a least-squares slope above max_backlog_growth_share x offered (per
    // second) means the work did not keep up with the load.
    double max_backlog_growth_share = 0.01;
    // ...and above it by more than this many standard errors of the slope. At low rates the
    // backlog is a handful of requests in flight that comes and goes (Little's law: rate x
    // latency), and a bare slope over 20 such samples exceeds 1% of a 10/s offer by chance in a
    // few steps in a hundred; a backlog that really grows is a straight line and passes this
    // at once. 0: the bare slope rule.
    double backlog_noise_sigmas = 2.0;
};

struct step_judgement {
    // The API kept up: achieved, errors, the generator on schedule, nothing lost, and every
    // threshold on the API side (all but the completing ones below) held.
    bool accepting = false;
    // Accepting, and the work kept up too: the backlog did not grow, the run was valid (its
    // drain finished), and every threshold held, the completing ones too (`completion_*`,
    // `drain_s`, `time_to_full_completion_s`, `peak_backlog`). In a mode that answers when
    // the work is done (sync) there is one judgement: accepting == completing, all rules.
    bool completing = false;
    // The generator fell behind its schedule: the step says nothing about the system (both
    // judgements are false, and a search must count it as neither good nor bad).
    bool generator_limited = false;
    // Why not, one phrase each, with figures ("achieved 171.2/s of 200/s (85.6%)").
    std::vector<std::string> reasons;
    // What a step that was not sustainable (not completing) points at, as a short phrase with
    // the figure behind it ("the API's worker pool: 1234 answers 503 (12.3% of requests)");
    // "unknown: see the step's report" when nothing in the result points anywhere; empty when
    // the step was sustainable.
    std::string bottleneck;
};

// Judges one step of mode `which` offered at `offered_per_s` (> 0; the rate the step was asked
// to run). `thresholds` as the scenario or the command line gave them (harness/config/
// threshold.hpp); those naming the other mode are ignored, and the implicit checks (lost,
// duplicate_effects, broken_invariants) are not sustainability rules, except that a step that
// lost accepted requests is not sustainable at all. `warmup_s` and `duration_s` place the
// measured phase on the series' axis: the seconds with t_s in [warmup_s, warmup_s +
// duration_s). The backlog rule needs at least 3 measured seconds; with fewer it is not applied.
step_judgement judge_step(mode which, double offered_per_s, const mode_result& step,
                          const std::vector<threshold_spec>& thresholds, const step_limits& limits,
                          double warmup_s, double duration_s);

// The least-squares slope of the backlog, requests per second, over the measured seconds of
// `series` (t_s in [warmup_s, warmup_s + duration_s)); 0 with fewer than two such seconds.
double backlog_growth_per_s(const std::vector<second_sample>& series, double warmup_s,
                            double duration_s);

// A step's rate as the judgement's and the search's phrases write it: "200/s", "17.5/s",
// "0.25/s" (whole numbers from 100/s up, else 3 significant digits).
std::string step_rate_text(double per_s);

}  // namespace asyncbench
