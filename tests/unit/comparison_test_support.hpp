#pragma once
// Made-up runs for the comparison's tests: a scenario, its settings and environment, and modes
// whose repetitions hold the values a test gives, so each test states only what it varies.
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "harness/result/comparison.hpp"

namespace asyncbench::comparison_fixtures {

inline bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

// Two modes, no repetition yet; settings and environment as a quick run on one CI machine.
inline run_result make_run() {
    run_result r;
    r.scenario = "lp-report";
    r.settings.load_model = "open";
    r.settings.rate_per_s = 200;
    r.settings.warmup_s = 2;
    r.settings.duration_s = 10;
    r.settings.sync_worker_threads = 200;
    r.settings.async_partitions = 64;
    r.settings.async_consumers_per_group = 64;
    r.settings.stages = {"report"};
    r.settings.producer_settings = {{"linger.ms", "5"}, {"bootstrap.servers", "127.0.0.1:4001"}};
    r.settings.consumer_settings = {{"group.id", "asyncbench.lp-report.report.aaaa"}};
    r.environment.host = "ci-runner-1";
    r.environment.cpu = "AMD EPYC 7763";
    r.environment.cores = 2;
    r.environment.broker_kind = "embedded-mock";
    r.environment.database = "SQLite 3.40.1 (files in out/a)";
    for (const char* name : {"sync", "async"}) {
        r.modes[name].mode = name;
    }
    return r;
}

// Sets `metric` in `mode`'s repetitions to `values` (one repetition per value, added when
// missing); the correctness counts start at 0 in every new repetition.
inline void set_metric(run_result& r, const std::string& mode, const std::string& metric,
                       const std::vector<double>& values) {
    auto& m = r.modes.at(mode);
    while (m.repetitions.size() < values.size()) {
        repetition_result rep;
        rep.index = static_cast<int>(m.repetitions.size()) + 1;
        rep.metrics = {{"lost", 0}, {"duplicate_effects", 0}, {"broken_invariants", 0}};
        m.repetitions.push_back(rep);
    }
    for (std::size_t i = 0; i < values.size(); ++i) m.repetitions[i].metrics[metric] = values[i];
    r.settings.repetitions = static_cast<int>(m.repetitions.size());
}

// A declared threshold as `run` records it: one per mode it applies to.
inline threshold_check threshold(const std::string& mode, const std::string& metric,
                                 const std::string& op, double bound, std::string text = "",
                                 std::string during = "") {
    threshold_check t;
    t.mode = mode;
    t.metric = metric;
    t.op = op;
    t.bound = bound;
    t.during = std::move(during);
    t.threshold = text.empty() ? metric + " " + op + " " + std::to_string(bound) : text;
    t.bound_text = std::to_string(bound);
    t.observed_text = "1";
    return t;
}

inline compared_run compared(run_result r, std::string label, int version = result_schema_version) {
    return compared_run{std::move(r), version, std::move(label)};
}

// compare_runs that must not fail with a usage error.
inline comparison_result compare_ok(const run_result& baseline, const run_result& candidate,
                                    const std::vector<metric_request>& requests = {},
                                    compare_parameters parameters = {}) {
    auto result = compare_runs(compared(baseline, "base.json"), compared(candidate, "cand.json"),
                               requests, parameters);
    if (auto* error = std::get_if<std::string>(&result)) {
        throw std::runtime_error("unexpected usage error: " + *error);
    }
    return std::get<comparison_result>(std::move(result));
}

inline metric_request request(std::string_view text) {
    auto parsed = parse_metric_request(text);
    if (auto* error = std::get_if<std::string>(&parsed)) throw std::runtime_error(*error);
    return std::get<metric_request>(parsed);
}

// Five repetitions each, fully separated: the smallest two-sided p with 5 v 5 (2/252).
inline const std::vector<double> five_around_100{100, 101, 102, 103, 104};
inline const std::vector<double> five_around_122{120, 121, 122, 123, 124};

}  // namespace asyncbench::comparison_fixtures
