#include "harness/run/repetitions.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "harness/result/metric_catalog.hpp"
#include "harness/stats/latency_summary.hpp"
#include "harness/stats/mann_whitney.hpp"

namespace asyncbench {
namespace {

// The median over the repetitions of `field`, skipping repetitions that have no value.
template <typename Read>
std::optional<double> median_over(const std::vector<measured_mode>& runs, Read read) {
    std::vector<double> values;
    for (const auto& run : runs) {
        if (const std::optional<double> value = read(run.result)) values.push_back(*value);
    }
    if (values.empty()) return std::nullopt;
    return median(values);
}

void add_errors(error_counts& into, const error_counts& e) {
    into.connect += e.connect;
    into.timeout += e.timeout;
    into.io += e.io;
    into.status_4xx += e.status_4xx;
    into.status_5xx += e.status_5xx;
    into.status_503 += e.status_503;
}

void add_reconciliation(reconciliation_result& into, const reconciliation_result& r) {
    into.accepted += r.accepted;
    into.completed += r.completed;
    into.lost += r.lost;
    into.pending += r.pending;
    into.dead_lettered += r.dead_lettered;
    into.rejected += r.rejected;
    into.duplicate_effects += r.duplicate_effects;
    into.unacknowledged_processed += r.unacknowledged_processed;
    into.redeliveries_absorbed += r.redeliveries_absorbed;
    for (const auto& id : r.lost_ids) {
        if (into.lost_ids.size() < 10'000) into.lost_ids.push_back(id);
    }
    for (const auto& [reason, count] : r.lost_by_reason) into.lost_by_reason[reason] += count;
    for (const auto& call : r.calls) {
        auto same = std::find_if(into.calls.begin(), into.calls.end(), [&](const call_check& c) {
            return c.system == call.system && c.operation == call.operation;
        });
        if (same == into.calls.end()) {
            into.calls.push_back(call);
            continue;
        }
        same->expected_calls += call.expected_calls;
        same->received_calls += call.received_calls;
        same->ids_with_duplicates += call.ids_with_duplicates;
        same->ids_missing += call.ids_missing;
    }
}

void add_retries(retry_stats& into, const retry_stats& r) {
    into.attempts += r.attempts;
    into.retries += r.retries;
    into.requests_retried += r.requests_retried;
    into.exhausted += r.exhausted;
    into.refused_by_rate_cap += r.refused_by_rate_cap;
    into.most_attempts = std::max(into.most_attempts, r.most_attempts);
}

void add_stages(std::vector<stage_tally>& into, const std::vector<stage_tally>& stages) {
    for (const auto& stage : stages) {
        auto same = std::find_if(into.begin(), into.end(),
                                 [&](const stage_tally& s) { return s.stage == stage.stage; });
        if (same == into.end()) {
            into.push_back(stage);
            continue;
        }
        same->finished += stage.finished;
        same->attempts += stage.attempts;
        same->retried += stage.retried;
        same->rejected += stage.rejected;
        same->dead_lettered += stage.dead_lettered;
    }
}

// An invariant holds only if it held every time; the first failure's figures are shown.
void merge_invariants(std::vector<invariant_result>& into,
                      const std::vector<invariant_result>& invariants, int index) {
    for (const auto& invariant : invariants) {
        auto same = std::find_if(into.begin(), into.end(), [&](const invariant_result& i) {
            return i.name == invariant.name;
        });
        if (same == into.end()) {
            into.push_back(invariant);
            continue;
        }
        if (same->passed && !invariant.passed) {
            same->passed = false;
            same->observed = fmt::format("repetition {}: {}", index, invariant.observed);
        }
    }
}

}  // namespace

std::vector<mode> repetition_order(const std::vector<mode>& modes, int index) {
    std::vector<mode> order = modes;
    if (index % 2 == 0) std::reverse(order.begin(), order.end());
    return order;
}

mode_result merge_repetitions(const std::vector<measured_mode>& runs) {
    if (runs.empty()) throw std::invalid_argument("merge_repetitions: no repetition");
    mode_result merged = runs.front().result;
    merged.repetitions.clear();
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto& r = runs[i].result;
        merged.repetitions.push_back({static_cast<int>(i) + 1, r.valid, mode_scalars(r)});
    }
    if (runs.size() == 1) return merged;

