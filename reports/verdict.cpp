#include "reports/verdict.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "harness/core/mode.hpp"
#include "reports/cost_report.hpp"
#include "reports/fault_report.hpp"
#include "reports/poll_report.hpp"
#include "reports/scenario_report.hpp"
#include "reports/threshold_report.hpp"
#include "reports/watch_report.hpp"

namespace asyncbench {

namespace {

// The two designs by name, from the mode table: the verdict compares the baseline (sync) with
// the Kafka pipeline (async).
const std::string sync_name = mode_name(mode::sync);
const std::string async_name = mode_name(mode::async);

// The mode's API answers only when the work is done (its latency is the completion latency).
bool answers_when_done(const std::string& name) {
    const auto m = mode_from_name(name);
    return m && traits_of(*m).answers_when_done;
}

// A mode kept up when it achieved this share of the offered rate...
constexpr double kept_up_rate_share = 0.95;
// ...and answered at least this share of its requests with 2xx.
constexpr double kept_up_availability = 0.99;
// Two latencies closer than this factor are reported as "about the same".
constexpr double same_factor = 1.1;

// fmt::join, as a std::string for concatenation.
std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    return fmt::format("{}", fmt::join(parts, sep));
}

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
    return format_count(n) + " " + std::string(n == 1 ? one : many);
}

// Whether a mode finished all the work it was given: every request it was sent (warm-up
// included) completed or was rejected as a business answer. Files older than schema 3 do not
// say how many were sent: there, the completed count stands for it.
bool finished_all(const mode_result& m) {
    return m.requests_all_phases == 0 ||
           m.reconciliation.completed + business_rejections(m) == m.requests_all_phases;
}

// Both modes did the same work: each finished everything it was sent, the same amount, and
// rejected the same number. Only then may a sentence compare their completion times or say one
// finished "sooner".
bool same_work(const mode_result& sync, const mode_result& async) {
    return finished_all(sync) && finished_all(async) &&
           sync.reconciliation.completed == async.reconciliation.completed &&
           business_rejections(sync) == business_rejections(async);
}

// "sync completed 7,216 of 20,000 requests (12,784 refused)".
std::string work_phrase(const std::string& name, const mode_result& m) {
    const auto& rec = m.reconciliation;
    const std::uint64_t sent = m.requests_all_phases == 0 ? rec.accepted : m.requests_all_phases;
    std::string text = fmt::format("{} completed {} of {} requests", name,
                                   format_count(rec.completed), format_count(sent));
    std::vector<std::string> missing;
    const std::uint64_t rejected = business_rejections(m);
    // Rejected before the answer (409) are not accepted; those after acceptance are.
    const std::uint64_t rejected_unaccepted = rejected - std::min(rejected, rec.rejected);
    if (rejected > 0) missing.push_back(format_count(rejected) + " rejected as business answers");
    if (sent > rec.accepted + rejected_unaccepted) {
        missing.push_back(format_count(sent - rec.accepted - rejected_unaccepted) + " refused");
    }
    if (rec.lost > 0) missing.push_back(format_count(rec.lost) + " lost");
    if (rec.dead_lettered > 0)
        missing.push_back(format_count(rec.dead_lettered) + " dead-lettered");
    if (rec.pending > 0) missing.push_back(format_count(rec.pending) + " still pending");
    if (!missing.empty()) text += " (" + join(missing, ", ") + ")";
    return text;
}

