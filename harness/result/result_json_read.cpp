// Reading result.json: see result_json.hpp.
#include <fmt/format.h>

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

#include "harness/result/json_text.hpp"
#include "harness/result/metric_catalog.hpp"
#include "harness/result/result_json.hpp"

namespace asyncbench {

namespace json = boost::json;

namespace {

// ---------------------------------------------------------------------------------------------
// Reading: parse_json_exact (json_text.hpp) gives the document with exact doubles; the readers
// below map it onto run_result.

struct schema_error {
    std::string message;
};

// Reads one JSON object, naming fields by their dotted path in every error.
class object_reader {
  public:
    object_reader(const json::value& v, std::string path) : path_(std::move(path)) {
        if (!v.is_object()) fail(path_.empty() ? "document" : path_, "expected an object");
        object_ = &v.get_object();
    }

    const json::value& at(std::string_view key) const {
        const auto* v = object_->if_contains(key);
        if (v == nullptr) fail(name(key), "missing field");
        return *v;
    }
    std::string name(std::string_view key) const {
        return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    }

    object_reader object(std::string_view key) const { return {at(key), name(key)}; }
    const json::array& array(std::string_view key) const {
        const auto& v = at(key);
        if (!v.is_array()) fail(name(key), "expected an array");
        return v.get_array();
    }
    std::string string(std::string_view key) const { return string_of(at(key), name(key)); }
    bool boolean(std::string_view key) const {
        const auto& v = at(key);
        if (!v.is_bool()) fail(name(key), "expected true or false");
        return v.get_bool();
    }
    std::uint64_t u64(std::string_view key) const { return u64_of(at(key), name(key)); }
    std::int64_t i64(std::string_view key) const {
        const auto& v = at(key);
        if (v.is_int64()) return v.get_int64();
        if (v.is_uint64() && v.get_uint64() <= std::uint64_t(INT64_MAX)) {
            return static_cast<std::int64_t>(v.get_uint64());
        }
        fail(name(key), "expected a signed 64-bit integer");
    }
    int i32(std::string_view key) const {
        const auto n = i64(key);
        if (n < std::numeric_limits<int>::min() || n > std::numeric_limits<int>::max()) {
            fail(name(key), "integer out of range");
        }
        return static_cast<int>(n);
    }
    // A double may have been written as an integer by another tool; null stands for NaN.
    double number(std::string_view key) const {
        const auto& v = at(key);
        if (v.is_double()) return v.get_double();
        if (v.is_int64()) return static_cast<double>(v.get_int64());
        if (v.is_uint64()) return static_cast<double>(v.get_uint64());
        if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
        fail(name(key), "expected a number");
    }
    std::vector<std::string> strings(std::string_view key) const {
        std::vector<std::string> out;
        const auto& a = array(key);
        for (std::size_t i = 0; i < a.size(); ++i) {
            out.push_back(string_of(a[i], name(key) + "[" + std::to_string(i) + "]"));
        }
        return out;
    }
    // null stands for "none" (and so does a non-finite double, written as null).
    std::optional<double> optional_number(std::string_view key) const {
        if (at(key).is_null()) return std::nullopt;
        return number(key);
    }
    std::optional<std::uint64_t> optional_u64(std::string_view key) const {
        if (at(key).is_null()) return std::nullopt;
        return u64(key);
    }
    std::map<std::string, std::uint64_t> u64_map(std::string_view key) const {
        std::map<std::string, std::uint64_t> out;
        const auto o = object(key);
        for (const auto& kv : *o.object_) {
            out[std::string(kv.key())] = u64_of(kv.value(), o.name(kv.key()));
        }
        return out;
    }
    std::map<std::string, std::string> string_map(std::string_view key) const {
        std::map<std::string, std::string> out;
        const auto o = object(key);
        for (const auto& kv : *o.object_) {
            out[std::string(kv.key())] = string_of(kv.value(), o.name(kv.key()));
        }
        return out;
    }
    const json::object& raw() const { return *object_; }

