// Writing result.json: see result_json.hpp.
#include <boost/json.hpp>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/core/mode.hpp"
#include "harness/result/json_text.hpp"
#include "harness/result/result_json.hpp"

namespace asyncbench {

namespace json = boost::json;

namespace {

// ---------------------------------------------------------------------------------------------
// Writing: build a boost::json::value in struct order, then print it with to_pretty_json
// (json_text.hpp), because Boost 1.81 has no pretty printer and writes doubles as "1.5E0".

json::value number_or_null(double v) {
    if (!std::isfinite(v)) return nullptr;
    return v;
}

json::array strings_to_json(const std::vector<std::string>& values) {
    json::array out;
    for (const auto& v : values) out.emplace_back(json::string_view(v));
    return out;
}

json::object string_map_to_json(const std::map<std::string, std::string>& values) {
    json::object out;
    for (const auto& [k, v] : values) out[k] = json::string_view(v);
    return out;
}

}  // namespace

// Without samples every percentile is null, never a 0 a reader could take for a measurement.
json::object latency_to_json(const latency_summary& l) {
    json::object o;
    o["count"] = l.count;
    if (l.count == 0) {
        for (const char* key : {"min", "p50", "p90", "p99", "p999", "max", "mean"}) {
            o[key] = nullptr;
        }
        return o;
    }
    o["min"] = number_or_null(l.min_us);
    o["p50"] = number_or_null(l.p50_us);
    o["p90"] = number_or_null(l.p90_us);
    o["p99"] = number_or_null(l.p99_us);
    o["p999"] = number_or_null(l.p999_us);
    o["max"] = number_or_null(l.max_us);
    o["mean"] = number_or_null(l.mean_us);
    return o;
}

json::object errors_to_json(const error_counts& e) {
    json::object o;
    o["connect"] = e.connect;
    o["timeout"] = e.timeout;
    o["io"] = e.io;
    o["status_4xx"] = e.status_4xx;
    o["status_5xx"] = e.status_5xx;
    o["status_503"] = e.status_503;
    return o;
}

namespace {

json::object call_to_json(const call_check& c) {
    json::object o;
    o["system"] = c.system;
    o["operation"] = c.operation;
    o["expected_calls"] = c.expected_calls;
    o["received_calls"] = c.received_calls;
    o["ids_with_duplicates"] = c.ids_with_duplicates;
    o["ids_missing"] = c.ids_missing;
    return o;
}

json::object reconciliation_to_json(const reconciliation_result& r) {
    json::object o;
    o["accepted"] = r.accepted;
    o["completed"] = r.completed;
    o["lost"] = r.lost;
    o["pending"] = r.pending;
    o["dead_lettered"] = r.dead_lettered;
    o["rejected"] = r.rejected;
    o["duplicate_effects"] = r.duplicate_effects;
    o["unacknowledged_processed"] = r.unacknowledged_processed;
    o["redeliveries_absorbed"] = r.redeliveries_absorbed;
    o["lost_ids"] = strings_to_json(r.lost_ids);
    json::object reasons;
    for (const auto& [reason, n] : r.lost_by_reason) reasons[reason] = n;
    o["lost_by_reason"] = std::move(reasons);
    json::array calls;
    for (const auto& c : r.calls) calls.emplace_back(call_to_json(c));
    o["calls"] = std::move(calls);
    return o;
}

json::object sample_to_json(const second_sample& s) {
    json::object o;
    o["t_s"] = s.t_s;
    o["sent"] = s.sent;
    o["ok"] = s.ok;
    o["errors"] = s.errors;
    o["p50_us"] = number_or_null(s.p50_us);
    o["p99_us"] = number_or_null(s.p99_us);
    o["backlog"] = s.backlog;
    return o;
}

json::value optional_number(const std::optional<double>& v) {
    if (!v) return nullptr;
    return number_or_null(*v);
}

json::value optional_count(const std::optional<std::uint64_t>& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

json::object fault_record_to_json(const fault_record& f) {
    json::object o;
    o["name"] = f.name;
    o["kind"] = f.kind;
    o["target"] = f.target;
    o["start_s"] = number_or_null(f.start_s);
    o["end_s"] = number_or_null(f.end_s);
    o["action"] = f.action;
    o["applied"] = f.applied;
    json::object calls;
    for (const auto& [operation, n] : f.calls_during) calls[operation] = n;
    o["calls_during"] = std::move(calls);
    o["deleted_unread_ids"] = strings_to_json(f.deleted_unread_ids);
    o["deleted_unread_messages"] = optional_count(f.deleted_unread_messages);
    return o;
}

json::object window_to_json(const window_stats& w) {
    json::object o;
    o["start_s"] = number_or_null(w.start_s);
    o["end_s"] = number_or_null(w.end_s);
    o["requests"] = w.requests;
    o["ok"] = w.ok;
    o["rejected_503"] = w.rejected_503;
    o["availability"] = w.requests == 0 ? json::value(nullptr) : number_or_null(w.availability);
    o["latency_all_us"] = latency_to_json(w.latency_all_us);
    o["latency_2xx_us"] = latency_to_json(w.latency_2xx_us);
    o["peak_backlog"] = w.peak_backlog;
    return o;
}

json::object fault_impact_to_json(const fault_impact& f) {
    json::object o;
    o["fault"] = f.fault;
    o["before"] = window_to_json(f.before);
    o["during"] = window_to_json(f.during);
    o["after"] = window_to_json(f.after);
    o["backlog_recovered_s"] = optional_number(f.backlog_recovered_s);
    o["latency_recovered_s"] = optional_number(f.latency_recovered_s);
    o["latency_reference"] = f.latency_reference;
    return o;
}

json::object part_cost_to_json(const part_cost& c) {
    json::array samples;
    for (const auto& s : c.samples) {
        samples.push_back(json::object{{"t_s", number_or_null(s.t_s)},
                                       {"rss_bytes", optional_count(s.rss_bytes)},
                                       {"threads", s.threads},
                                       {"fds", optional_count(s.fds)}});
    }
    return json::object{{"part", c.part},
                        {"cpu_s", number_or_null(c.cpu_s)},
                        {"peak_rss_bytes", optional_count(c.peak_rss_bytes)},
                        {"peak_threads", c.peak_threads},
                        {"peak_connections", optional_count(c.peak_connections)},
                        {"counted", c.counted},
                        {"peak_fds", optional_count(c.peak_fds)},
                        {"samples", std::move(samples)}};
}

json::object mode_to_json(const mode_result& m) {
    json::object o;
    o["mode"] = m.mode;
    o["api_latency_all_us"] = latency_to_json(m.api_latency_all_us);
    o["api_latency_2xx_us"] = latency_to_json(m.api_latency_2xx_us);
    o["completion_latency_us"] = latency_to_json(m.completion_latency_us);
    o["send_delay_us"] = latency_to_json(m.send_delay_us);
    o["schedule_lag_us"] = latency_to_json(m.schedule_lag_us);
    o["offered_per_s"] = number_or_null(m.offered_per_s);
    o["achieved_per_s"] = number_or_null(m.achieved_per_s);
    o["availability"] = number_or_null(m.availability);
    o["requests"] = m.requests;
    o["requests_all_phases"] = m.requests_all_phases;
    o["rejected"] = m.rejected;
    json::object retries;
    retries["max_attempts"] = m.retries.max_attempts;
    retries["attempts"] = m.retries.attempts;
    retries["retries"] = m.retries.retries;
    retries["requests_retried"] = m.retries.requests_retried;
    retries["exhausted"] = m.retries.exhausted;
    retries["refused_by_rate_cap"] = m.retries.refused_by_rate_cap;
    retries["most_attempts"] = m.retries.most_attempts;
    retries["amplification"] = number_or_null(m.retries.amplification);
    retries["retries_per_s"] = number_or_null(m.retries.retries_per_s);
    retries["answers_after_schedule_s"] = number_or_null(m.retries.answers_after_schedule_s);
    o["retries"] = std::move(retries);
    o["errors"] = errors_to_json(m.errors);
    o["reconciliation"] = reconciliation_to_json(m.reconciliation);
    o["drain_s"] = number_or_null(m.drain_s);
    o["time_to_full_completion_s"] = optional_number(m.time_to_full_completion_s);
    json::array series;
    for (const auto& s : m.series) series.emplace_back(sample_to_json(s));
    o["series"] = std::move(series);
    json::array faults;
    for (const auto& f : m.faults) faults.emplace_back(fault_record_to_json(f));
    o["faults"] = std::move(faults);
    json::array impacts;
    for (const auto& f : m.fault_impacts) impacts.emplace_back(fault_impact_to_json(f));
    o["fault_impacts"] = std::move(impacts);
    json::array step_errors;
    for (const auto& e : m.step_errors) {
        json::object one;
        one["stage"] = e.stage;
        one["step"] = e.step;
        one["error"] = e.error;
        one["example"] = e.example;
        one["count"] = e.count;
        step_errors.emplace_back(std::move(one));
    }
    o["step_errors"] = std::move(step_errors);
    o["warnings"] = strings_to_json(m.warnings);
    json::array stages;
    for (const auto& s : m.stages) {
        stages.emplace_back(json::object{{"stage", s.stage},
                                         {"finished", s.finished},
                                         {"attempts", s.attempts},
                                         {"retried", s.retried},
                                         {"rejected", s.rejected},
                                         {"dead_lettered", s.dead_lettered}});
    }
    o["stages"] = std::move(stages);
    json::array metrics;
    for (const auto& metric : m.metrics) {
        metrics.emplace_back(
            json::object{{"name", metric.name}, {"value", number_or_null(metric.value)}});
    }
    o["metrics"] = std::move(metrics);
    json::array invariants;
    for (const auto& i : m.invariants) {
        invariants.emplace_back(json::object{{"name", i.name},
                                             {"expected", i.expected},
                                             {"observed", i.observed},
                                             {"passed", i.passed},
                                             {"required", i.required}});
    }
    o["invariants"] = std::move(invariants);
    json::array cost;
    for (const auto& c : m.cost) cost.emplace_back(part_cost_to_json(c));
    o["cost"] = std::move(cost);
    o["cpu_s_per_1000_completed"] = optional_number(m.cpu_s_per_1000_completed);
    o["valid"] = m.valid;
    o["invalid_reasons"] = strings_to_json(m.invalid_reasons);
    json::array repetitions;
    for (const auto& rep : m.repetitions) {
        json::object metrics;
        for (const auto& [name, value] : rep.metrics) metrics[name] = value;
        repetitions.emplace_back(json::object{
            {"index", rep.index}, {"valid", rep.valid}, {"metrics", std::move(metrics)}});
    }
    o["repetitions"] = std::move(repetitions);
    return o;
}

json::object environment_to_json(const environment_info& e) {
    json::object o;
    o["asyncbench_version"] = e.asyncbench_version;
    o["git_commit"] = e.git_commit;
    o["host"] = e.host;
    o["cpu"] = e.cpu;
    o["cores"] = e.cores;
    o["os"] = e.os;
    o["libraries"] = string_map_to_json(e.libraries);
    o["broker_kind"] = e.broker_kind;
    o["broker_description"] = e.broker_description;
    o["bootstrap_servers"] = e.bootstrap_servers;
    o["redis"] = e.redis;
    o["database"] = e.database;
    o["started_at"] = e.started_at;
    return o;
}

json::object settings_to_json(const run_settings& s) {
    json::object o;
    o["load_model"] = s.load_model;
    o["rate_per_s"] = number_or_null(s.rate_per_s);
    o["users"] = s.users;
    o["warmup_s"] = number_or_null(s.warmup_s);
    o["duration_s"] = number_or_null(s.duration_s);
    if (s.requests) {
        o["requests"] = *s.requests;
    } else {
        o["requests"] = nullptr;
    }
    o["sync_worker_threads"] = s.sync_worker_threads;
    o["async_partitions"] = s.async_partitions;
    o["async_consumers_per_group"] = s.async_consumers_per_group;
    o["stages"] = strings_to_json(s.stages);
    o["async_worker_processes"] = s.async_worker_processes;
    o["producer_settings"] = string_map_to_json(s.producer_settings);
    o["consumer_settings"] = string_map_to_json(s.consumer_settings);
    o["repetitions"] = s.repetitions;
    return o;
}

json::object threshold_to_json(const threshold_check& c) {
    json::object o;
    o["threshold"] = c.threshold;
    o["mode"] = c.mode;
    o["metric"] = c.metric;
    o["during"] = c.during;
    o["op"] = c.op;
    o["bound"] = c.bound;
    o["observed"] = optional_number(c.observed);
    o["bound_text"] = c.bound_text;
    o["observed_text"] = c.observed_text;
    o["passed"] = c.passed;
    o["implicit"] = c.implicit;
    return o;
}

json::object capacity_ceiling_to_json(const capacity_ceiling& c) {
    return json::object{{"sustained_per_s", optional_number(c.sustained_per_s)},
                        {"failed_per_s", optional_number(c.failed_per_s)}};
}

json::object capacity_to_json(const capacity_result& c) {
    json::object o;
    o["precision"] = c.precision;
    o["max_per_s"] = c.max_per_s;
    o["step_warmup_s"] = c.step_warmup_s;
    o["step_duration_s"] = c.step_duration_s;
    json::array modes;
    for (const auto& m : c.modes) {
        modes.emplace_back(json::object{{"mode", m.mode},
                                        {"accepting", capacity_ceiling_to_json(m.accepting)},
                                        {"completing", capacity_ceiling_to_json(m.completing)},
                                        {"stop_reason", m.stop_reason}});
    }
    o["modes"] = std::move(modes);
    json::array steps;
    for (const auto& s : c.steps) {
        json::object step;
        step["mode"] = s.mode;
        step["index"] = s.index;
        step["offered_per_s"] = s.offered_per_s;
        step["achieved_per_s"] = s.achieved_per_s;
        step["api_latency_all_us"] = latency_to_json(s.api_latency_all_us);
        step["completion_latency_us"] = latency_to_json(s.completion_latency_us);
        step["error_rate"] = s.error_rate;
        step["schedule_lag_p99_us"] = s.schedule_lag_p99_us;
        step["backlog_growth_per_s"] = s.backlog_growth_per_s;
        step["accepting"] = s.accepting;
        step["completing"] = s.completing;
        step["generator_limited"] = s.generator_limited;
        step["valid"] = s.valid;
        step["reasons"] = strings_to_json(s.reasons);
        step["bottleneck"] = s.bottleneck;
        steps.emplace_back(std::move(step));
    }
    o["steps"] = std::move(steps);
    return o;
}

json::object result_to_object(const run_result& r) {
    json::object o;
    o["schema_version"] = r.schema_version;
    o["scenario"] = r.scenario;
    o["description"] = r.description;
    o["environment"] = environment_to_json(r.environment);
    o["settings"] = settings_to_json(r.settings);
    // Sync first: readers compare against the baseline, and a stable order keeps diffs small.
    json::object modes;
    std::vector<std::string> names;
    for (const auto& [name, m] : r.modes) names.push_back(name);
    for (const auto& name : in_report_order(names)) modes[name] = mode_to_json(r.modes.at(name));
    o["modes"] = std::move(modes);
    json::array thresholds;
    for (const auto& c : r.thresholds) thresholds.emplace_back(threshold_to_json(c));
    o["thresholds"] = std::move(thresholds);
    o["capacity"] = r.capacity ? json::value(capacity_to_json(*r.capacity)) : json::value(nullptr);
    o["valid"] = r.valid;
    return o;
}

}  // namespace

std::string result_to_json(const run_result& result) {
    std::string out = to_pretty_json(result_to_object(result));
    out += '\n';
    return out;
}

}  // namespace asyncbench