void safety_lines(const run_result& r, const std::vector<std::string>& modes,
                  std::vector<std::string>& lines) {
    std::vector<std::string> accepted;
    bool failed = false;
    for (const auto& name : modes) {
        const auto& rec = r.modes.at(name).reconciliation;
        accepted.push_back(name + " " + format_count(rec.accepted));
        if (rec.lost == 0 && rec.duplicate_effects == 0) continue;
        std::vector<std::string> parts;
        if (rec.lost > 0) {
            std::string lost = plural(rec.lost, "accepted request lost", "accepted requests lost");
            if (!rec.lost_ids.empty()) {
                const std::size_t shown = std::min<std::size_t>(rec.lost_ids.size(), 3);
                lost +=
                    " (first: " + join({rec.lost_ids.begin(), rec.lost_ids.begin() + shown}, ", ") +
                    ")";
            }
            // Why, most frequent reason first: "1,145 deleted before it was consumed (...)".
            std::vector<std::pair<std::uint64_t, std::string>> reasons;
            for (const auto& [reason, n] : rec.lost_by_reason) reasons.emplace_back(n, reason);
            std::sort(reasons.rbegin(), reasons.rend());
            std::vector<std::string> why;
            for (const auto& [n, reason] : reasons) why.push_back(format_count(n) + " " + reason);
            if (!why.empty()) lost += ": " + join(why, "; ");
            parts.push_back(lost);
        }
        if (rec.duplicate_effects > 0) {
            parts.push_back(plural(rec.duplicate_effects, "effect applied more than once",
                                   "effects applied more than once"));
        }
        lines.push_back(fmt::format("**Safety check failed ({}): {}.**", name, join(parts, "; ")));
        failed = true;
    }
    if (!failed) {
        lines.push_back(fmt::format(
            "Safety check passed: no accepted request was lost and no effect was applied twice "
            "(accepted: {}).",
            join(accepted, ", ")));
    }
}

void validity_lines(const run_result& r, const std::vector<std::string>& modes,
                    std::vector<std::string>& lines) {
    std::vector<std::string> reasons;
    bool any_invalid = !r.valid;
    for (const auto& name : modes) {
        const auto& m = r.modes.at(name);
        any_invalid = any_invalid || !m.valid;
        for (const auto& reason : m.invalid_reasons) reasons.push_back(name + ": " + reason);
    }
    if (!any_invalid) return;
    std::string line = "**The measurement is not trustworthy";
    if (!reasons.empty()) line += " (" + reasons.front();
    if (reasons.size() > 1) line += fmt::format("; {} more", reasons.size() - 1);
    if (!reasons.empty()) line += ")";
    line += ": treat the figures below as indicative only (exit 3).**";
    lines.push_back(line);
}

void scope_lines(const std::vector<std::string>& modes, bool has_sync, bool has_async,
                 std::vector<std::string>& lines) {
    if (has_sync && has_async) return;
    if (has_sync) {
        lines.push_back(
            "Only the sync baseline ran: these figures describe the synchronous system alone; "
            "no gain or loss from moving to Kafka can be concluded from this run.");
    } else if (has_async) {
        lines.push_back(
            "Only the async pipeline ran: without the sync baseline measured in the same run, "
            "no gain or loss against the synchronous system can be concluded.");
    } else {
        lines.push_back(
            fmt::format("Only {} ran: neither the sync baseline nor the async "
                        "pipeline, so no comparison can be drawn.",
                        join(modes, ", ")));
    }
}

