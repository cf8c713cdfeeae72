#include "harness/capacity/step_judgement.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

#include "harness/result/threshold_checks.hpp"

namespace asyncbench {
namespace {

// The share of a step's requests that makes a kind of failure evidence for the bottleneck
// heuristics (the default error budget): a handful of stray timeouts must not be named as the
// culprit of a step that failed for another reason.
constexpr double notable_share = 0.01;

// Thresholds on these metrics judge whether the work completed; all others whether the API
// kept up.
bool is_completing_metric(std::string_view metric) {
    return metric.starts_with("completion_") || metric == "drain_s" ||
           metric == "time_to_full_completion_s" || metric == "peak_backlog";
}

// The least-squares line through (t_s, backlog) over the measured seconds.
struct backlog_fit {
    double slope_per_s = 0;
    double standard_error = 0;  // of the slope; 0 with two points (a line fits them exactly)
    std::size_t seconds = 0;
    std::int64_t first = 0;  // the backlog at the earliest and the latest measured second
    std::int64_t last = 0;
};

std::optional<backlog_fit> fit_backlog(const std::vector<second_sample>& series, double warmup_s,
                                       double duration_s) {
    std::vector<const second_sample*> measured;
    for (const auto& s : series) {
        const auto t = static_cast<double>(s.t_s);
        if (t >= warmup_s && t < warmup_s + duration_s) measured.push_back(&s);
    }
    if (measured.size() < 2) return std::nullopt;
    std::sort(measured.begin(), measured.end(),
              [](const auto* a, const auto* b) { return a->t_s < b->t_s; });
    const auto n = static_cast<double>(measured.size());
    double mean_t = 0, mean_b = 0;
    for (const auto* s : measured) {
        mean_t += static_cast<double>(s->t_s) / n;
        mean_b += static_cast<double>(s->backlog) / n;
    }
    double sxx = 0, sxy = 0;
    for (const auto* s : measured) {
        const double dt = static_cast<double>(s->t_s) - mean_t;
        sxx += dt * dt;
        sxy += dt * (static_cast<double>(s->backlog) - mean_b);
    }
    if (sxx <= 0) return std::nullopt;  // every sample in the same second
    backlog_fit fit;
    fit.slope_per_s = sxy / sxx;
    fit.seconds = measured.size();
    fit.first = measured.front()->backlog;
    fit.last = measured.back()->backlog;
    if (measured.size() > 2) {
        double residuals = 0;
        for (const auto* s : measured) {
            const double predicted =
                mean_b + fit.slope_per_s * (static_cast<double>(s->t_s) - mean_t);
            const double r = static_cast<double>(s->backlog) - predicted;
            residuals += r * r;
        }
        fit.standard_error = std::sqrt(residuals / (n - 2) / sxx);
    }
    return fit;
}

bool names_thread_exhaustion(const std::string& warning) {
    for (const std::string_view words : {"thread exhaustion", "threads were busy", "worker pool"}) {
        if (warning.find(words) != std::string::npos) return true;
    }
    return false;
}

// What the rules found, for the bottleneck heuristics.
struct evidence {
    bool api_failed = false;   // a rule of the accepting side failed
    bool work_failed = false;  // a rule of the completing side failed
    bool generator_limited = false;
    double lag_p99_us = 0;
    double lag_bound_us = 0;
    std::optional<double> backlog_growth_per_s;  // set when the backlog rule failed
};

std::string bottleneck_of(mode which, const mode_result& step, const evidence& found) {
    if (found.generator_limited) {
        return fmt::format("the generator: schedule lag p99 {:.2f} ms over {:.2f} ms",
                           found.lag_p99_us / 1000.0, found.lag_bound_us / 1000.0);
    }
    const auto& reconciliation = step.reconciliation;
    if (reconciliation.lost > 0) {
        const auto top = std::max_element(
            reconciliation.lost_by_reason.begin(), reconciliation.lost_by_reason.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
        if (top == reconciliation.lost_by_reason.end()) {
            return fmt::format("lost requests: {}", reconciliation.lost);
        }
        return fmt::format("lost requests: {} ({} {})", reconciliation.lost, top->second,
                           top->first);
    }
    const double requests = static_cast<double>(std::max<std::uint64_t>(step.requests, 1));
    const auto percent = [&](std::uint64_t n) { return 100.0 * static_cast<double>(n) / requests; };
    const auto notable = [&](std::uint64_t n) {
        return n > 0 && static_cast<double>(n) >= notable_share * requests;
    };
    const bool answers_when_done = traits_of(which).answers_when_done;
    const auto top_error =
        std::max_element(step.step_errors.begin(), step.step_errors.end(),
                         [](const auto& a, const auto& b) { return a.count < b.count; });
    const bool dependency_failing =
        top_error != step.step_errors.end() && notable(top_error->count);
    const auto dependency = [&] {
        return fmt::format("a dependency failing: '{}' x{} (stage '{}', step '{}')",
                           top_error->error, top_error->count, top_error->stage, top_error->step);
    };

    if (found.api_failed) {
        const auto& warnings = step.warnings;
        if (std::any_of(warnings.begin(), warnings.end(), names_thread_exhaustion)) {
            return fmt::format("the API's worker pool: all threads busy, {} answers 503 ({:.1f}%)",
                               step.errors.status_503, percent(step.errors.status_503));
        }
        if (step.errors.status_503 > 0) {
            // Without thread exhaustion, a sync 503 is the accept queue refusing; an async one
            // is the producer's queue full or the broker not storing the request.
            return fmt::format("{}: {} answers 503 ({:.1f}%)",
                               answers_when_done
                                   ? "the API's accept queue (backpressure)"
                                   : "the API's producer or the broker (backpressure)",
                               step.errors.status_503, percent(step.errors.status_503));
        }
        if (dependency_failing) return dependency();
        if (notable(step.errors.timeout)) {
            return fmt::format("the API: {} requests timed out ({:.1f}%)", step.errors.timeout,
                               percent(step.errors.timeout));
        }
    }
    // Stages: inline in a sync API (they slow its answers), behind Kafka otherwise (they slow
    // only the completion), so an async API-side failure is not blamed on them.
    if (!found.work_failed && !answers_when_done) return "unknown: see the step's report";
    if (dependency_failing) return dependency();
    const std::string_view stage_owner = answers_when_done ? "stage" : "the consumers of stage";
    const auto most_dead = std::max_element(
        step.stages.begin(), step.stages.end(),
        [](const auto& a, const auto& b) { return a.dead_lettered < b.dead_lettered; });
    if (most_dead != step.stages.end() && most_dead->dead_lettered > 0) {
        return fmt::format("{} '{}': {} dead letters", stage_owner, most_dead->stage,
                           most_dead->dead_lettered);
    }
    // Attempts beyond one per finished request: the stage that retried most.
    const auto extra = [](const stage_tally& s) {
        return s.attempts > s.finished ? s.attempts - s.finished : 0;
    };
    const auto most_retried =
        std::max_element(step.stages.begin(), step.stages.end(),
                         [&](const auto& a, const auto& b) { return extra(a) < extra(b); });
    if (most_retried != step.stages.end() && extra(*most_retried) > 0) {
        return fmt::format("{} '{}': {} attempts for {} finished", stage_owner, most_retried->stage,
                           most_retried->attempts, most_retried->finished);
    }
    if (found.backlog_growth_per_s) {
        return fmt::format("{}: the backlog grew {:.1f}/s",
                           answers_when_done ? "the API's threads or its pollers" : "the consumers",
                           *found.backlog_growth_per_s);
    }
    return "unknown: see the step's report";
}

}  // namespace

double backlog_growth_per_s(const std::vector<second_sample>& series, double warmup_s,
                            double duration_s) {
    const auto fit = fit_backlog(series, warmup_s, duration_s);
    return fit ? fit->slope_per_s : 0.0;
}

std::string step_rate_text(double per_s) {
    if (!std::isfinite(per_s)) return "n/a";
    if (std::fabs(per_s) >= 100) return fmt::format("{:.0f}/s", per_s);
    return fmt::format("{:.3g}/s", per_s);
}

step_judgement judge_step(mode which, double offered_per_s, const mode_result& step,
                          const std::vector<threshold_spec>& thresholds, const step_limits& limits,
                          double warmup_s, double duration_s) {
    step_judgement judgement;
    evidence found;
    const auto fail_api = [&](std::string reason) {
        found.api_failed = true;
        judgement.reasons.push_back(std::move(reason));
    };
    const auto fail_work = [&](std::string reason) {
        found.work_failed = true;
        judgement.reasons.push_back(std::move(reason));
    };

    // The generator first: when it fell behind, the load was not the one asked for.
    const double interval_us = offered_per_s > 0 ? 1e6 / offered_per_s : 0;
    found.lag_bound_us = std::max(static_cast<double>(limits.min_lag_bound.count()),
                                  limits.lag_share_of_interval * interval_us);
    found.lag_p99_us = step.schedule_lag_us.p99_us;
    if (step.schedule_lag_us.count > 0 && found.lag_p99_us > found.lag_bound_us) {
        found.generator_limited = true;
        judgement.reasons.push_back(fmt::format(
            "the generator fell behind: schedule lag p99 {:.2f} ms, over its bound of {:.2f} ms "
            "(the larger of {:.2f} ms and {:.3g}% of the {:.2f} ms between sends at {})",
            found.lag_p99_us / 1000.0, found.lag_bound_us / 1000.0,
            static_cast<double>(limits.min_lag_bound.count()) / 1000.0,
            limits.lag_share_of_interval * 100, interval_us / 1000.0,
            step_rate_text(offered_per_s)));
    }

    if (step.requests == 0) {
        fail_api("no measured requests were sent");
    } else {
        const double requests = static_cast<double>(step.requests);
        // A 409 is the workflow's correct answer (out of stock): it counts as achieved work.
        const double answered_per_s =
            step.achieved_per_s + offered_per_s * static_cast<double>(step.rejected) / requests;
        if (answered_per_s < limits.min_achieved_share * offered_per_s) {
            fail_api(fmt::format("achieved {:.1f}/s of {} ({:.1f}%{})", answered_per_s,
                                 step_rate_text(offered_per_s),
                                 100.0 * answered_per_s / offered_per_s,
                                 step.rejected > 0 ? ", 409 answers included" : ""));
        }
        const bool error_rate_threshold =
            std::any_of(thresholds.begin(), thresholds.end(), [&](const threshold_spec& t) {
                return t.metric == "error_rate" && t.during.empty() &&
                       (!t.only || *t.only == which);
            });
        const auto errors = step.errors.total();
        const double error_rate = static_cast<double>(errors) / requests;
        if (!error_rate_threshold && error_rate > limits.max_error_rate) {
            fail_api(fmt::format("errors {:.2f}% of answers ({} of {}), over {:.3g}%",
                                 100.0 * error_rate, errors, step.requests,
                                 limits.max_error_rate * 100));
        }
    }
    if (step.reconciliation.lost > 0) {
        fail_api(fmt::format("lost {} accepted requests", step.reconciliation.lost));
    }

    run_result alone;
    alone.modes.emplace(mode_name(which), step);
    for (const auto& check : evaluate_thresholds(thresholds, alone)) {
        if (check.implicit || check.passed) continue;
        auto reason =
            fmt::format("threshold '{}' missed: {}", check.threshold, check.observed_text);
        if (is_completing_metric(check.metric)) {
            fail_work(std::move(reason));
        } else {
            fail_api(std::move(reason));
        }
    }

    if (const auto fit = fit_backlog(step.series, warmup_s, duration_s); fit && fit->seconds >= 3) {
        const double bound = limits.max_backlog_growth_share * offered_per_s;
        if (fit->slope_per_s > bound + limits.backlog_noise_sigmas * fit->standard_error) {
            found.backlog_growth_per_s = fit->slope_per_s;
            fail_work(fmt::format(
                "the backlog grew {:.1f}/s through {} measured seconds ({} to {}), over {:.1f}/s "
                "({:.3g}% of {})",
                fit->slope_per_s, fit->seconds, fit->first, fit->last, bound,
                limits.max_backlog_growth_share * 100, step_rate_text(offered_per_s)));
        }
    }

    // A drain that timed out (or a part of the harness that died) leaves the work unproven. A
    // generator that fell behind also makes the run invalid; it is said above already.
    if (!step.valid && !found.generator_limited) {
        for (const auto& reason : step.invalid_reasons) fail_work("not a valid run: " + reason);
        if (step.invalid_reasons.empty()) fail_work("not a valid run");
    }

    const bool one_judgement = traits_of(which).answers_when_done;
    judgement.generator_limited = found.generator_limited;
    judgement.accepting =
        !found.generator_limited && !found.api_failed && !(one_judgement && found.work_failed);
    judgement.completing = judgement.accepting && !found.work_failed;
    if (!judgement.completing) judgement.bottleneck = bottleneck_of(which, step, found);
    return judgement;
}

}  // namespace asyncbench