    [[noreturn]] static void fail(const std::string& where, std::string_view what) {
        throw schema_error{where + ": " + std::string(what)};
    }

  private:
    static std::string string_of(const json::value& v, const std::string& where) {
        if (!v.is_string()) fail(where, "expected a string");
        return std::string(v.get_string());
    }
    static std::uint64_t u64_of(const json::value& v, const std::string& where) {
        if (v.is_uint64()) return v.get_uint64();
        if (v.is_int64() && v.get_int64() >= 0) return static_cast<std::uint64_t>(v.get_int64());
        fail(where, "expected a non-negative integer");
    }

    const json::object* object_ = nullptr;
    std::string path_;
};

latency_summary read_latency(const object_reader& o) {
    latency_summary l;
    l.count = o.u64("count");
    if (l.count == 0) return l;  // percentiles are null (version 3) or 0 (older): no samples
    l.min_us = o.number("min");
    l.p50_us = o.number("p50");
    l.p90_us = o.number("p90");
    l.p99_us = o.number("p99");
    l.p999_us = o.number("p999");
    l.max_us = o.number("max");
    l.mean_us = o.number("mean");
    return l;
}

// Keys added in version 2 are read only from version-2 files; a version-1 file leaves them at
// their defaults (no faults, zero counts), which is what a run without those features records.
struct version_info {
    int version = result_schema_version;
    bool has_v2() const { return version >= 2; }
    // Version 3: two API latency views, send-time fault windows, step errors, schedule lag.
    bool has_v3() const { return version >= 3; }
    // Version 4: business rejections, per-stage tallies, scenario metrics and invariants, Redis.
    bool has_v4() const { return version >= 4; }
    // Version 5: what each part of the system cost (CPU, memory, threads, connections).
    bool has_v5() const { return version >= 5; }
    // Version 6: thresholds (instead of `slo`), repetitions and their metrics.
    bool has_v6() const { return version >= 6; }
    // Version 7: what `asyncbench capacity` found.
    bool has_v7() const { return version >= 7; }
    // Version 8: each cost part's peak descriptors and resource samples (soak runs).
    bool has_v8() const { return version >= 8; }
};

error_counts read_errors(const object_reader& o, version_info v) {
    error_counts e;
    e.connect = o.u64("connect");
    e.timeout = o.u64("timeout");
    e.io = o.u64("io");
    e.status_4xx = o.u64("status_4xx");
    e.status_5xx = o.u64("status_5xx");
    if (v.has_v2()) e.status_503 = o.u64("status_503");
    return e;
}

reconciliation_result read_reconciliation(const object_reader& o, version_info v) {
    reconciliation_result r;
    r.accepted = o.u64("accepted");
    r.completed = o.u64("completed");
    r.lost = o.u64("lost");
    r.pending = o.u64("pending");
    r.dead_lettered = o.u64("dead_lettered");
    if (v.has_v4()) r.rejected = o.u64("rejected");
    r.duplicate_effects = o.u64("duplicate_effects");
    r.unacknowledged_processed = o.u64("unacknowledged_processed");
    if (v.has_v2()) r.redeliveries_absorbed = o.u64("redeliveries_absorbed");
    r.lost_ids = o.strings("lost_ids");
    if (v.has_v3()) r.lost_by_reason = o.u64_map("lost_by_reason");
    const auto& calls = o.array("calls");
    for (std::size_t i = 0; i < calls.size(); ++i) {
        const object_reader c(calls[i], o.name("calls") + "[" + std::to_string(i) + "]");
        call_check check;
        check.system = c.string("system");
        check.operation = c.string("operation");
        check.expected_calls = c.u64("expected_calls");
        check.received_calls = c.u64("received_calls");
        check.ids_with_duplicates = c.u64("ids_with_duplicates");
        check.ids_missing = c.u64("ids_missing");
        r.calls.push_back(std::move(check));
    }
    return r;
}

fault_record read_fault_record(const object_reader& o, version_info v) {
    fault_record f;
    f.name = o.string("name");
    f.kind = o.string("kind");
    f.target = o.string("target");
    f.start_s = o.number("start_s");
    f.end_s = o.number("end_s");
    f.action = o.string("action");
    f.applied = o.boolean("applied");
    f.calls_during = o.u64_map("calls_during");
    if (v.has_v3()) {
        f.deleted_unread_ids = o.strings("deleted_unread_ids");
        if (!o.at("deleted_unread_messages").is_null()) {
            f.deleted_unread_messages = o.u64("deleted_unread_messages");
        }
    }
    return f;
}

// Versions 1-2 counted answers by arrival and kept only the 2xx latency: read as such (their
// `answered` becomes `requests`, and the all-answers view stays empty).
window_stats read_window(const object_reader& o, version_info v) {
    window_stats w;
    w.start_s = o.number("start_s");
    w.end_s = o.number("end_s");
    w.requests = o.u64(v.has_v3() ? "requests" : "answered");
    w.ok = o.u64("ok");
    w.rejected_503 = o.u64("rejected_503");
    w.availability = w.requests == 0 ? 0.0 : o.number("availability");
    if (v.has_v3()) {
        w.latency_all_us = read_latency(o.object("latency_all_us"));
        w.latency_2xx_us = read_latency(o.object("latency_2xx_us"));
    } else {
        w.latency_2xx_us = read_latency(o.object("latency_us"));
    }
    w.peak_backlog = o.i64("peak_backlog");
    return w;
}

fault_impact read_fault_impact(const object_reader& o, version_info v) {
    fault_impact f;
    f.fault = o.string("fault");
    f.before = read_window(o.object("before"), v);
    f.during = read_window(o.object("during"), v);
    f.after = read_window(o.object("after"), v);
    f.backlog_recovered_s = o.optional_number("backlog_recovered_s");
    f.latency_recovered_s = o.optional_number("latency_recovered_s");
    f.latency_reference = o.string("latency_reference");
    return f;
}

// Each element of the array `key` read by `read_one` from its own object_reader.
template <class T, class Read>
std::vector<T> read_objects(const object_reader& o, std::string_view key, Read read_one) {
    std::vector<T> out;
    const auto& a = o.array(key);
    out.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        out.push_back(read_one(object_reader(a[i], o.name(key) + "[" + std::to_string(i) + "]")));
    }
    return out;
}

mode_result read_mode(const object_reader& o, version_info v) {
    mode_result m;
    m.mode = o.string("mode");
    if (v.has_v3()) {
        m.api_latency_all_us = read_latency(o.object("api_latency_all_us"));
        m.api_latency_2xx_us = read_latency(o.object("api_latency_2xx_us"));
        m.schedule_lag_us = read_latency(o.object("schedule_lag_us"));
    } else {
        m.api_latency_2xx_us = read_latency(o.object("api_latency_us"));
    }
    m.completion_latency_us = read_latency(o.object("completion_latency_us"));
    m.send_delay_us = read_latency(o.object("send_delay_us"));
    m.offered_per_s = o.number("offered_per_s");
    m.achieved_per_s = o.number("achieved_per_s");
    m.availability = o.number("availability");
    m.requests = o.u64("requests");
    if (v.has_v3()) {
        m.requests_all_phases = o.u64("requests_all_phases");
        if (v.has_v4()) m.rejected = o.u64("rejected");
        const auto r = o.object("retries");
        m.retries.max_attempts = r.i32("max_attempts");
        m.retries.attempts = r.u64("attempts");
        m.retries.retries = r.u64("retries");
        m.retries.requests_retried = r.u64("requests_retried");
        m.retries.exhausted = r.u64("exhausted");
        m.retries.refused_by_rate_cap = r.u64("refused_by_rate_cap");
        m.retries.most_attempts = r.i32("most_attempts");
        m.retries.amplification = r.number("amplification");
        m.retries.retries_per_s = r.number("retries_per_s");
        m.retries.answers_after_schedule_s = r.number("answers_after_schedule_s");
    }
    m.errors = read_errors(o.object("errors"), v);
    m.reconciliation = read_reconciliation(o.object("reconciliation"), v);
    m.drain_s = o.number("drain_s");
    m.time_to_full_completion_s = o.optional_number("time_to_full_completion_s");
    // Versions 1-2 wrote 0 when nothing completed.
    if (!v.has_v3() && m.time_to_full_completion_s == 0.0) m.time_to_full_completion_s.reset();
    const auto& series = o.array("series");
    m.series.reserve(series.size());
    for (std::size_t i = 0; i < series.size(); ++i) {
        const object_reader s(series[i], o.name("series") + "[" + std::to_string(i) + "]");
        second_sample sample;
        sample.t_s = s.i64("t_s");
        sample.sent = s.u64("sent");
        sample.ok = s.u64("ok");
        sample.errors = s.u64("errors");
        sample.p50_us = s.number("p50_us");
        sample.p99_us = s.number("p99_us");
        sample.backlog = s.i64("backlog");
        m.series.push_back(sample);
    }
    if (v.has_v2()) {
        m.faults = read_objects<fault_record>(
            o, "faults", [v](const object_reader& f) { return read_fault_record(f, v); });
        m.fault_impacts = read_objects<fault_impact>(
            o, "fault_impacts", [v](const object_reader& f) { return read_fault_impact(f, v); });
    }
    if (v.has_v3()) {
        m.step_errors =
            read_objects<step_error_count>(o, "step_errors", [](const object_reader& e) {
                return step_error_count{e.string("stage"), e.string("step"), e.string("error"),
                                        e.string("example"), e.u64("count")};
            });
    }
    m.warnings = o.strings("warnings");
    if (v.has_v4()) {
        m.stages = read_objects<stage_tally>(o, "stages", [](const object_reader& s) {
            return stage_tally{s.string("stage"), s.u64("finished"), s.u64("attempts"),
                               s.u64("retried"),  s.u64("rejected"), s.u64("dead_lettered")};
        });
        m.metrics = read_objects<scenario_metric>(o, "metrics", [](const object_reader& s) {
            return scenario_metric{s.string("name"), s.number("value")};
        });
        m.invariants = read_objects<invariant_result>(o, "invariants", [](const object_reader& s) {
            return invariant_result{s.string("name"), s.string("expected"), s.string("observed"),
                                    s.boolean("passed"), s.boolean("required")};
        });
    }
    if (v.has_v5()) {
        m.cost = read_objects<part_cost>(o, "cost", [v](const object_reader& c) {
            part_cost cost;
            cost.part = c.string("part");
            cost.cpu_s = c.number("cpu_s");
            cost.peak_rss_bytes = c.optional_u64("peak_rss_bytes");
            cost.peak_threads = c.u64("peak_threads");
            cost.peak_connections = c.optional_u64("peak_connections");
            cost.counted = c.boolean("counted");
            if (v.has_v8()) {
                cost.peak_fds = c.optional_u64("peak_fds");
                cost.samples =
                    read_objects<resource_sample>(c, "samples", [](const object_reader& s) {
                        return resource_sample{s.number("t_s"), s.optional_u64("rss_bytes"),
                                               s.u64("threads"), s.optional_u64("fds")};
                    });
            }
            return cost;
        });
        m.cpu_s_per_1000_completed = o.optional_number("cpu_s_per_1000_completed");
    } else {
        m.warnings.push_back(fmt::format(
            "read from a version {} result.json: it has no cost figures (CPU, memory, threads "
            "and connections per part)",
            v.version));
    }
    if (!v.has_v3()) {
        m.warnings.push_back(fmt::format(
            "read from a version {} result.json: it has no all-answers latency view, no step "
            "errors, and its fault windows counted answers by arrival, not by send time",
            v.version));
    }
    m.valid = o.boolean("valid");
    m.invalid_reasons = o.strings("invalid_reasons");
    if (v.has_v6()) {
        m.repetitions =
            read_objects<repetition_result>(o, "repetitions", [](const object_reader& rep) {
                repetition_result result{rep.i32("index"), rep.boolean("valid"), {}};
                const auto metrics = rep.object("metrics");
                for (const auto& kv : metrics.raw()) {
                    const std::string key(kv.key());
                    result.metrics.emplace(key, metrics.number(key));
                }
                return result;
            });
    } else {
        // An older file is one run: its one repetition is the mode as measured.
        m.repetitions.push_back({1, m.valid, mode_scalars(m)});
    }
    return m;
}

environment_info read_environment(const object_reader& o, version_info v) {
    environment_info e;
    e.asyncbench_version = o.string("asyncbench_version");
    e.git_commit = o.string("git_commit");
    e.host = o.string("host");
    e.cpu = o.string("cpu");
    e.cores = o.i32("cores");
    e.os = o.string("os");
    e.libraries = o.string_map("libraries");
    e.broker_kind = o.string("broker_kind");
    e.broker_description = o.string("broker_description");
    e.bootstrap_servers = o.string("bootstrap_servers");
    if (v.has_v4()) e.redis = o.string("redis");
    e.database = o.string("database");
    e.started_at = o.string("started_at");
    return e;
}

run_settings read_settings(const object_reader& o, version_info v) {
    run_settings s;
    s.load_model = o.string("load_model");
    s.rate_per_s = o.number("rate_per_s");
    s.users = o.i32("users");
    s.warmup_s = o.number("warmup_s");
    s.duration_s = o.number("duration_s");
    if (!o.at("requests").is_null()) s.requests = o.u64("requests");
    s.sync_worker_threads = o.i32("sync_worker_threads");
    s.async_partitions = o.i32("async_partitions");
    s.async_consumers_per_group = o.i32("async_consumers_per_group");
    s.stages = o.strings("stages");
    if (v.has_v2()) s.async_worker_processes = o.i32("async_worker_processes");
    s.producer_settings = o.string_map("producer_settings");
    s.consumer_settings = o.string_map("consumer_settings");
    if (v.has_v6()) s.repetitions = o.i32("repetitions");
    return s;
}

capacity_ceiling read_ceiling(const object_reader& o) {
    return capacity_ceiling{o.optional_number("sustained_per_s"),
                            o.optional_number("failed_per_s")};
}

capacity_result read_capacity(const object_reader& o) {
    capacity_result c;
    c.precision = o.number("precision");
    c.max_per_s = o.number("max_per_s");
    c.step_warmup_s = o.number("step_warmup_s");
    c.step_duration_s = o.number("step_duration_s");
    c.modes = read_objects<capacity_mode>(o, "modes", [](const object_reader& m) {
        return capacity_mode{m.string("mode"), read_ceiling(m.object("accepting")),
                             read_ceiling(m.object("completing")), m.string("stop_reason")};
    });
    c.steps = read_objects<capacity_step>(o, "steps", [](const object_reader& s) {
        capacity_step step;
        step.mode = s.string("mode");
        step.index = s.i32("index");
        step.offered_per_s = s.number("offered_per_s");
        step.achieved_per_s = s.number("achieved_per_s");
        step.api_latency_all_us = read_latency(s.object("api_latency_all_us"));
        step.completion_latency_us = read_latency(s.object("completion_latency_us"));
        step.error_rate = s.number("error_rate");
        step.schedule_lag_p99_us = s.number("schedule_lag_p99_us");
        step.backlog_growth_per_s = s.number("backlog_growth_per_s");
        step.accepting = s.boolean("accepting");
        step.completing = s.boolean("completing");
        step.generator_limited = s.boolean("generator_limited");
        step.valid = s.boolean("valid");
        step.reasons = s.strings("reasons");
        step.bottleneck = s.string("bottleneck");
        return step;
    });
    return c;
}

run_result read_result(const json::value& doc) {
    const object_reader top(doc, "");
    run_result r;
    // The version first: a file from another version should say so, not "missing field".
    const auto& version = top.at("schema_version");
    if (!version.is_int64() || version.get_int64() < oldest_readable_schema_version ||
        version.get_int64() > result_schema_version) {
        const bool newer = version.is_int64() && version.get_int64() > result_schema_version;
        object_reader::fail(
            "schema_version",
            fmt::format("{} version {} (this build reads versions {} to {}){}",
                        newer ? "newer" : "unknown", json::serialize(version),
                        oldest_readable_schema_version, result_schema_version,
                        newer ? ": it was written by a newer AsyncBench; use that version or "
                                "newer to read it"
                              : ""));
    }
    const version_info v{static_cast<int>(version.get_int64())};
    // Read into the current layout: writing it again gives a current-version file.
    r.schema_version = result_schema_version;
    r.scenario = top.string("scenario");
    r.description = top.string("description");
    r.environment = read_environment(top.object("environment"), v);
    r.settings = read_settings(top.object("settings"), v);
    const auto modes = top.object("modes");
    for (const auto& kv : modes.raw()) {
        const std::string key(kv.key());
        mode_result m = read_mode(modes.object(key), v);
        if (m.mode != key) {
            object_reader::fail(modes.name(key) + ".mode",
                                "\"" + m.mode + "\" does not match its key \"" + key + "\"");
        }
        r.modes.emplace(key, std::move(m));
    }
    if (v.has_v6()) {
        r.thresholds = read_objects<threshold_check>(top, "thresholds", [](const object_reader& c) {
            threshold_check check;
            check.threshold = c.string("threshold");
            check.mode = c.string("mode");
            check.metric = c.string("metric");
            check.during = c.string("during");
            check.op = c.string("op");
            check.bound = c.number("bound");
            check.observed = c.optional_number("observed");
            check.bound_text = c.string("bound_text");
            check.observed_text = c.string("observed_text");
            check.passed = c.boolean("passed");
            check.implicit = c.boolean("implicit");
            return check;
        });
    } else {
        // `slo` checks were text only: kept as written, with no number to compare.
        const auto& slo = top.array("slo");
        for (std::size_t i = 0; i < slo.size(); ++i) {
            const object_reader c(slo[i], "slo[" + std::to_string(i) + "]");
            threshold_check check;
            check.mode = c.string("mode");
            check.metric = c.string("name");
            check.threshold = check.metric + " " + c.string("target");
            check.bound_text = c.string("target");
            check.observed_text = c.string("observed");
            check.passed = c.boolean("passed");
            r.thresholds.push_back(std::move(check));
        }
    }
    if (v.has_v7() && !top.at("capacity").is_null())
        r.capacity = read_capacity(top.object("capacity"));
    r.valid = top.boolean("valid");
    return r;
}

}  // namespace

std::variant<run_result, std::string> result_from_json(std::string_view text) {
    try {
        auto parsed = parse_json_exact(text);
        if (auto* message = std::get_if<std::string>(&parsed)) return "result.json: " + *message;
        return read_result(std::get<json::value>(parsed));
    } catch (const schema_error& e) {
        return "result.json: " + e.message;
    } catch (const std::exception& e) {
        // e.g. a depth or size limit inside Boost, or allocation failure on a huge file.
        return std::string("result.json: cannot be read: ") + e.what();
    }
}

}  // namespace asyncbench
