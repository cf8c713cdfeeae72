#include "harness/result/result_json.hpp"

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

json::object latency_to_json(const latency_summary& l) {
    json::object o;
    o["count"] = l.count;
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
    o["duplicate_effects"] = r.duplicate_effects;
    o["unacknowledged_processed"] = r.unacknowledged_processed;
    o["redeliveries_absorbed"] = r.redeliveries_absorbed;
    o["lost_ids"] = strings_to_json(r.lost_ids);
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
    return o;
}

json::object window_to_json(const window_stats& w) {
    json::object o;
    o["start_s"] = number_or_null(w.start_s);
    o["end_s"] = number_or_null(w.end_s);
    o["answered"] = w.answered;
    o["ok"] = w.ok;
    o["rejected_503"] = w.rejected_503;
    o["availability"] = number_or_null(w.availability);
    o["latency_us"] = latency_to_json(w.latency_us);
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

json::object mode_to_json(const mode_result& m) {
    json::object o;
    o["mode"] = m.mode;
    o["api_latency_us"] = latency_to_json(m.api_latency_us);
    o["completion_latency_us"] = latency_to_json(m.completion_latency_us);
    o["send_delay_us"] = latency_to_json(m.send_delay_us);
    o["offered_per_s"] = number_or_null(m.offered_per_s);
    o["achieved_per_s"] = number_or_null(m.achieved_per_s);
    o["availability"] = number_or_null(m.availability);
    o["requests"] = m.requests;
    o["errors"] = errors_to_json(m.errors);
    o["reconciliation"] = reconciliation_to_json(m.reconciliation);
    o["drain_s"] = number_or_null(m.drain_s);
    o["time_to_full_completion_s"] = number_or_null(m.time_to_full_completion_s);
    json::array series;
    for (const auto& s : m.series) series.emplace_back(sample_to_json(s));
    o["series"] = std::move(series);
    json::array faults;
    for (const auto& f : m.faults) faults.emplace_back(fault_record_to_json(f));
    o["faults"] = std::move(faults);
    json::array impacts;
    for (const auto& f : m.fault_impacts) impacts.emplace_back(fault_impact_to_json(f));
    o["fault_impacts"] = std::move(impacts);
    o["warnings"] = strings_to_json(m.warnings);
    o["valid"] = m.valid;
    o["invalid_reasons"] = strings_to_json(m.invalid_reasons);
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
    return o;
}

json::object slo_to_json(const slo_check& c) {
    json::object o;
    o["mode"] = c.mode;
    o["name"] = c.name;
    o["target"] = c.target;
    o["observed"] = c.observed;
    o["passed"] = c.passed;
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
    for (const char* name : {"sync", "async"}) {
        if (auto it = r.modes.find(name); it != r.modes.end()) {
            modes[name] = mode_to_json(it->second);
        }
    }
    for (const auto& [name, m] : r.modes) {
        if (name != "sync" && name != "async") modes[name] = mode_to_json(m);
    }
    o["modes"] = std::move(modes);
    json::array slo;
    for (const auto& c : r.slo) slo.emplace_back(slo_to_json(c));
    o["slo"] = std::move(slo);
    o["valid"] = r.valid;
    return o;
}

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
    r.duplicate_effects = o.u64("duplicate_effects");
    r.unacknowledged_processed = o.u64("unacknowledged_processed");
    if (v.has_v2()) r.redeliveries_absorbed = o.u64("redeliveries_absorbed");
    r.lost_ids = o.strings("lost_ids");
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

fault_record read_fault_record(const object_reader& o) {
    fault_record f;
    f.name = o.string("name");
    f.kind = o.string("kind");
    f.target = o.string("target");
    f.start_s = o.number("start_s");
    f.end_s = o.number("end_s");
    f.action = o.string("action");
    f.applied = o.boolean("applied");
    f.calls_during = o.u64_map("calls_during");
    return f;
}

window_stats read_window(const object_reader& o) {
    window_stats w;
    w.start_s = o.number("start_s");
    w.end_s = o.number("end_s");
    w.answered = o.u64("answered");
    w.ok = o.u64("ok");
    w.rejected_503 = o.u64("rejected_503");
    w.availability = o.number("availability");
    w.latency_us = read_latency(o.object("latency_us"));
    w.peak_backlog = o.i64("peak_backlog");
    return w;
}

fault_impact read_fault_impact(const object_reader& o) {
    fault_impact f;
    f.fault = o.string("fault");
    f.before = read_window(o.object("before"));
    f.during = read_window(o.object("during"));
    f.after = read_window(o.object("after"));
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
    m.api_latency_us = read_latency(o.object("api_latency_us"));
    m.completion_latency_us = read_latency(o.object("completion_latency_us"));
    m.send_delay_us = read_latency(o.object("send_delay_us"));
    m.offered_per_s = o.number("offered_per_s");
    m.achieved_per_s = o.number("achieved_per_s");
    m.availability = o.number("availability");
    m.requests = o.u64("requests");
    m.errors = read_errors(o.object("errors"), v);
    m.reconciliation = read_reconciliation(o.object("reconciliation"), v);
    m.drain_s = o.number("drain_s");
    m.time_to_full_completion_s = o.number("time_to_full_completion_s");
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
        m.faults = read_objects<fault_record>(o, "faults", read_fault_record);
        m.fault_impacts = read_objects<fault_impact>(o, "fault_impacts", read_fault_impact);
    }
    m.warnings = o.strings("warnings");
    m.valid = o.boolean("valid");
    m.invalid_reasons = o.strings("invalid_reasons");
    return m;
}

environment_info read_environment(const object_reader& o) {
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
    return s;
}

run_result read_result(const json::value& doc) {
    const object_reader top(doc, "");
    run_result r;
    // The version first: a file from another version should say so, not "missing field".
    const auto& version = top.at("schema_version");
    if (!version.is_int64() || version.get_int64() < oldest_readable_schema_version ||
        version.get_int64() > result_schema_version) {
        object_reader::fail("schema_version",
                            "unknown version " + json::serialize(version) +
                                " (this build reads versions " +
                                std::to_string(oldest_readable_schema_version) + " to " +
                                std::to_string(result_schema_version) + ")");
    }
    const version_info v{static_cast<int>(version.get_int64())};
    // Read into the current layout: writing it again gives a current-version file.
    r.schema_version = result_schema_version;
    r.scenario = top.string("scenario");
    r.description = top.string("description");
    r.environment = read_environment(top.object("environment"));
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
    const auto& slo = top.array("slo");
    for (std::size_t i = 0; i < slo.size(); ++i) {
        const object_reader c(slo[i], "slo[" + std::to_string(i) + "]");
        slo_check check;
        check.mode = c.string("mode");
        check.name = c.string("name");
        check.target = c.string("target");
        check.observed = c.string("observed");
        check.passed = c.boolean("passed");
        r.slo.push_back(std::move(check));
    }
    r.valid = top.boolean("valid");
    return r;
}

}  // namespace

std::string result_to_json(const run_result& result) {
    std::string out = to_pretty_json(result_to_object(result));
    out += '\n';
    return out;
}

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