    const mode_histograms all = merge_histograms(runs);
    merged.api_latency_all_us = summarize(all.api_all_us);
    merged.api_latency_2xx_us = summarize(all.api_2xx_us);
    merged.completion_latency_us = summarize(all.completion_us);
    merged.send_delay_us = summarize(all.send_delay_us);
    merged.schedule_lag_us = summarize(all.schedule_lag_us);

    double answered_as_designed = 0;
    merged.requests = 0;
    merged.requests_all_phases = 0;
    merged.rejected = 0;
    merged.errors = {};
    merged.reconciliation = {};
    merged.retries.attempts = merged.retries.retries = merged.retries.requests_retried = 0;
    merged.retries.exhausted = merged.retries.refused_by_rate_cap = 0;
    merged.retries.most_attempts = 0;
    merged.stages.clear();
    merged.invariants.clear();
    merged.invalid_reasons.clear();
    merged.valid = true;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto& r = runs[i].result;
        const int index = static_cast<int>(i) + 1;
        answered_as_designed += r.availability * static_cast<double>(r.requests);
        merged.requests += r.requests;
        merged.requests_all_phases += r.requests_all_phases;
        merged.rejected += r.rejected;
        add_errors(merged.errors, r.errors);
        add_reconciliation(merged.reconciliation, r.reconciliation);
        add_retries(merged.retries, r.retries);
        add_stages(merged.stages, r.stages);
        merge_invariants(merged.invariants, r.invariants, index);
        merged.valid = merged.valid && r.valid;
        for (const auto& reason : r.invalid_reasons) {
            merged.invalid_reasons.push_back(fmt::format("repetition {}: {}", index, reason));
        }
    }
    merged.availability =
        merged.requests > 0 ? answered_as_designed / static_cast<double>(merged.requests) : 0;
    if (merged.retries.attempts > 0 && merged.requests > 0) {
        merged.retries.amplification =
            static_cast<double>(merged.retries.attempts) / static_cast<double>(merged.requests);
    }
    merged.offered_per_s = *median_over(runs, [](const mode_result& r) { return r.offered_per_s; });
    merged.achieved_per_s =
        *median_over(runs, [](const mode_result& r) { return r.achieved_per_s; });
    merged.drain_s = *median_over(runs, [](const mode_result& r) { return r.drain_s; });
    merged.retries.retries_per_s =
        *median_over(runs, [](const mode_result& r) { return r.retries.retries_per_s; });
    merged.time_to_full_completion_s =
        median_over(runs, [](const mode_result& r) { return r.time_to_full_completion_s; });
    merged.cpu_s_per_1000_completed =
        median_over(runs, [](const mode_result& r) { return r.cpu_s_per_1000_completed; });
    for (auto& metric : merged.metrics) {
        metric.value = *median_over(runs, [&](const mode_result& r) -> std::optional<double> {
            for (const auto& m : r.metrics) {
                if (m.name == metric.name) return m.value;
            }
            return std::nullopt;
        });
    }
    merged.warnings.push_back(fmt::format(
        "{} repetitions: latencies from their merged histograms, counts summed, rates and "
        "scenario metrics their median; the per-second series, faults and costs are the "
        "first repetition's",
        runs.size()));
    return merged;
}

mode_histograms merge_histograms(const std::vector<measured_mode>& runs) {
    mode_histograms all = runs.front().histograms;
    for (std::size_t i = 1; i < runs.size(); ++i) {
        const auto& h = runs[i].histograms;
        all.api_all_us.merge(h.api_all_us);
        all.api_2xx_us.merge(h.api_2xx_us);
        all.completion_us.merge(h.completion_us);
        all.send_delay_us.merge(h.send_delay_us);
        all.schedule_lag_us.merge(h.schedule_lag_us);
    }
    return all;
}

}  // namespace asyncbench