// API latency in the all-answers view (errors and timeouts included, as wrk2 and vegeta
// count), with the 2xx view beside it where the two tell different stories.
void api_latency_lines(const run_result& r, const std::vector<std::string>& modes, bool has_sync,
                       bool has_async, std::vector<std::string>& lines) {
    const auto differs = [](const latency_summary& all, const latency_summary& ok) {
        return all.count > 0 && (ok.count == 0 || all.p99_us > ok.p99_us * same_factor ||
                                 ok.p99_us > all.p99_us * same_factor);
    };
    if (!(has_sync && has_async)) {
        for (const auto& name : modes) {
            const auto& m = r.modes.at(name);
            const auto& l = m.api_latency_all_us;
            if (l.count == 0) {
                lines.push_back(fmt::format("{} received no answer.", name));
                continue;
            }
            std::string line =
                fmt::format("{} API latency over all answers: p50 {} ms, p99 {} ms ({} answers)",
                            name, format_ms(l.p50_us), format_ms(l.p99_us), format_count(l.count));
            if (differs(l, m.api_latency_2xx_us)) {
                line += "; over 2xx answers only: p99 " +
                        format_latency_ms(m.api_latency_2xx_us, &latency_summary::p99_us,
                                          "none (no 2xx answer)") +
                        (m.api_latency_2xx_us.count == 0 ? "" : " ms");
            }
            lines.push_back(line + ".");
        }
        return;
    }
    const auto& sync = r.modes.at(sync_name);
    const auto& async = r.modes.at(async_name);
    const auto& s = sync.api_latency_all_us;
    const auto& a = async.api_latency_all_us;
    for (const auto* side : {&s, &a}) {
        if (side->count == 0) {
            lines.push_back(fmt::format("API latency cannot be compared: {} received no answer.",
                                        side == &s ? sync_name : async_name));
            return;
        }
    }
    std::string figures =
        fmt::format("sync {} ms, async {} ms; p50 sync {} ms, async {} ms", format_ms(s.p99_us),
                    format_ms(a.p99_us), format_ms(s.p50_us), format_ms(a.p50_us));
    if (differs(s, sync.api_latency_2xx_us) || differs(a, async.api_latency_2xx_us)) {
        figures += fmt::format(
            "; over 2xx answers only, p99 sync {}, async {}",
            format_latency_ms(sync.api_latency_2xx_us, &latency_summary::p99_us, "none"),
            format_latency_ms(async.api_latency_2xx_us, &latency_summary::p99_us, "none"));
    }
    const std::string view = "API p99 over all answers";
    // A fast refusal is not a fast answer: when either mode failed more than 1% of its
    // requests, "faster" would reward refusing. State the figures and the availabilities.
    if (sync.availability < kept_up_availability || async.availability < kept_up_availability) {
        lines.push_back(fmt::format(
            "{}: {}; not compared as faster or slower, because the modes did not answer the "
            "same share of requests 2xx (availability sync {}, async {}).",
            view, figures, format_percent(sync.availability), format_percent(async.availability)));
        return;
    }
    if (!(s.p99_us > 0 && a.p99_us > 0)) {
        lines.push_back(view + ": " + figures + ".");
    } else if (s.p99_us >= a.p99_us * same_factor) {
        lines.push_back(fmt::format(
            "Async answered {} faster at {} ({}). That is the time to the API's answer once the "
            "request is in Kafka, not to all the work being done.",
            format_ratio(s.p99_us / a.p99_us), view, figures));
    } else if (a.p99_us >= s.p99_us * same_factor) {
        lines.push_back(fmt::format("Sync answered {} faster at {} ({}).",
                                    format_ratio(a.p99_us / s.p99_us), view, figures));
    } else {
        lines.push_back(view + " is about the same in both modes (" + figures + ").");
    }
}

void keeping_up_lines(const run_result& r, const std::vector<std::string>& modes,
                      std::vector<std::string>& lines) {
    for (const auto& name : modes) {
        const auto& m = r.modes.at(name);
        const std::string avail = format_percent(m.availability);
        if (!(m.offered_per_s > 0)) {
            lines.push_back(fmt::format(
                "{}: no offered rate (closed-loop load); achieved {}/s, availability {}.", name,
                format_rate(m.achieved_per_s), avail));
            continue;
        }
        // Business rejections (409) are answers as designed: they count towards keeping up.
        const double rejected_per_s = m.requests > 0
                                          ? static_cast<double>(m.rejected) * m.offered_per_s /
                                                static_cast<double>(m.requests)
                                          : 0;
        const double answered_per_s = m.achieved_per_s + rejected_per_s;
        const double share = answered_per_s / m.offered_per_s;
        const bool kept_up = share >= kept_up_rate_share && m.availability >= kept_up_availability;
        lines.push_back(fmt::format(
            "{} API {} the offered rate: achieved {}{}/s of {}/s offered ({}{}), availability {}.",
            name, kept_up ? "kept up with" : "did not keep up with", kept_up ? "" : "only ",
            format_rate(answered_per_s), format_rate(m.offered_per_s), format_percent(share),
            m.rejected > 0
                ? fmt::format("; {}/s of them 409 business rejections", format_rate(rejected_per_s))
                : "",
            avail));
    }
}

