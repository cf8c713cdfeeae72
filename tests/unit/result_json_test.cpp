#include "harness/result/result_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <string>

#include "harness/result/json_text.hpp"
#include "harness/result/metric_catalog.hpp"

namespace asyncbench {
namespace {

latency_summary latency(double base) {
    // Values with no short decimal form, so an inexact double round trip would show.
    return {1234567,    base / 3,   base * 0.1,  base * 1.7,
            base * 2.3, base * 7.1, base * 11.3, base / 7};
}

mode_result populated_mode(const std::string& name, double scale) {
    mode_result m;
    m.mode = name;
    m.api_latency_all_us = latency(1300.0 * scale);
    m.api_latency_2xx_us = latency(1000.0 * scale);
    m.completion_latency_us = latency(5000.0 * scale);
    m.send_delay_us = latency(17.0 * scale);
    m.schedule_lag_us = latency(3.0 * scale);
    m.offered_per_s = 100.0;
    m.achieved_per_s = 99.87654321 * scale;
    m.availability = 0.999123456789;
    m.requests = 18'000'000'000'000'000'000ULL;  // above INT64_MAX: must stay unsigned
    m.errors = {1, 2, 3, 4, 5, 6};
    m.reconciliation.accepted = 6000;
    m.reconciliation.completed = 5990;
    m.reconciliation.lost = 3;
    m.reconciliation.pending = 4;
    m.reconciliation.dead_lettered = 3;
    m.reconciliation.duplicate_effects = 7;
    m.reconciliation.unacknowledged_processed = 8;
    m.reconciliation.redeliveries_absorbed = 9;
    m.reconciliation.lost_ids = {"order-1", "order-\"2\"", "주문-3"};
    m.reconciliation.lost_by_reason = {{"deleted before it was consumed", 2},
                                       {"not finished, and nothing was left to process it", 1}};
    m.reconciliation.calls = {{"lp", "setQueue", 5990, 6010, 12, 0},
                              {"lp", "LPRUN", 5990, 5980, 0, 10}};
    m.drain_s = 12.345678;
    m.time_to_full_completion_s = 75.1e-3;
    m.series = {{0, 100, 98, 2, 812.5, 4096.25, 0},
                {1, 101, 101, 0, 700.125, 1e-7, -1},
                {2, 99, 0, 99, 0.0, 123456789.123, 42}};
    fault_record outage;
    outage.name = "LP \"outage\"";
    outage.kind = "downstream_outage";
    outage.target = "lp.LPRUN";
    outage.start_s = 15.000123456;
    outage.end_s = 35.1 * scale;
    outage.action = "lp.LPRUN answers 503";
    outage.calls_during = {{"lp.LPRUN", 1234}, {"lp.setQueue", 0}};
    outage.deleted_unread_ids = {"order-1", "order-\"2\""};
    outage.deleted_unread_messages = 2;
    fault_record crash;
    crash.name = "worker crash";
    crash.kind = "worker_crash";
    crash.target = "worker 0 (pid 4242)";
    crash.start_s = 40.5;
    crash.end_s = 45.25;
    crash.action = "not applicable to sync: no worker processes";
    crash.applied = false;
    m.faults = {outage, crash};
    fault_impact impact;
    impact.fault = outage.name;
    impact.before = {
        5.0, 15.0, 1000, 999, 0, 0.999, latency(2100.0 * scale), latency(2000.0 * scale), 7};
    impact.during = {
        15.0, 35.0, 2000, 60, 1900, 0.03, latency(9500.0 * scale), latency(9000.0 * scale), 1234};
    impact.after = {35.0, 65.0, 3000, 2990, 3, 2990.0 / 3000.0, latency(2600.0), latency(2500.0),
                    -1};
    impact.backlog_recovered_s = 7.0 / 3.0;
    impact.latency_recovered_s = std::nullopt;
    impact.latency_reference = "p99 <= 1000.0 ms (api_p99 SLO 1s) and 2xx >= 99.90% (pre-fault)";
    m.fault_impacts = {impact};
    m.step_errors = {{"report", "lp_run", "lp.LPRUN answered 503", "lp.LPRUN answered 503", 1234},
                     {"report", "insert_report", "database: UNIQUE constraint failed: rpt-N",
                      "database: UNIQUE constraint failed: rpt-\"00017\"", 7}};
    m.warnings = {"embedded broker retention reached", "line one\nline two\ttab"};
    m.rejected = 21;
    m.reconciliation.rejected = 4;
    m.stages = {{"order", 6000, 6100, 90, 25, 0}, {"ranking", 5975, 5975, 0, 0, 3}};
    m.metrics = {{"ranking_overcount_units", 7}, {"units_paid", 12345.5}};
    m.invariants = {
        {"ranking_matches_orders", "score = units paid", "3 of 39 differ", false, false},
        {"stock_never_negative", "stock >= 0", "lowest: p-00 at 0", true, true}};
    m.cost = {{"harness process",
               12.34 * scale,
               123456789,
               215,
               4321,
               false,
               512,
               {{0.0, 100'000'000, 40, 300}, {5.0 / 3.0, std::nullopt, 215, std::nullopt}}},
              {"front door", 7.1 / 3.0, std::nullopt, 202, std::nullopt, true},
              {"worker 0", 0.0, std::nullopt, 0, std::nullopt, true}};
    m.cpu_s_per_1000_completed = 1.0 / 3.0;
    m.valid = false;
    m.invalid_reasons = {"send delay p99 above 10 ms"};
    m.repetitions = {{1, true, {{"api_all_p99", 812'300.5 * scale}, {"lost", 0}}},
                     {2, false, {{"api_all_p99", 799'000 * scale}, {"orders_paid", 41}}}};
    return m;
}

run_result populated_result() {
    run_result r;
    r.scenario = "lp-report";
    r.description = "POST /SAVE \\ with <html> & \"quotes\", 보고서";
    r.environment = {"0.1.0",
                     "abc123",
                     "bench-host",
                     "Intel(R) Xeon(R) @ 2.20GHz",
                     2,
                     "Debian 12",
                     {{"boost", "1.81.0"}, {"librdkafka", "2.0.2"}},
                     "embedded-mock",
                     "librdkafka mock cluster, 3 brokers (in memory)",
                     "127.0.0.1:39092",
                     "redis-server 7.0.15 started for this run at 127.0.0.1:40123",
                     "sqlite",
                     "2024-05-01T12:00:00Z"};
    r.settings.load_model = "open";
    r.settings.rate_per_s = 100.5;
    r.settings.users = 50;
    r.settings.warmup_s = 5;
    r.settings.duration_s = 60.25;
    r.settings.requests = 20000;
    r.settings.sync_worker_threads = 200;
    r.settings.async_partitions = 12;
    r.settings.async_consumers_per_group = 4;
    r.settings.stages = {"payroll", "orgchart", "erp"};
    r.settings.async_worker_processes = 3;
    r.settings.producer_settings = {{"acks", "all"}, {"linger.ms", "5"}};
    r.settings.consumer_settings = {{"enable.auto.commit", "false"}};
    r.modes["sync"] = populated_mode("sync", 1.0);
    r.modes["async"] = populated_mode("async", 0.0123);
    r.settings.repetitions = 3;
    threshold_check missed;
    missed.threshold = "api_all_p99 <= 500ms";
    missed.mode = "sync";
    missed.metric = "api_all_p99";
    missed.op = "<=";
    missed.bound = 500'000;
    missed.observed = 812'300;
    missed.bound_text = "500.0 ms";
    missed.observed_text = "812.3 ms";
    missed.passed = false;
    threshold_check unmeasured = missed;
    unmeasured.threshold = "during 'LP down': async.availability >= 99.9%";
    unmeasured.mode = "async";
    unmeasured.metric = "availability";
    unmeasured.during = "LP down";
    unmeasured.observed.reset();
    unmeasured.observed_text = "not measured";
    threshold_check always = missed;
    always.threshold = "lost <= 0";
    always.implicit = true;
    always.passed = true;
    r.thresholds = {missed, unmeasured, always};
    capacity_result capacity;
    capacity.precision = 0.05;
    capacity.max_per_s = 1600;
    capacity.step_warmup_s = 2;
    capacity.step_duration_s = 10;
    capacity.modes = {{"sync", {180.5, 190.0}, {180.5, 190.0}, "precision reached (5%)"},
                      {"async", {1600.0, std::nullopt}, {std::nullopt, 100.0}, "max rate reached"}};
    capacity_step step;
    step.mode = "async";
    step.index = 3;
    step.offered_per_s = 400;
    step.achieved_per_s = 399.25;
    step.api_latency_all_us = {4000, 100, 900, 1200, 4100.5, 9000, 12000, 1000};
    step.completion_latency_us = {2000, 1000, 90000, 400000, 900000, 1200000, 1300000, 200000};
    step.error_rate = 0.0025;
    step.schedule_lag_p99_us = 812.5;
    step.backlog_growth_per_s = 211.75;
    step.accepting = true;
    step.reasons = {"the backlog grew by 211.8/s"};
    step.bottleneck = "the consumers of stage report";
    capacity.steps = {step};
    r.capacity = capacity;
    r.valid = false;
    return r;
}

void expect_latency_eq(const latency_summary& a, const latency_summary& b) {
    EXPECT_EQ(a.count, b.count);
    EXPECT_EQ(a.min_us, b.min_us);
    EXPECT_EQ(a.p50_us, b.p50_us);
    EXPECT_EQ(a.p90_us, b.p90_us);
    EXPECT_EQ(a.p99_us, b.p99_us);
    EXPECT_EQ(a.p999_us, b.p999_us);
    EXPECT_EQ(a.max_us, b.max_us);
    EXPECT_EQ(a.mean_us, b.mean_us);
}

void expect_window_eq(const window_stats& a, const window_stats& b) {
    EXPECT_EQ(a.start_s, b.start_s);
    EXPECT_EQ(a.end_s, b.end_s);
    EXPECT_EQ(a.requests, b.requests);
    EXPECT_EQ(a.ok, b.ok);
    EXPECT_EQ(a.rejected_503, b.rejected_503);
    EXPECT_EQ(a.availability, b.availability);
    expect_latency_eq(a.latency_all_us, b.latency_all_us);
    expect_latency_eq(a.latency_2xx_us, b.latency_2xx_us);
    EXPECT_EQ(a.peak_backlog, b.peak_backlog);
}

void expect_faults_eq(const mode_result& a, const mode_result& b) {
    ASSERT_EQ(a.faults.size(), b.faults.size());
    for (std::size_t i = 0; i < a.faults.size(); ++i) {
        const auto& fa = a.faults[i];
        const auto& fb = b.faults[i];
        EXPECT_EQ(fa.name, fb.name);
        EXPECT_EQ(fa.kind, fb.kind);
        EXPECT_EQ(fa.target, fb.target);
        EXPECT_EQ(fa.start_s, fb.start_s);
        EXPECT_EQ(fa.end_s, fb.end_s);
        EXPECT_EQ(fa.action, fb.action);
        EXPECT_EQ(fa.applied, fb.applied);
        EXPECT_EQ(fa.calls_during, fb.calls_during);
        EXPECT_EQ(fa.deleted_unread_ids, fb.deleted_unread_ids);
        EXPECT_EQ(fa.deleted_unread_messages, fb.deleted_unread_messages);
    }
    ASSERT_EQ(a.fault_impacts.size(), b.fault_impacts.size());
    for (std::size_t i = 0; i < a.fault_impacts.size(); ++i) {
        const auto& ia = a.fault_impacts[i];
        const auto& ib = b.fault_impacts[i];
        EXPECT_EQ(ia.fault, ib.fault);
        expect_window_eq(ia.before, ib.before);
        expect_window_eq(ia.during, ib.during);
        expect_window_eq(ia.after, ib.after);
        EXPECT_EQ(ia.backlog_recovered_s, ib.backlog_recovered_s);
        EXPECT_EQ(ia.latency_recovered_s, ib.latency_recovered_s);
        EXPECT_EQ(ia.latency_reference, ib.latency_reference);
    }
}

void expect_mode_eq(const mode_result& a, const mode_result& b) {
    EXPECT_EQ(a.mode, b.mode);
    expect_latency_eq(a.api_latency_all_us, b.api_latency_all_us);
    expect_latency_eq(a.api_latency_2xx_us, b.api_latency_2xx_us);
    expect_latency_eq(a.completion_latency_us, b.completion_latency_us);
    expect_latency_eq(a.send_delay_us, b.send_delay_us);
    expect_latency_eq(a.schedule_lag_us, b.schedule_lag_us);
    ASSERT_EQ(a.step_errors.size(), b.step_errors.size());
    for (std::size_t i = 0; i < a.step_errors.size(); ++i) {
        EXPECT_EQ(a.step_errors[i].stage, b.step_errors[i].stage);
        EXPECT_EQ(a.step_errors[i].step, b.step_errors[i].step);
        EXPECT_EQ(a.step_errors[i].error, b.step_errors[i].error);
        EXPECT_EQ(a.step_errors[i].example, b.step_errors[i].example);
        EXPECT_EQ(a.step_errors[i].count, b.step_errors[i].count);
    }
    EXPECT_EQ(a.offered_per_s, b.offered_per_s);
    EXPECT_EQ(a.achieved_per_s, b.achieved_per_s);
    EXPECT_EQ(a.availability, b.availability);
    EXPECT_EQ(a.requests, b.requests);
    EXPECT_EQ(a.rejected, b.rejected);
    EXPECT_EQ(a.reconciliation.rejected, b.reconciliation.rejected);
    ASSERT_EQ(a.stages.size(), b.stages.size());
    for (std::size_t i = 0; i < a.stages.size(); ++i) {
        EXPECT_EQ(a.stages[i].stage, b.stages[i].stage);
        EXPECT_EQ(a.stages[i].finished, b.stages[i].finished);
        EXPECT_EQ(a.stages[i].attempts, b.stages[i].attempts);
        EXPECT_EQ(a.stages[i].retried, b.stages[i].retried);
        EXPECT_EQ(a.stages[i].rejected, b.stages[i].rejected);
        EXPECT_EQ(a.stages[i].dead_lettered, b.stages[i].dead_lettered);
    }
    ASSERT_EQ(a.metrics.size(), b.metrics.size());
    for (std::size_t i = 0; i < a.metrics.size(); ++i) {
        EXPECT_EQ(a.metrics[i].name, b.metrics[i].name);
        EXPECT_EQ(a.metrics[i].value, b.metrics[i].value);
    }
    ASSERT_EQ(a.invariants.size(), b.invariants.size());
    for (std::size_t i = 0; i < a.invariants.size(); ++i) {
        EXPECT_EQ(a.invariants[i].name, b.invariants[i].name);
        EXPECT_EQ(a.invariants[i].expected, b.invariants[i].expected);
        EXPECT_EQ(a.invariants[i].observed, b.invariants[i].observed);
        EXPECT_EQ(a.invariants[i].passed, b.invariants[i].passed);
        EXPECT_EQ(a.invariants[i].required, b.invariants[i].required);
    }
    ASSERT_EQ(a.cost.size(), b.cost.size());
    for (std::size_t i = 0; i < a.cost.size(); ++i) {
        EXPECT_EQ(a.cost[i].part, b.cost[i].part);
        EXPECT_EQ(a.cost[i].cpu_s, b.cost[i].cpu_s);
        EXPECT_EQ(a.cost[i].peak_rss_bytes, b.cost[i].peak_rss_bytes);
        EXPECT_EQ(a.cost[i].peak_threads, b.cost[i].peak_threads);
        EXPECT_EQ(a.cost[i].peak_connections, b.cost[i].peak_connections);
        EXPECT_EQ(a.cost[i].counted, b.cost[i].counted);
        EXPECT_EQ(a.cost[i].peak_fds, b.cost[i].peak_fds);
        ASSERT_EQ(a.cost[i].samples.size(), b.cost[i].samples.size());
        for (std::size_t j = 0; j < a.cost[i].samples.size(); ++j) {
            EXPECT_EQ(a.cost[i].samples[j].t_s, b.cost[i].samples[j].t_s);
            EXPECT_EQ(a.cost[i].samples[j].rss_bytes, b.cost[i].samples[j].rss_bytes);
            EXPECT_EQ(a.cost[i].samples[j].threads, b.cost[i].samples[j].threads);
            EXPECT_EQ(a.cost[i].samples[j].fds, b.cost[i].samples[j].fds);
        }
    }
    EXPECT_EQ(a.cpu_s_per_1000_completed, b.cpu_s_per_1000_completed);
    EXPECT_EQ(a.errors.connect, b.errors.connect);
    EXPECT_EQ(a.errors.timeout, b.errors.timeout);
    EXPECT_EQ(a.errors.io, b.errors.io);
    EXPECT_EQ(a.errors.status_4xx, b.errors.status_4xx);
    EXPECT_EQ(a.errors.status_5xx, b.errors.status_5xx);
    EXPECT_EQ(a.errors.status_503, b.errors.status_503);
    const auto& ra = a.reconciliation;
    const auto& rb = b.reconciliation;
    EXPECT_EQ(ra.accepted, rb.accepted);
    EXPECT_EQ(ra.completed, rb.completed);
    EXPECT_EQ(ra.lost, rb.lost);
    EXPECT_EQ(ra.pending, rb.pending);
    EXPECT_EQ(ra.dead_lettered, rb.dead_lettered);
    EXPECT_EQ(ra.duplicate_effects, rb.duplicate_effects);
    EXPECT_EQ(ra.unacknowledged_processed, rb.unacknowledged_processed);
    EXPECT_EQ(ra.redeliveries_absorbed, rb.redeliveries_absorbed);
    EXPECT_EQ(ra.lost_ids, rb.lost_ids);
    EXPECT_EQ(ra.lost_by_reason, rb.lost_by_reason);
    ASSERT_EQ(ra.calls.size(), rb.calls.size());
    for (std::size_t i = 0; i < ra.calls.size(); ++i) {
        EXPECT_EQ(ra.calls[i].system, rb.calls[i].system);
        EXPECT_EQ(ra.calls[i].operation, rb.calls[i].operation);
        EXPECT_EQ(ra.calls[i].expected_calls, rb.calls[i].expected_calls);
        EXPECT_EQ(ra.calls[i].received_calls, rb.calls[i].received_calls);
        EXPECT_EQ(ra.calls[i].ids_with_duplicates, rb.calls[i].ids_with_duplicates);
        EXPECT_EQ(ra.calls[i].ids_missing, rb.calls[i].ids_missing);
    }
    EXPECT_EQ(a.drain_s, b.drain_s);
    EXPECT_EQ(a.time_to_full_completion_s, b.time_to_full_completion_s);
    ASSERT_EQ(a.series.size(), b.series.size());
    for (std::size_t i = 0; i < a.series.size(); ++i) {
        EXPECT_EQ(a.series[i].t_s, b.series[i].t_s);
        EXPECT_EQ(a.series[i].sent, b.series[i].sent);
        EXPECT_EQ(a.series[i].ok, b.series[i].ok);
        EXPECT_EQ(a.series[i].errors, b.series[i].errors);
        EXPECT_EQ(a.series[i].p50_us, b.series[i].p50_us);
        EXPECT_EQ(a.series[i].p99_us, b.series[i].p99_us);
        EXPECT_EQ(a.series[i].backlog, b.series[i].backlog);
    }
    expect_faults_eq(a, b);
    EXPECT_EQ(a.warnings, b.warnings);
    EXPECT_EQ(a.valid, b.valid);
    EXPECT_EQ(a.invalid_reasons, b.invalid_reasons);
    ASSERT_EQ(a.repetitions.size(), b.repetitions.size());
    for (std::size_t i = 0; i < a.repetitions.size(); ++i) {
        EXPECT_EQ(a.repetitions[i].index, b.repetitions[i].index);
        EXPECT_EQ(a.repetitions[i].valid, b.repetitions[i].valid);
        EXPECT_EQ(a.repetitions[i].metrics, b.repetitions[i].metrics);
    }
}

void expect_result_eq(const run_result& a, const run_result& b) {
    EXPECT_EQ(a.schema_version, b.schema_version);
    EXPECT_EQ(a.scenario, b.scenario);
    EXPECT_EQ(a.description, b.description);
    const auto& ea = a.environment;
    const auto& eb = b.environment;
    EXPECT_EQ(ea.asyncbench_version, eb.asyncbench_version);
    EXPECT_EQ(ea.git_commit, eb.git_commit);
    EXPECT_EQ(ea.host, eb.host);
    EXPECT_EQ(ea.cpu, eb.cpu);
    EXPECT_EQ(ea.cores, eb.cores);
    EXPECT_EQ(ea.os, eb.os);
    EXPECT_EQ(ea.libraries, eb.libraries);
    EXPECT_EQ(ea.broker_kind, eb.broker_kind);
    EXPECT_EQ(ea.broker_description, eb.broker_description);
    EXPECT_EQ(ea.bootstrap_servers, eb.bootstrap_servers);
    EXPECT_EQ(ea.redis, eb.redis);
    EXPECT_EQ(ea.database, eb.database);
    EXPECT_EQ(ea.started_at, eb.started_at);
    const auto& sa = a.settings;
    const auto& sb = b.settings;
    EXPECT_EQ(sa.load_model, sb.load_model);
    EXPECT_EQ(sa.rate_per_s, sb.rate_per_s);
    EXPECT_EQ(sa.users, sb.users);
    EXPECT_EQ(sa.warmup_s, sb.warmup_s);
    EXPECT_EQ(sa.duration_s, sb.duration_s);
    EXPECT_EQ(sa.requests, sb.requests);
    EXPECT_EQ(sa.sync_worker_threads, sb.sync_worker_threads);
    EXPECT_EQ(sa.async_partitions, sb.async_partitions);
    EXPECT_EQ(sa.async_consumers_per_group, sb.async_consumers_per_group);
    EXPECT_EQ(sa.stages, sb.stages);
    EXPECT_EQ(sa.async_worker_processes, sb.async_worker_processes);
    EXPECT_EQ(sa.producer_settings, sb.producer_settings);
    EXPECT_EQ(sa.consumer_settings, sb.consumer_settings);
    ASSERT_EQ(a.modes.size(), b.modes.size());
    for (const auto& [name, m] : a.modes) {
        ASSERT_EQ(b.modes.count(name), 1u) << name;
        expect_mode_eq(m, b.modes.at(name));
    }
    EXPECT_EQ(sa.repetitions, sb.repetitions);
    ASSERT_EQ(a.thresholds.size(), b.thresholds.size());
    for (std::size_t i = 0; i < a.thresholds.size(); ++i) {
        const auto& x = a.thresholds[i];
        const auto& y = b.thresholds[i];
        EXPECT_EQ(x.threshold, y.threshold);
        EXPECT_EQ(x.mode, y.mode);
        EXPECT_EQ(x.metric, y.metric);
        EXPECT_EQ(x.during, y.during);
        EXPECT_EQ(x.op, y.op);
        EXPECT_EQ(x.bound, y.bound);
        EXPECT_EQ(x.observed, y.observed);
        EXPECT_EQ(x.bound_text, y.bound_text);
        EXPECT_EQ(x.observed_text, y.observed_text);
        EXPECT_EQ(x.passed, y.passed);
        EXPECT_EQ(x.implicit, y.implicit);
    }
    ASSERT_EQ(a.capacity.has_value(), b.capacity.has_value());
    if (a.capacity) {
        const auto& ca = *a.capacity;
        const auto& cb = *b.capacity;
        EXPECT_EQ(ca.precision, cb.precision);
        EXPECT_EQ(ca.max_per_s, cb.max_per_s);
        EXPECT_EQ(ca.step_warmup_s, cb.step_warmup_s);
        EXPECT_EQ(ca.step_duration_s, cb.step_duration_s);
        ASSERT_EQ(ca.modes.size(), cb.modes.size());
        for (std::size_t i = 0; i < ca.modes.size(); ++i) {
            EXPECT_EQ(ca.modes[i].mode, cb.modes[i].mode);
            EXPECT_EQ(ca.modes[i].accepting.sustained_per_s, cb.modes[i].accepting.sustained_per_s);
            EXPECT_EQ(ca.modes[i].accepting.failed_per_s, cb.modes[i].accepting.failed_per_s);
            EXPECT_EQ(ca.modes[i].completing.sustained_per_s,
                      cb.modes[i].completing.sustained_per_s);
            EXPECT_EQ(ca.modes[i].completing.failed_per_s, cb.modes[i].completing.failed_per_s);
            EXPECT_EQ(ca.modes[i].stop_reason, cb.modes[i].stop_reason);
        }
        ASSERT_EQ(ca.steps.size(), cb.steps.size());
        for (std::size_t i = 0; i < ca.steps.size(); ++i) {
            const auto& x = ca.steps[i];
            const auto& y = cb.steps[i];
            EXPECT_EQ(x.mode, y.mode);
            EXPECT_EQ(x.index, y.index);
            EXPECT_EQ(x.offered_per_s, y.offered_per_s);
            EXPECT_EQ(x.achieved_per_s, y.achieved_per_s);
            expect_latency_eq(x.api_latency_all_us, y.api_latency_all_us);
            expect_latency_eq(x.completion_latency_us, y.completion_latency_us);
            EXPECT_EQ(x.error_rate, y.error_rate);
            EXPECT_EQ(x.schedule_lag_p99_us, y.schedule_lag_p99_us);
            EXPECT_EQ(x.backlog_growth_per_s, y.backlog_growth_per_s);
            EXPECT_EQ(x.accepting, y.accepting);
            EXPECT_EQ(x.completing, y.completing);
            EXPECT_EQ(x.generator_limited, y.generator_limited);
            EXPECT_EQ(x.valid, y.valid);
            EXPECT_EQ(x.reasons, y.reasons);
            EXPECT_EQ(x.bottleneck, y.bottleneck);
        }
    }
    EXPECT_EQ(a.valid, b.valid);
}

run_result parse_ok(const std::string& text) {
    auto parsed = result_from_json(text);
    if (auto* error = std::get_if<std::string>(&parsed)) {
        ADD_FAILURE() << *error;
        return {};
    }
    return std::get<run_result>(parsed);
}

std::string parse_error(std::string_view text) {
    std::variant<run_result, std::string> parsed;
    EXPECT_NO_THROW(parsed = result_from_json(text));
    const auto* error = std::get_if<std::string>(&parsed);
    if (error == nullptr) {
        ADD_FAILURE() << "expected an error for: " << text.substr(0, 80);
        return {};
    }
    return *error;
}

// The populated result's JSON with one edit applied through boost::json.
std::string edited_json(void (*edit)(boost::json::object&)) {
    auto doc = boost::json::parse(result_to_json(populated_result()));
    edit(doc.as_object());
    return boost::json::serialize(doc);
}

TEST(result_json, round_trip_of_a_fully_populated_result_is_exact) {
    const run_result original = populated_result();
    const std::string text = result_to_json(original);
    const run_result back = parse_ok(text);
    expect_result_eq(original, back);
    // Writing again gives the same bytes: a report regenerated from result.json is identical.
    EXPECT_EQ(result_to_json(back), text);
}

TEST(result_json, round_trip_of_many_awkward_doubles_is_exact) {
    run_result r = populated_result();
    auto& series = r.modes["sync"].series;
    series.clear();
    double v = 1.0 / 3.0;
    for (int i = 0; i < 2000; ++i) {
        v = v * 1.7320508075688772 + 0.1;
        if (v > 1e12) v /= 9.87654321e10;
        series.push_back({i, 1, 1, 0, v, v * 1.000000000000001, 0});
    }
    expect_result_eq(r, parse_ok(result_to_json(r)));
}

TEST(result_json, empty_result_round_trips_with_null_requests) {
    run_result r;
    const std::string text = result_to_json(r);
    EXPECT_NE(text.find("\"requests\": null"), std::string::npos);
    EXPECT_NE(text.find("\"modes\": {}"), std::string::npos);
    const run_result back = parse_ok(text);
    EXPECT_FALSE(back.settings.requests.has_value());
    expect_result_eq(r, back);
}

TEST(result_json, keys_are_in_struct_order_with_units_and_sync_before_async) {
    const std::string text = result_to_json(populated_result());
    const char* const ordered[] = {"\"schema_version\": 8",
                                   "\"scenario\"",
                                   "\"description\"",
                                   "\"environment\"",
                                   "\"settings\"",
                                   "\"stages\"",
                                   "\"async_worker_processes\": 3",
                                   "\"producer_settings\"",
                                   "\"repetitions\": 3",
                                   "\"modes\"",
                                   "\"sync\": {",
                                   "\"api_latency_all_us\"",
                                   "\"p999\"",
                                   "\"api_latency_2xx_us\"",
                                   "\"completion_latency_us\"",
                                   "\"send_delay_us\"",
                                   "\"schedule_lag_us\"",
                                   "\"offered_per_s\"",
                                   "\"achieved_per_s\"",
                                   "\"availability\"",
                                   "\"requests\"",
                                   "\"errors\"",
                                   "\"status_5xx\": 5",
                                   "\"status_503\": 6",
                                   "\"reconciliation\"",
                                   "\"unacknowledged_processed\"",
                                   "\"redeliveries_absorbed\": 9",
                                   "\"lost_ids\"",
                                   "\"calls\"",
                                   "\"drain_s\"",
                                   "\"time_to_full_completion_s\"",
                                   "\"series\"",
                                   "\"faults\"",
                                   "\"name\": \"LP \\\"outage\\\"\"",
                                   "\"kind\"",
                                   "\"target\"",
                                   "\"start_s\"",
                                   "\"end_s\"",
                                   "\"action\"",
                                   "\"applied\": true",
                                   "\"calls_during\"",
                                   "\"lp.LPRUN\": 1234",
                                   "\"applied\": false",
                                   "\"fault_impacts\"",
                                   "\"fault\"",
                                   "\"before\"",
                                   "\"requests\": 1000",
                                   "\"rejected_503\"",
                                   "\"latency_all_us\"",
                                   "\"latency_2xx_us\"",
                                   "\"peak_backlog\": 7",
                                   "\"during\"",
                                   "\"after\"",
                                   "\"backlog_recovered_s\"",
                                   "\"latency_recovered_s\": null",
                                   "\"latency_reference\"",
                                   "\"step_errors\"",
                                   "\"example\"",
                                   "\"warnings\"",
                                   "\"stages\"",
                                   "\"metrics\"",
                                   "\"invariants\"",
                                   "\"required\"",
                                   "\"cost\"",
                                   "\"part\": \"harness process\"",
                                   "\"peak_rss_bytes\": 123456789",
                                   "\"peak_connections\": 4321",
                                   "\"counted\": false",
                                   "\"peak_fds\": 512",
                                   "\"samples\": [",
                                   "\"rss_bytes\": 100000000",
                                   "\"fds\": null",
                                   "\"peak_rss_bytes\": null",
                                   "\"cpu_s_per_1000_completed\"",
                                   "\"valid\"",
                                   "\"invalid_reasons\"",
                                   "\"repetitions\": [",
                                   "\"index\": 1",
                                   "\"api_all_p99\"",
                                   "\"async\": {",
                                   "\"thresholds\"",
                                   "\"threshold\": \"api_all_p99 <= 500ms\"",
                                   "\"observed\": null",
                                   "\"implicit\": true",
                                   "\"capacity\": {",
                                   "\"precision\": 0.05",
                                   "\"sustained_per_s\": 180.5",
                                   "\"failed_per_s\": null",
                                   "\"backlog_growth_per_s\": 211.75",
                                   "\"valid\": false\n}"};
    std::size_t pos = 0;
    for (const char* key : ordered) {
        const auto found = text.find(key, pos);
        ASSERT_NE(found, std::string::npos) << key << " missing or out of order";
        pos = found;
    }
    // Pretty-printed, doubles stay doubles, one series sample a line.
    EXPECT_NE(text.find("\n  \"scenario\": \"lp-report\",\n"), std::string::npos);
    EXPECT_NE(text.find("\"offered_per_s\": 100.0,"), std::string::npos);
    EXPECT_NE(text.find("{\"t_s\": 0, \"sent\": 100, \"ok\": 98, \"errors\": 2, "
                        "\"p50_us\": 812.5, \"p99_us\": 4096.25, \"backlog\": 0}"),
              std::string::npos);
}

TEST(result_json, non_finite_doubles_become_null_and_read_back_as_nan) {
    run_result r;
    r.modes["async"].mode = "async";
    r.modes["async"].drain_s = std::numeric_limits<double>::infinity();
    r.modes["async"].availability = std::nan("");
    const std::string text = result_to_json(r);
    EXPECT_NE(text.find("\"drain_s\": null"), std::string::npos);
    const run_result back = parse_ok(text);
    EXPECT_TRUE(std::isnan(back.modes.at("async").drain_s));
    EXPECT_TRUE(std::isnan(back.modes.at("async").availability));
}

TEST(result_json, invalid_utf8_is_replaced_so_the_file_still_parses) {
    run_result r;
    r.environment.host = "bad\xff\xfe host \xc3\xa9";
    const run_result back = parse_ok(result_to_json(r));
    EXPECT_EQ(back.environment.host, "bad\xEF\xBF\xBD\xEF\xBF\xBD host \xc3\xa9");
}

TEST(result_json, malformed_json_is_an_error_not_an_exception) {
    for (const char* text : {"", "{", "{\"schema_version\": 1,}", "not json", "[1, 2]", "null",
                             "{\"schema_version\": 1} trailing"}) {
        const std::string error = parse_error(text);
        EXPECT_NE(error.find("result.json"), std::string::npos) << text;
    }
    EXPECT_NE(parse_error("{").find("not valid JSON"), std::string::npos);
    EXPECT_NE(parse_error("[1, 2]").find("expected an object"), std::string::npos);
}

TEST(result_json, missing_field_is_named_by_its_path) {
    const std::string text = edited_json([](boost::json::object& o) {
        o["modes"].as_object()["sync"].as_object()["errors"].as_object().erase("timeout");
    });
    EXPECT_EQ(parse_error(text), "result.json: modes.sync.errors.timeout: missing field");

    const std::string no_requests =
        edited_json([](boost::json::object& o) { o["settings"].as_object().erase("requests"); });
    EXPECT_EQ(parse_error(no_requests), "result.json: settings.requests: missing field");

    const std::string no_valid = edited_json([](boost::json::object& o) { o.erase("valid"); });
    EXPECT_EQ(parse_error(no_valid), "result.json: valid: missing field");
}

TEST(result_json, wrong_types_are_errors) {
    const std::string text = edited_json([](boost::json::object& o) {
        o["modes"].as_object()["async"].as_object()["requests"] = -5;
    });
    EXPECT_EQ(parse_error(text),
              "result.json: modes.async.requests: expected a non-negative integer");

    const std::string sample = edited_json([](boost::json::object& o) {
        auto& series = o["modes"].as_object()["sync"].as_object()["series"].as_array();
        series[1].as_object()["p99_us"] = "slow";
    });
    EXPECT_EQ(parse_error(sample), "result.json: modes.sync.series[1].p99_us: expected a number");

    const std::string mismatch = edited_json([](boost::json::object& o) {
        o["modes"].as_object()["sync"].as_object()["mode"] = "async";
    });
    EXPECT_NE(parse_error(mismatch).find("modes.sync.mode"), std::string::npos);
}

TEST(result_json, unknown_schema_version_is_an_error) {
    const std::string v9 = edited_json([](boost::json::object& o) { o["schema_version"] = 9; });
    EXPECT_EQ(parse_error(v9),
              "result.json: schema_version: newer version 9 (this build reads versions 1 to 8): "
              "it was written by a newer AsyncBench; use that version or newer to read it");
    const std::string v0 = edited_json([](boost::json::object& o) { o["schema_version"] = 0; });
    EXPECT_NE(parse_error(v0).find("unknown version 0"), std::string::npos);
    const std::string text = edited_json([](boost::json::object& o) { o["schema_version"] = "1"; });
    EXPECT_NE(parse_error(text).find("schema_version: unknown version \"1\""), std::string::npos);
    // A future file that lost fields still reports its version, not a missing field.
    EXPECT_NE(parse_error("{\"schema_version\": 9}").find("newer version 9"), std::string::npos);
    EXPECT_NE(parse_error("{}").find("schema_version: missing field"), std::string::npos);
}

TEST(result_json, unknown_keys_are_ignored) {
    // Edited as text: Boost 1.81's own parser would round some doubles by one ulp.
    std::string text = result_to_json(populated_result());
    const auto replace = [&text](const std::string& from, const std::string& to) {
        const auto pos = text.find(from);
        ASSERT_NE(pos, std::string::npos) << from;
        text.replace(pos, from.size(), to);
    };
    replace("{\n  \"schema_version\": 8,",
            "{\"added_later\": {\"x\": [1]}, \"schema_version\": 8,");
    replace("\"mode\": \"sync\",", "\"mode\": \"sync\", \"extra_us\": 2.5,");
    expect_result_eq(populated_result(), parse_ok(text));
}

// A window as versions 1-2 wrote it: `answered` (counted by arrival) and one 2xx latency.
void window_as_version_2(boost::json::object& w) {
    w["answered"] = w["requests"];
    w.erase("requests");
    w["latency_us"] = w["latency_2xx_us"];
    w.erase("latency_2xx_us");
    w.erase("latency_all_us");
}

// The populated result as a version-6 writer would have written it: no capacity.
// The populated result as a version-7 writer would have written it: no descriptors and no
// resource samples in the cost parts.
boost::json::object as_version_7_doc(const run_result& r) {
    auto parsed = parse_json_exact(result_to_json(r));
    auto doc = std::get<boost::json::value>(parsed).as_object();
    doc["schema_version"] = 7;
    for (auto& kv : doc["modes"].as_object()) {
        for (auto& part : kv.value().as_object()["cost"].as_array()) {
            part.as_object().erase("peak_fds");
            part.as_object().erase("samples");
        }
    }
    return doc;
}

run_result read_back_from_version_7(run_result r) {
    for (auto& [name, mode] : r.modes) {
        for (auto& part : mode.cost) {
            part.peak_fds.reset();
            part.samples.clear();
        }
    }
    return r;
}

TEST(result_json, a_version_7_file_is_read_without_resource_samples) {
    const run_result back = parse_ok(to_pretty_json(as_version_7_doc(populated_result())));
    expect_result_eq(read_back_from_version_7(populated_result()), back);
    EXPECT_FALSE(back.modes.at("sync").cost[0].peak_fds.has_value());
}

boost::json::object as_version_6_doc(const run_result& r) {
    auto doc = as_version_7_doc(r);
    doc["schema_version"] = 6;
    doc.erase("capacity");
    return doc;
}

run_result read_back_from_version_6(run_result r) {
    r = read_back_from_version_7(std::move(r));
    r.capacity.reset();
    return r;
}

TEST(result_json, a_version_6_file_is_read_without_capacity) {
    const run_result back = parse_ok(to_pretty_json(as_version_6_doc(populated_result())));
    expect_result_eq(read_back_from_version_6(populated_result()), back);
    EXPECT_FALSE(back.capacity.has_value());
}

// The populated result as a version-5 writer would have written it: `slo` checks as text
// instead of thresholds, no repetitions. Edited through the exact parser and printer, so every
// double stays bit-exact.
boost::json::object as_version_5_doc(const run_result& r) {
    auto doc = as_version_6_doc(r);
    doc["schema_version"] = 5;
    doc["settings"].as_object().erase("repetitions");
    for (auto& kv : doc["modes"].as_object()) kv.value().as_object().erase("repetitions");
    boost::json::array slo;
    for (const auto& c : r.thresholds) {
        slo.emplace_back(boost::json::object{{"mode", c.mode},
                                             {"name", c.metric},
                                             {"target", c.bound_text},
                                             {"observed", c.observed_text},
                                             {"passed", c.passed}});
    }
    doc.erase("thresholds");
    doc["slo"] = std::move(slo);
    return doc;
}

// What a version-5 (or older) file reads back as: its SLO checks as text-only thresholds.
run_result read_back_from_version_5(run_result r) {
    r = read_back_from_version_6(std::move(r));
    for (auto& c : r.thresholds) {
        threshold_check text_only;
        text_only.mode = c.mode;
        text_only.metric = c.metric;
        text_only.threshold = c.metric + " " + c.bound_text;
        text_only.bound_text = c.bound_text;
        text_only.observed_text = c.observed_text;
        text_only.passed = c.passed;
        c = text_only;
    }
    return r;
}

// An older file is one run: one repetition per mode, its metrics the mode's as read. Applied
// last, to the result as expected after every other default.
run_result as_one_repetition(run_result r) {
    r.settings.repetitions = 1;
    for (auto& [name, m] : r.modes) m.repetitions = {{1, m.valid, mode_scalars(m)}};
    return r;
}

TEST(result_json, a_version_5_file_is_read_as_one_repetition_with_text_thresholds) {
    const run_result back = parse_ok(to_pretty_json(as_version_5_doc(populated_result())));
    expect_result_eq(as_one_repetition(read_back_from_version_5(populated_result())), back);
    ASSERT_EQ(back.modes.at("sync").repetitions.size(), 1u);
    EXPECT_EQ(back.modes.at("sync").repetitions[0].metrics.at("api_all_p99"),
              back.modes.at("sync").api_latency_all_us.p99_us);
}

// The populated result as a version-4 writer would have written it: no cost figures.
boost::json::object as_version_4_doc(const run_result& r) {
    auto doc = as_version_5_doc(r);
    doc["schema_version"] = 4;
    for (auto& kv : doc["modes"].as_object()) {
        auto& mode = kv.value().as_object();
        for (const char* key : {"cost", "cpu_s_per_1000_completed"}) mode.erase(key);
    }
    return doc;
}

// What a version-4 (or older) file reads back as: no cost figures, and a warning saying so.
run_result read_back_from_version_4(run_result r, int version = 4) {
    r = read_back_from_version_5(std::move(r));
    for (auto& [name, m] : r.modes) {
        m.cost.clear();
        m.cpu_s_per_1000_completed.reset();
        m.warnings.push_back("read from a version " + std::to_string(version) +
                             " result.json: it has no cost figures (CPU, memory, threads and "
                             "connections per part)");
    }
    return r;
}

TEST(result_json, a_version_4_file_is_read_with_no_cost_figures) {
    const run_result back = parse_ok(to_pretty_json(as_version_4_doc(populated_result())));
    expect_result_eq(as_one_repetition(read_back_from_version_4(populated_result())), back);
    EXPECT_TRUE(back.modes.at("async").cost.empty());
    EXPECT_FALSE(back.modes.at("async").cpu_s_per_1000_completed.has_value());
}

// The populated result as a version-3 writer would have written it: no business rejections,
// stage tallies, scenario metrics or invariants, no Redis.
boost::json::object as_version_3_doc(const run_result& r) {
    auto doc = as_version_4_doc(r);
    doc["schema_version"] = 3;
    doc["environment"].as_object().erase("redis");
    for (auto& kv : doc["modes"].as_object()) {
        auto& mode = kv.value().as_object();
        for (const char* key : {"rejected", "stages", "metrics", "invariants"}) mode.erase(key);
        mode["reconciliation"].as_object().erase("rejected");
    }
    return doc;
}

// What a version-3 file reads back as: the version-4 and -5 fields at their defaults.
run_result read_back_from_version_3(run_result r, int version = 3) {
    r = read_back_from_version_4(std::move(r), version);
    r.environment.redis.clear();
    for (auto& [name, m] : r.modes) {
        m.rejected = 0;
        m.reconciliation.rejected = 0;
        m.stages.clear();
        m.metrics.clear();
        m.invariants.clear();
    }
    return r;
}

TEST(result_json, a_version_3_file_is_read_with_the_version_4_fields_defaulted) {
    const run_result back = parse_ok(to_pretty_json(as_version_3_doc(populated_result())));
    expect_result_eq(as_one_repetition(read_back_from_version_3(populated_result())), back);
    EXPECT_TRUE(back.modes.at("sync").invariants.empty());
}

// The populated result as a version-2 writer would have written it: one API latency (2xx),
// arrival-time windows, no step errors or schedule lag, 0 for "nothing completed".
boost::json::object as_version_2_doc(const run_result& r) {
    auto doc = as_version_3_doc(r);
    doc["schema_version"] = 2;
    for (auto& kv : doc["modes"].as_object()) {
        auto& mode = kv.value().as_object();
        mode["api_latency_us"] = mode["api_latency_2xx_us"];
        mode.erase("api_latency_2xx_us");
        mode.erase("api_latency_all_us");
        mode.erase("schedule_lag_us");
        mode.erase("step_errors");
        mode["reconciliation"].as_object().erase("lost_by_reason");
        for (auto& fault : mode["faults"].as_array()) {
            fault.as_object().erase("deleted_unread_ids");
            fault.as_object().erase("deleted_unread_messages");
        }
        for (auto& impact : mode["fault_impacts"].as_array()) {
            for (const char* window : {"before", "during", "after"}) {
                window_as_version_2(impact.as_object()[window].as_object());
            }
        }
    }
    return doc;
}

// What a version-1 or -2 file reads back as: the version-3 fields at their defaults, and a
// warning saying what the old file lacks.
run_result read_back_from_version(run_result r, int version) {
    r = read_back_from_version_3(std::move(r), version);
    for (auto& [name, m] : r.modes) {
        m.api_latency_all_us = {};
        m.schedule_lag_us = {};
        m.step_errors.clear();
        m.reconciliation.lost_by_reason.clear();
        for (auto& fault : m.faults) {
            fault.deleted_unread_ids.clear();
            fault.deleted_unread_messages.reset();
        }
        for (auto& impact : m.fault_impacts) {
            for (auto* w : {&impact.before, &impact.during, &impact.after}) w->latency_all_us = {};
        }
        m.warnings.push_back("read from a version " + std::to_string(version) +
                             " result.json: it has no all-answers latency view, no step errors, "
                             "and its fault windows counted answers by arrival, not by send time");
    }
    return r;
}

TEST(result_json, a_version_2_file_is_read_with_the_version_3_fields_defaulted) {
    const run_result back = parse_ok(to_pretty_json(as_version_2_doc(populated_result())));
    const run_result expected = as_one_repetition(read_back_from_version(populated_result(), 2));
    expect_result_eq(expected, back);
    EXPECT_EQ(back.modes.at("sync").fault_impacts[0].during.requests, 2000u);
}

TEST(result_json, a_version_2_zero_full_completion_time_means_none_completed) {
    auto doc = as_version_2_doc(populated_result());
    doc["modes"].as_object()["sync"].as_object()["time_to_full_completion_s"] = 0;
    EXPECT_FALSE(parse_ok(to_pretty_json(doc)).modes.at("sync").time_to_full_completion_s);
}

// The populated result as a version-1 writer would have written it: the version-2 shape less
// the fault keys, status_503, redeliveries_absorbed and async_worker_processes.
std::string as_version_1(const run_result& r) {
    auto doc = as_version_2_doc(r);
    doc["schema_version"] = 1;
    doc["settings"].as_object().erase("async_worker_processes");
    for (auto& kv : doc["modes"].as_object()) {
        auto& mode = kv.value().as_object();
        mode["errors"].as_object().erase("status_503");
        mode["reconciliation"].as_object().erase("redeliveries_absorbed");
        mode.erase("faults");
        mode.erase("fault_impacts");
    }
    return to_pretty_json(doc);
}

TEST(result_json, a_version_1_file_is_read_with_the_new_fields_defaulted) {
    const std::string v1 = as_version_1(populated_result());
    ASSERT_EQ(v1.find("faults"), std::string::npos);
    ASSERT_EQ(v1.find("status_503"), std::string::npos);
    const run_result back = parse_ok(v1);
    // Everything version 1 had is read exactly; the rest is at its default.
    run_result expected = read_back_from_version(populated_result(), 1);
    expected.settings.async_worker_processes = 0;
    for (auto& [name, m] : expected.modes) {
        m.errors.status_503 = 0;
        m.reconciliation.redeliveries_absorbed = 0;
        m.faults.clear();
        m.fault_impacts.clear();
    }
    expected = as_one_repetition(std::move(expected));
    expect_result_eq(expected, back);
    EXPECT_EQ(back.schema_version, result_schema_version);
    // Written again, it is a current file.
    EXPECT_EQ(result_to_json(back), result_to_json(expected));
}

TEST(result_json, a_statistic_without_samples_is_null_not_zero) {
    run_result r;
    r.modes["async"].mode = "async";
    r.modes["async"].completion_latency_us = {};  // none completed
    const std::string text = result_to_json(r);
    const auto parsed = parse_json_exact(text);
    const auto& completion = std::get<boost::json::value>(parsed)
                                 .at("modes")
                                 .at("async")
                                 .at("completion_latency_us")
                                 .as_object();
    EXPECT_EQ(completion.at("count").to_number<std::uint64_t>(), 0u);
    for (const char* key : {"min", "p50", "p90", "p99", "p999", "max", "mean"}) {
        EXPECT_TRUE(completion.at(key).is_null()) << key;
    }
    EXPECT_NE(text.find("\"time_to_full_completion_s\": null"), std::string::npos);
    const run_result back = parse_ok(text);
    EXPECT_EQ(back.modes.at("async").completion_latency_us.count, 0u);
    EXPECT_EQ(back.modes.at("async").completion_latency_us.p99_us, 0.0);
    EXPECT_FALSE(back.modes.at("async").time_to_full_completion_s);
}

TEST(result_json, a_version_2_file_must_have_the_version_2_fields) {
    const std::string no_faults = edited_json([](boost::json::object& o) {
        o["modes"].as_object()["async"].as_object().erase("faults");
    });
    EXPECT_EQ(parse_error(no_faults), "result.json: modes.async.faults: missing field");
    const std::string no_503 = edited_json([](boost::json::object& o) {
        o["modes"].as_object()["sync"].as_object()["errors"].as_object().erase("status_503");
    });
    EXPECT_EQ(parse_error(no_503), "result.json: modes.sync.errors.status_503: missing field");
    const std::string bad_window = edited_json([](boost::json::object& o) {
        auto& impacts = o["modes"].as_object()["sync"].as_object()["fault_impacts"].as_array();
        impacts[0].as_object()["during"].as_object().erase("peak_backlog");
    });
    EXPECT_EQ(parse_error(bad_window),
              "result.json: modes.sync.fault_impacts[0].during.peak_backlog: missing field");
    const std::string bad_calls = edited_json([](boost::json::object& o) {
        auto& faults = o["modes"].as_object()["sync"].as_object()["faults"].as_array();
        faults[1].as_object()["calls_during"].as_object()["lp.X"] = "many";
    });
    EXPECT_EQ(parse_error(bad_calls),
              "result.json: modes.sync.faults[1].calls_during.lp.X: "
              "expected a non-negative integer");
}

TEST(result_json, empty_recovery_times_are_null_and_read_back_empty) {
    run_result r = populated_result();
    auto& impact = r.modes["sync"].fault_impacts[0];
    impact.backlog_recovered_s = std::nullopt;
    impact.latency_recovered_s = 0.0;
    const std::string text = result_to_json(r);
    EXPECT_NE(text.find("\"backlog_recovered_s\": null,"), std::string::npos);
    EXPECT_NE(text.find("\"latency_recovered_s\": 0.0,"), std::string::npos);
    const run_result read = parse_ok(text);
    const auto& back = read.modes.at("sync").fault_impacts.at(0);
    EXPECT_FALSE(back.backlog_recovered_s.has_value());
    ASSERT_TRUE(back.latency_recovered_s.has_value());
    EXPECT_EQ(*back.latency_recovered_s, 0.0);
}

}  // namespace
}  // namespace asyncbench