void error_lines(const run_result& r, const std::vector<std::string>& modes,
                 std::vector<std::string>& lines) {
    for (const auto& name : modes) {
        const auto& m = r.modes.at(name);
        const auto& e = m.errors;
        if (e.total() == 0) continue;
        std::vector<std::string> parts;
        if (e.timeout > 0) parts.push_back(plural(e.timeout, "timeout", "timeouts"));
        if (e.connect > 0) {
            parts.push_back(plural(e.connect, "connection failure", "connection failures"));
        }
        if (e.io > 0) parts.push_back(plural(e.io, "I/O error", "I/O errors"));
        if (e.status_4xx > 0) parts.push_back(format_count(e.status_4xx) + " 4xx");
        if (e.status_5xx > 0) parts.push_back(format_count(e.status_5xx) + " 5xx");
        std::string line = fmt::format("{} errors: {} of {} measured requests", name,
                                       format_count(e.total()), format_count(m.requests));
        if (m.requests > 0) {
            line += " (" + format_percent(double(e.total()) / double(m.requests)) + ")";
        }
        line += ": " + join(parts, ", ") + ".";
        if (answers_when_done(name) && e.timeout + e.connect > 0) {
            const int threads = r.settings.sync_worker_threads;
            line += fmt::format(
                " Timeouts and refused connections are consistent with all {} being busy "
                "(thread exhaustion); the counts alone do not prove the cause.",
                threads > 0 ? fmt::format("{} worker threads", threads) : "worker threads");
        }
        lines.push_back(line);
    }
}

// One sentence per fault: what share of the answers during it was 2xx in each mode, and what
// each mode lost (over the whole run: losses cannot be attributed to one fault).
void fault_lines(const run_result& r, const std::vector<std::string>& modes,
                 std::vector<std::string>& lines) {
    for (std::size_t i = 0; i < fault_count(r); ++i) {
        const fault_record* first = representative_record(r, i);
        std::vector<std::string> parts;
        std::vector<std::string> lost;
        bool share_said = false;  // "answered P of requests 2xx" once, then just "async P"
        for (const auto& name : modes) {
            const auto& m = r.modes.at(name);
            if (i >= m.faults.size()) continue;
            const auto* impact = impact_of(m, i);
            if (!m.faults[i].applied) {
                parts.push_back("not applied to " + name);
                continue;
            }
            lost.push_back(name + " " + format_count(m.reconciliation.lost));
            if (impact == nullptr) {
                parts.push_back(name + " has no measurement of it");
            } else if (impact->during.requests == 0) {
                parts.push_back(name + " sent no request");
            } else if (!share_said) {
                parts.push_back(name + " answered " + format_percent(impact->during.availability) +
                                " of the requests sent in it 2xx");
                share_said = true;
            } else {
                parts.push_back(name + " " + format_percent(impact->during.availability));
            }
        }
        std::string line =
            fmt::format("During '{}' ({} s): {}", first->name,
                        format_seconds(first->end_s - first->start_s), join(parts, ", "));
        if (!lost.empty()) {
            line += "; accepted requests lost over the whole run: " + join(lost, ", ");
        }
        lines.push_back(line + ".");
    }
}

void completion_lines(const run_result& r, const std::vector<std::string>& modes, bool has_sync,
                      bool has_async, std::vector<std::string>& lines) {
    for (const auto& name : modes) {
        const auto& m = r.modes.at(name);
        if (m.completion_latency_us.count == 0) {
            if (m.reconciliation.accepted > 0) {
                lines.push_back(name + ": none of the measured accepted requests completed.");
            }
            continue;
        }
        if (answers_when_done(name)) continue;   // its API latency is the completion latency
        const auto& api = m.api_latency_2xx_us;  // the acknowledgements
        const auto& done = m.completion_latency_us;
        if (api.count > 0 && done.p50_us > api.p50_us * same_factor) {
            lines.push_back(fmt::format(
                "{} acknowledges in {} ms (p50) but the work completes only after {} ms (p50) / "
                "{} ms (p99): accepted is not done.",
                name, format_ms(api.p50_us), format_ms(done.p50_us), format_ms(done.p99_us)));
        }
    }
    if (!(has_sync && has_async)) return;
    const auto& sync = r.modes.at(sync_name);
    const auto& async = r.modes.at(async_name);
    const auto& s = sync.completion_latency_us;
    const auto& a = async.completion_latency_us;
    if (s.count == 0 || a.count == 0) return;
    const std::string figures =
        fmt::format("sync {} ms, async {} ms", format_ms(s.p99_us), format_ms(a.p99_us));
    if (!same_work(sync, async)) {
        // Percentiles over different success sets: no ratio, the work first.
        lines.push_back(
            fmt::format("Work completion cannot be compared like for like: {}; {}. Over what each "
                        "completed, p99 {}.",
                        work_phrase(sync_name, sync), work_phrase(async_name, async), figures));
        return;
    }
    if (s.p99_us > 0 && a.p99_us >= s.p99_us * same_factor) {
        lines.push_back(fmt::format("Work completion p99: {}: async completes work {} later.",
                                    figures, format_ratio(a.p99_us / s.p99_us)));
    } else if (a.p99_us > 0 && s.p99_us >= a.p99_us * same_factor) {
        lines.push_back(fmt::format("Work completion p99: {}: async completes work {} sooner.",
                                    figures, format_ratio(s.p99_us / a.p99_us)));
    } else {
        lines.push_back("Work completion p99: " + figures + ": about the same.");
    }
}

// What the callers' retries cost, per mode: the load they added at the front door, and the
// requests whose budget ran out.
void retry_lines(const run_result& r, const std::vector<std::string>& modes,
                 std::vector<std::string>& lines) {
    for (const auto& name : modes) {
        const auto& m = r.modes.at(name);
        const auto& t = m.retries;
        if (t.max_attempts <= 1) continue;
        if (t.retries == 0) {
            lines.push_back(fmt::format("{}: the callers (up to {} attempts) never had to retry.",
                                        name, t.max_attempts));
            continue;
        }
        std::string line = fmt::format(
            "{}: the callers retried {} requests {} times ({:.1f}/s; up to {} attempts each): "
            "{} attempts for {} requests, {} the load of the requests alone",
            name, format_count(t.requests_retried), format_count(t.retries), t.retries_per_s,
            t.most_attempts, format_count(t.attempts), format_count(m.requests),
            format_ratio(t.amplification));
        if (t.exhausted > 0) {
            line += fmt::format("; {} still failed after retrying", format_count(t.exhausted));
        }
        if (t.refused_by_rate_cap > 0) {
            line += fmt::format("; the retry-rate cap refused {} retries",
                                format_count(t.refused_by_rate_cap));
        }
        if (t.answers_after_schedule_s >= 1.0) {
            line += fmt::format("; the last answer came {} s after the last scheduled request",
                                format_seconds(t.answers_after_schedule_s));
        }
        lines.push_back(line + ".");
    }
}

void backlog_lines(const run_result& r, const std::vector<std::string>& modes,
                   std::vector<std::string>& lines) {
    for (const auto& name : modes) {
        const auto& m = r.modes.at(name);
        std::int64_t peak = 0;
        for (const auto& s : m.series) peak = std::max(peak, s.backlog);
        if (peak <= 0 && !(m.drain_s > 0)) continue;
        lines.push_back(fmt::format(
            "{} backlog (accepted, not yet completed) peaked at {}; after the load ended, "
            "finishing it took {} s.",
            name, format_count(static_cast<std::uint64_t>(peak)), format_seconds(m.drain_s)));
    }
}

void full_completion_lines(const run_result& r, const std::vector<std::string>& modes,
                           bool has_sync, bool has_async, std::vector<std::string>& lines) {
    const auto& stages = r.settings.stages;
    if (stages.size() < 2) return;
    std::vector<std::string> figures;
    for (const auto& name : modes) {
        const auto& t = r.modes.at(name).time_to_full_completion_s;
        figures.push_back(name + " " + (t ? format_seconds(*t) + " s" : "none completed"));
    }
    std::string line = fmt::format("Time to full completion across {} stages ({}): {}.",
                                   stages.size(), join(stages, ", "), join(figures, ", "));
    if (has_sync && has_async && !same_work(r.modes.at(sync_name), r.modes.at(async_name))) {
        // The time to finish part of the work says nothing against the time to finish all.
        line +=
            fmt::format(" Not comparable: {}; {}.", work_phrase(sync_name, r.modes.at(sync_name)),
                        work_phrase(async_name, r.modes.at(async_name)));
    } else if (has_sync && has_async) {
        const auto& sync = r.modes.at(sync_name);
        const auto& async = r.modes.at(async_name);
        const double s = sync.time_to_full_completion_s.value_or(0);
        const double a = async.time_to_full_completion_s.value_or(0);
        if (s > 0 && a > 0 && s >= a * same_factor) {
            line += " Async finished everything " + format_ratio(s / a) + " sooner.";
        } else if (s > 0 && a > 0 && a >= s * same_factor) {
            line += " Async finished everything " + format_ratio(a / s) + " later.";
        } else if (s > 0 && a > 0) {
            line += " Both finished everything in about the same time.";
        }
        // At what cost: the attempts the callers had to make for the same work.
        if (sync.retries.max_attempts > 1 || async.retries.max_attempts > 1) {
            const auto attempts = [](const mode_result& m) {
                return fmt::format("{} attempts ({})", format_count(m.retries.attempts),
                                   format_ratio(m.retries.amplification));
            };
            line += fmt::format(" The callers needed sync {}, async {} for {} measured requests.",
                                attempts(sync), attempts(async), format_count(sync.requests));
        }
    }
    lines.push_back(line);
}

void reconciliation_lines(const run_result& r, const std::vector<std::string>& modes,
                          std::vector<std::string>& lines) {
    for (const auto& name : modes) {
        const auto& rec = r.modes.at(name).reconciliation;
        if (rec.pending > 0) {
            lines.push_back(fmt::format(
                "{}: {} still in progress when the drain ended: neither lost nor done.", name,
                plural(rec.pending, "accepted request was", "accepted requests were")));
        }
        if (rec.dead_lettered > 0) {
            lines.push_back(fmt::format(
                "{}: {} dead-lettered (gave up after the last attempt): accepted but never done.",
                name, plural(rec.dead_lettered, "accepted request was", "accepted requests were")));
        }
        if (rec.unacknowledged_processed > 0) {
            lines.push_back(fmt::format(
                "{}: {} processed although the client saw no 2xx; a client retry would apply "
                "them twice.",
                name, plural(rec.unacknowledged_processed, "request was", "requests were")));
        }
        for (const auto& c : rec.calls) {
            if (c.ids_missing == 0 && c.ids_with_duplicates == 0) continue;
            lines.push_back(fmt::format(
                "{}: {}.{} received {} calls for {} expected; {} ids never reached it, {} reached "
                "it more than once.",
                name, c.system, c.operation, format_count(c.received_calls),
                format_count(c.expected_calls), format_count(c.ids_missing),
                format_count(c.ids_with_duplicates)));
        }
    }
}

}  // namespace

std::vector<std::string> report_modes(const run_result& result) {
    std::vector<std::string> names;
    for (const auto& [name, m] : result.modes) names.push_back(name);
    return in_report_order(names);
}

std::vector<std::string> verdict_lines(const run_result& result) {
    std::vector<std::string> lines;
    const auto modes = report_modes(result);
    if (modes.empty()) {
        lines.push_back("No mode ran: nothing can be concluded.");
        return lines;
    }
    const bool has_sync = result.modes.count(sync_name) != 0;
    const bool has_async = result.modes.count(async_name) != 0;
    safety_lines(result, modes, lines);
    validity_lines(result, modes, lines);
    scope_lines(modes, has_sync, has_async, lines);
    api_latency_lines(result, modes, has_sync, has_async, lines);
    keeping_up_lines(result, modes, lines);
    error_lines(result, modes, lines);
    fault_lines(result, modes, lines);
    retry_lines(result, modes, lines);
    completion_lines(result, modes, has_sync, has_async, lines);
    backlog_lines(result, modes, lines);
    full_completion_lines(result, modes, has_sync, has_async, lines);
    reconciliation_lines(result, modes, lines);
    for (auto& line : scenario_verdict_lines(result)) lines.push_back(std::move(line));
    for (auto& line : poll_verdict_lines(result)) lines.push_back(std::move(line));
    for (auto& line : watch_verdict_lines(result)) lines.push_back(std::move(line));
    for (auto& line : threshold_lines(result)) lines.push_back(std::move(line));
    for (auto& line : cost_verdict_lines(result)) lines.push_back(std::move(line));
    return lines;
}

}  // namespace asyncbench
