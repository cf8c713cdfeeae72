#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "harness/result/result_json.hpp"
#include "reports/html_report.hpp"
#include "reports/markdown_report.hpp"
#include "reports/report_writer.hpp"

namespace asyncbench {
namespace {

// A fixed two-mode run (latency fields: count, min, p50, p90, p99, p99.9, max, mean).
run_result fixed_run() {
    run_result r;
    r.scenario = "lp-report";
    r.description = "LP report <save> & \"run\"";
    r.environment.asyncbench_version = "0.1.0";
    r.environment.git_commit = "1a2b3c4";
    r.environment.host = "bench-1";
    r.environment.cpu = "AMD EPYC 7B13";
    r.environment.cores = 2;
    r.environment.os = "Debian 12";
    r.environment.libraries = {{"boost", "1.81.0"}, {"librdkafka", "2.0.2"}};
    r.environment.broker_kind = "embedded-mock";
    r.environment.broker_description = "librdkafka mock cluster, 3 brokers (in memory)";
    r.environment.bootstrap_servers = "127.0.0.1:39092";
    r.environment.database = "sqlite";
    r.environment.started_at = "2024-05-01T12:00:00Z";
    r.settings.load_model = "open";
    r.settings.rate_per_s = 100;
    r.settings.warmup_s = 5;
    r.settings.duration_s = 60;
    r.settings.sync_worker_threads = 200;
    r.settings.async_partitions = 12;
    r.settings.async_consumers_per_group = 4;
    r.settings.stages = {"report"};
    r.settings.producer_settings = {{"acks", "all"}, {"linger.ms", "5"}};

    mode_result sync;
    sync.mode = "sync";
    sync.api_latency_2xx_us = {3672, 90000, 150000, 180000, 812345, 1500000, 2999999, 210000};
    sync.api_latency_all_us = {6000, 1000, 120000, 175000, 2400000, 9000000, 30000000, 900000};
    sync.completion_latency_us = sync.api_latency_2xx_us;
    sync.send_delay_us = {6000, 1, 40, 80, 120, 300, 900, 50};
    sync.schedule_lag_us = {6000, 1, 40, 80, 150, 300, 900, 50};
    sync.offered_per_s = 100;
    sync.achieved_per_s = 61.2;
    sync.availability = 0.612;
    sync.requests = 6000;
    sync.errors = {28, 2300, 0, 0, 0};
    sync.reconciliation.accepted = 3672;
    sync.reconciliation.completed = 3672;
    sync.reconciliation.unacknowledged_processed = 12;
    sync.reconciliation.calls = {{"lp", "LPRUN", 3672, 3684, 0, 0}};
    sync.time_to_full_completion_s = 66.04;
    sync.series = {{5, 100, 70, 30, 150000, 900000, 0}, {6, 100, 55, 45, 160000, 2500000, 0}};
    sync.warnings = {"sync worker pool saturated for 41 s"};

    mode_result async;
    async.mode = "async";
    async.api_latency_2xx_us = {5994, 400, 850, 2000, 4100, 9000, 15000, 1000};
    async.api_latency_all_us = {6000, 400, 850, 2000, 4100, 9000, 15000, 1000};
    async.completion_latency_us = {5992, 120000, 400000, 700000, 900000, 1400000, 2100000, 450000};
    async.send_delay_us = {6000, 1, 30, 60, 90, 200, 700, 40};
    async.offered_per_s = 100;
    async.achieved_per_s = 99.9;
    async.availability = 0.999;
    async.requests = 6000;
    async.errors = {0, 0, 0, 0, 6};
    async.reconciliation.accepted = 5994;
    async.reconciliation.completed = 5992;
    async.reconciliation.lost = 2;
    async.reconciliation.lost_ids = {"rpt-17", "rpt-<42>"};
    async.reconciliation.calls = {{"lp", "LPRUN", 5992, 5992, 0, 2}};
    async.drain_s = 1.5;
    async.time_to_full_completion_s = 67.2;
    async.series = {{5, 100, 100, 0, 900, 4000, 12}, {6, 100, 99, 1, 850, 4200, 85}};
    async.warnings = {"consumer <lag> grew to 85"};
    async.step_errors = {
        {"report", "lp_run", "lp.LPRUN answered 503", "lp.LPRUN answered 503", 1234}};
    async.valid = false;
    async.invalid_reasons = {"lost ids: 2"};

    r.modes["sync"] = sync;
    r.modes["async"] = async;
    threshold_check missed;
    missed.threshold = "api_all_p99 <= 500ms";
    missed.mode = "sync";
    missed.metric = "api_all_p99";
    missed.observed_text = "812.3 ms";
    missed.passed = false;
    threshold_check met = missed;
    met.mode = "async";
    met.observed_text = "4.10 ms";
    met.passed = true;
    threshold_check always = met;
    always.threshold = "lost <= 0";
    always.metric = "lost";
    always.observed_text = "2";
    always.passed = false;
    always.implicit = true;
    r.thresholds = {missed, met, always};
    r.valid = false;
    return r;
}

// A fault window whose requests were all answered alike, so both latency views are `latency`.
window_stats window(double start_s, double end_s, std::uint64_t requests, std::uint64_t ok,
                    std::uint64_t rejected_503, double availability, latency_summary latency,
                    std::int64_t peak_backlog) {
    return {start_s,      end_s,   requests, ok,          rejected_503,
            availability, latency, latency,  peak_backlog};
}

// fixed_run() with an LP outage over [15, 35) in both modes and a worker crash applied to async
// only, over a 70-second series.
run_result with_faults() {
    run_result r = fixed_run();
    for (auto& [name, m] : r.modes) {
        m.series.clear();
        for (std::int64_t t = 0; t <= 70; ++t) m.series.push_back({t, 100, 100, 0, 900, 4000, 5});
        fault_record outage;
        outage.name = "LP outage";
        outage.kind = "downstream_outage";
        outage.target = "lp.LPRUN";
        outage.start_s = 15.0;
        outage.end_s = 35.0;
        outage.action = "lp.LPRUN answers 503 at once";
        outage.calls_during = {{"lp.LPRUN", name == "sync" ? 0u : 412u}};
        fault_record crash;
        crash.name = "worker crash";
        crash.kind = "worker_crash";
        crash.target = name == "sync" ? "" : "worker 0 (pid 4242)";
        crash.start_s = 45.0;
        crash.end_s = 50.0;
        crash.applied = name != "sync";
        crash.action = name == "sync" ? "no worker processes in sync mode"
                                      : "kill -9 pid 4242; restarted as pid 4250";
        m.faults = {outage, crash};
    }
    // Windows: start, end, requests, ok, 503s, availability, all-answers latency, 2xx latency,
    // peak backlog. Latency fields: count, min, p50, p90, p99, p99.9, max, mean.
    fault_impact sync_outage;
    sync_outage.fault = "LP outage";
    sync_outage.before =
        window(5, 15, 1000, 1000, 0, 1.0, {1000, 1, 150000, 0, 400000, 0, 0, 0}, 20);
    sync_outage.during =
        window(15, 35, 2000, 60, 1940, 0.03, {60, 1, 900000, 0, 2500000, 0, 0, 0}, 200);
    sync_outage.after =
        window(35, 65, 3000, 2990, 0, 2990.0 / 3000.0, {2990, 1, 160000, 0, 450000, 0, 0, 0}, 25);
    sync_outage.backlog_recovered_s = 7.0;
    sync_outage.latency_recovered_s = 3.0;
    sync_outage.latency_reference =
        "p99 <= 1000.0 ms (api_p99 SLO 1s) and 2xx >= 100.00% (pre-fault)";
    r.modes["sync"].fault_impacts = {sync_outage};
    r.modes["sync"].errors.status_5xx = 1940;
    r.modes["sync"].errors.status_503 = 1940;

    fault_impact async_outage;
    async_outage.fault = "LP outage";
    async_outage.before = window(5, 15, 1000, 1000, 0, 1.0, {1000, 1, 850, 0, 4100, 0, 0, 0}, 12);
    async_outage.during =
        window(15, 35, 2000, 2000, 0, 1.0, {2000, 1, 870, 0, 4300, 0, 0, 0}, 2012);
    async_outage.after = window(35, 65, 3000, 3000, 0, 1.0, {3000, 1, 860, 0, 4200, 0, 0, 0}, 1500);
    async_outage.latency_reference =
        "p99 <= 1000.0 ms (api_p99 SLO 1s) and 2xx >= 100.00% (pre-fault)";
    fault_impact async_crash;
    async_crash.fault = "worker crash";
    async_crash.before = window(5, 45, 4000, 4000, 0, 1.0, {4000, 1, 850, 0, 4100, 0, 0, 0}, 30);
    async_crash.during = window(45, 50, 400, 398, 0, 0.995, {398, 1, 880, 0, 4000, 0, 0, 0}, 900);
    async_crash.after = window(50, 65, 1500, 1500, 0, 1.0, {1500, 1, 860, 0, 4200, 0, 0, 0}, 800);
    async_crash.backlog_recovered_s = 12.5;
    async_crash.latency_recovered_s = 0.0;
    async_crash.latency_reference =
        "p99 <= 6.2 ms (1.5 x pre-fault 2xx p99 4.1 ms) and 2xx >= "
        "100.00% (pre-fault)";
    r.modes["async"].fault_impacts = {async_outage, async_crash};
    r.modes["async"].reconciliation.redeliveries_absorbed = 37;
    r.modes["async"].reconciliation.calls = {{"lp", "LPRUN", 5992, 7490, 3, 2}};
    return r;
}

std::string markdown(const run_result& r) {
    std::ostringstream out;
    write_markdown_report(r, out);
    return out.str();
}

std::string html(const run_result& r) {
    std::ostringstream out;
    write_html_report(r, out);
    return out.str();
}

#define EXPECT_HAS(text, needle) \
    EXPECT_NE((text).find(needle), std::string::npos) << "missing: " << (needle) << "\n" << (text)

TEST(markdown_report, pins_the_side_by_side_table) {
    const std::string md = markdown(fixed_run());
    EXPECT_EQ(md.rfind("# AsyncBench report: lp-report\n", 0), 0u);
    for (const char* row : {
             "| Metric | sync | async |\n|---|---:|---:|\n",
             "| API latency p50, all answers (ms) | 120.0 | 0.85 |\n",
             "| API latency p90, all answers (ms) | 175.0 | 2.00 |\n",
             "| API latency p99, all answers (ms) | 2400.0 | 4.10 |\n",
             "| API latency p99.9, all answers (ms) | 9000.0 | 9.00 |\n",
             "| API latency max, all answers (ms) | 30000.0 | 15.00 |\n",
             "| API latency p50, 2xx (ms) | 150.0 | 0.85 |\n",
             "| API latency p90, 2xx (ms) | 180.0 | 2.00 |\n",
             "| API latency p99, 2xx (ms) | 812.3 | 4.10 |\n",
             "| API latency p99.9, 2xx (ms) | 1500.0 | 9.00 |\n",
             "| API latency max, 2xx (ms) | 3000.0 | 15.00 |\n",
             "| Completion latency p50 (ms) | 150.0 | 400.0 |\n",
             "| Completion latency p99 (ms) | 812.3 | 900.0 |\n",
             "| Send delay p99 (ms) | 0.12 | 0.09 |\n",
             "| Generator schedule lag p99 (ms) | 0.15 | not scheduled |\n",
             "| Offered rate (/s) | 100.0 | 100.0 |\n",
             "| Achieved rate (/s) | 61.2 | 99.9 |\n",
             "| Availability (2xx or 409 business answers) | 61.20% | 99.90% |\n",
             "| Requests (measured) | 6,000 | 6,000 |\n",
             "| Errors: connect | 28 | 0 |\n",
             "| Errors: timeout | 2,300 | 0 |\n",
             "| Errors: 5xx | 0 | 6 |\n",
             "| Errors: total | 2,328 | 6 |\n",
             "| Accepted | 3,672 | 5,994 |\n",
             "| Completed | 3,672 | 5,992 |\n",
             "| Lost | 0 | 2 |\n",
             "| Duplicate effects | 0 | 0 |\n",
             "| Processed without 2xx | 12 | 0 |\n",
             "| Drain time (s) | 0.00 | 1.50 |\n",
             "| Time to full completion (s) | 66.0 | 67.2 |\n",
         }) {
        EXPECT_HAS(md, row);
    }
}

TEST(markdown_report, pins_environment_settings_checks_warnings_thresholds_and_reasons) {
    const std::string md = markdown(fixed_run());
    for (const char* text : {
             "**Outcome: the measurement is NOT trustworthy (exit 3): async: lost ids: 2; async: "
             "2 acknowledged requests were lost; sync: threshold api_all_p99 <= 500ms missed: "
             "812.3 ms.**\n",
             "| async | report | lp_run | 1,234 | lp.LPRUN answered 503 |\n",
             "- Every part ran on one host over loopback",
             "| Git commit | 1a2b3c4 |\n",
             "| CPU | AMD EPYC 7B13 |\n",
             "| Cores | 2 |\n",
             "| Libraries | boost 1.81.0, librdkafka 2.0.2 |\n",
             "| Broker | embedded-mock (librdkafka mock cluster, 3 brokers (in memory)) |\n",
             "| Database | sqlite |\n",
             "| Requests | not set (duration bound) |\n",
             "| Producer settings | acks=all, linger.ms=5 |\n",
             "## Verdict\n\n- **Safety check failed (async): 2 accepted requests lost (first: "
             "rpt-17, rpt-<42>).**\n",
             "| sync | lp.LPRUN | 3,672 | 3,684 | 0 | 0 | ok |\n",
             "| async | lp.LPRUN | 5,992 | 5,992 | 0 | 2 | MISSING |\n",
             "Lost ids (async, 2 of 2; result.json lists up to 10,000): rpt-17, rpt-<42>\n",
             "- Kafka here is librdkafka's in-memory mock cluster: its latency is not "
             "representative of a real broker, and it keeps only about 5 MiB or 100,000 message "
             "sets per partition. Its broker holds each fetch for the whole fetch.wait.max.ms, so "
             "consumers use 10 ms here (a real broker answers as soon as data arrives); its CPU "
             "shows apart as the embedded Kafka cluster.\n",
             "- sync: sync worker pool saturated for 41 s\n",
             "- async: consumer <lag> grew to 85\n",
             "| sync | api_all_p99 <= 500ms | 812.3 ms | MISSED |\n",
             "| async | api_all_p99 <= 500ms | 4.10 ms | held |\n",
             "| async | lost <= 0 (always) | 2 | MISSED |\n",
             "## Invalid reasons\n\n- async: lost ids: 2\n",
         }) {
        EXPECT_HAS(md, text);
    }
    // The sections come in the documented order.
    std::size_t pos = 0;
    for (const char* heading :
         {"## Verdict", "## Warnings", "## Results", "## Step errors", "## Downstream call checks",
          "## Thresholds", "## Invalid reasons", "## Environment", "## Settings"}) {
        const auto found = md.find(heading, pos);
        ASSERT_NE(found, std::string::npos) << heading;
        pos = found;
    }
}

// fixed_run() with what each part cost (CPU s, peak RSS, threads, connections, counted).
run_result with_cost() {
    run_result r = fixed_run();
    r.modes["sync"].cost = {{"harness process", 31.3, 262144000, 215, 412, false, 640},
                            {"front door", 20.5, std::nullopt, 202, std::nullopt, true},
                            {"mocks", 4.0, std::nullopt, 5, std::nullopt, false},
                            {"kafka clients", 0.125, std::nullopt, 12, std::nullopt, false},
                            {"harness (other)", 6.6, std::nullopt, 3, std::nullopt, true}};
    r.modes["sync"].cpu_s_per_1000_completed = (20.5 + 6.6) / 3672 * 1000;
    r.modes["async"].cost = {{"harness process", 30.0, 314572800, 150, 140, false, 310},
                             {"front door", 3.5, std::nullopt, 3, std::nullopt, true},
                             {"consumers", 6.0, std::nullopt, 64, std::nullopt, true},
                             {"kafka clients", 4.2, std::nullopt, 40, std::nullopt, true},
                             {"mocks", 4.0, std::nullopt, 5, std::nullopt, false},
                             {"harness (other)", 0.3, std::nullopt, 4, std::nullopt, true},
                             {"broker 1", 12.5, 1073741824, 90, 7, true, 180}};
    r.modes["async"].cpu_s_per_1000_completed = 26.5 / 5992 * 1000;
    return r;
}

TEST(markdown_report, pins_the_cost_table_and_its_verdict_line) {
    const std::string md = markdown(with_cost());
    EXPECT_HAS(md,
               "\n## Cost\n\nCPU seconds (user + system) from readiness to the end of the drain");
    EXPECT_HAS(md,
               "| Mode | Part | CPU s | CPU s per 1,000 completed | Peak RSS | Peak threads | Peak "
               "connections | Peak descriptors |\n|---|---|---:|---:|---:|---:|---:|---:|\n"
               "| sync | harness process | 31.3 | not counted | 250.0 MiB | 215 | 412 | 640 |\n"
               "| sync | front door | 20.5 | 5.58 | n/a | 202 | n/a | n/a |\n"
               "| sync | mocks | 4.00 | not counted | n/a | 5 | n/a | n/a |\n"
               "| sync | kafka clients | 0.125 | not counted | n/a | 12 | n/a | n/a |\n"
               "| sync | harness (other) | 6.60 | 1.80 | n/a | 3 | n/a | n/a |\n"
               "| sync | all counted | 27.1 | 7.38 |  |  |  |  |\n"
               "| async | harness process | 30.0 | not counted | 300.0 MiB | 150 | 140 | 310 |\n"
               "| async | front door | 3.50 | 0.584 | n/a | 3 | n/a | n/a |\n"
               "| async | consumers | 6.00 | 1.00 | n/a | 64 | n/a | n/a |\n"
               "| async | kafka clients | 4.20 | 0.701 | n/a | 40 | n/a | n/a |\n"
               "| async | mocks | 4.00 | not counted | n/a | 5 | n/a | n/a |\n"
               "| async | harness (other) | 0.300 | 0.050 | n/a | 4 | n/a | n/a |\n"
               "| async | broker 1 | 12.5 | 2.09 | 1024.0 MiB | 90 | 7 | 180 |\n"
               "| async | all counted | 26.5 | 4.42 |  |  |  |  |\n\n## Step errors");
    EXPECT_HAS(md,
               "- CPU per 1,000 completed requests: sync 7.38 s, async 4.42 s (the mocks and the "
               "load generator excluded).\n");
    // The verdict's last line.
    EXPECT_HAS(md, "(the mocks and the load generator excluded).\n\n## Warnings");
    EXPECT_HAS(html(with_cost()),
               "<h2>Cost</h2>\n<p>CPU seconds (user + system) from readiness to the end of the "
               "drain");
    EXPECT_HAS(html(with_cost()),
               "<tr><td>async</td><td>broker 1</td><td class=\"num\">12.5</td><td "
               "class=\"num\">2.09</td><td class=\"num\">1024.0 MiB</td><td "
               "class=\"num\">90</td><td class=\"num\">7</td><td class=\"num\">180</td></tr>");
}

TEST(markdown_report, cost_of_a_mode_that_completed_nothing_and_of_a_run_that_measured_none) {
    run_result r = with_cost();
    r.modes["async"].reconciliation.completed = 0;
    r.modes["async"].cpu_s_per_1000_completed.reset();
    const std::string md = markdown(r);
    EXPECT_HAS(md, "| async | front door | 3.50 | none completed | n/a | 3 | n/a | n/a |\n");
    EXPECT_HAS(md, "| async | all counted | 26.5 | none completed |  |  |  |  |\n");
    EXPECT_HAS(md,
               "- CPU per 1,000 completed requests: sync 7.38 s, async none completed (the "
               "mocks and the load generator excluded).\n");
    // A result.json older than version 5 has no cost: no section, no verdict line.
    const std::string old = markdown(fixed_run());
    EXPECT_EQ(old.find("## Cost"), std::string::npos);
    EXPECT_EQ(old.find("CPU per 1,000"), std::string::npos);
    EXPECT_EQ(html(fixed_run()).find("<h2>Cost</h2>"), std::string::npos);
}

// A run where most requests end in a business rejection (a sold-out coupon): the CPU per
// completed request would charge the few completed for all; the per-finished figure is added.
TEST(markdown_report, cost_per_finished_request_is_added_when_requests_were_rejected) {
    run_result r = with_cost();
    const double completed = static_cast<double>(r.modes["sync"].reconciliation.completed);
    r.modes["sync"].stages = {
        stage_tally{"claim", 0, 0, 0, static_cast<std::uint64_t>(completed * 3), 0}};
    const std::string md = markdown(r);
    // sync: 27.1 counted CPU s over (completed + 3 x completed) = a quarter of 7.38 s per 1,000.
    EXPECT_HAS(md,
               "; per 1,000 finished (completed or rejected as business answers): sync "
               "1.85 s, async 4.42 s (the mocks");
}

TEST(markdown_report, external_broker_has_no_mock_warning_and_pipes_are_escaped) {
    run_result r = fixed_run();
    r.environment.broker_kind = "external";
    r.environment.bootstrap_servers = "kafka-1:9092,127.0.0.1:9093";
    r.environment.database = "PostgreSQL at postgres://bench@[::1]:5432/asyncbench";
    r.environment.host = "a|b";
    r.modes["sync"].warnings.clear();
    r.modes["async"].warnings.clear();
    const std::string md = markdown(r);
    EXPECT_EQ(md.find("mock cluster: its latency"), std::string::npos);
    // Only the locality note is left, and it names what was reached over a network.
    EXPECT_HAS(md,
               "## Warnings\n\n- The load generator, APIs, mock systems and consumers ran on one "
               "host over loopback; Kafka (kafka-1:9092,127.0.0.1:9093) ran elsewhere: their round "
               "trips include a real network, the mock systems' do not.\n\n");
    EXPECT_HAS(md, "| Host | a\\|b |\n");
}

TEST(markdown_report, one_mode_only_has_one_column) {
    run_result r = fixed_run();
    r.modes.erase("sync");
    r.thresholds.erase(r.thresholds.begin());  // the sync one
    const std::string md = markdown(r);
    EXPECT_HAS(md, "## Results: async\n\n| Metric | async |\n|---|---:|\n");
    EXPECT_HAS(md, "| API latency p99, 2xx (ms) | 4.10 |\n");
    EXPECT_HAS(md, "Only the async pipeline ran");
    EXPECT_EQ(md.find("| sync"), std::string::npos);
}

TEST(markdown_report, no_mode_at_all) {
    run_result r;
    const std::string md = markdown(r);
    EXPECT_HAS(md, "No mode ran.");
    EXPECT_HAS(md, "- No mode ran: nothing can be concluded.\n");
}

TEST(html_report, is_self_contained_escaped_and_has_charts) {
    run_result r = fixed_run();
    r.scenario = "<script>alert('x')</script>";
    const std::string page = html(r);
    EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_EQ(page.find("<script"), std::string::npos);
    EXPECT_HAS(page, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    EXPECT_HAS(page, "LP report &lt;save&gt; &amp; &quot;run&quot;");
    EXPECT_HAS(page, "consumer &lt;lag&gt; grew to 85");
    EXPECT_HAS(page, "rpt-&lt;42&gt;");
    EXPECT_EQ(page.find("rpt-<42>"), std::string::npos);
    // No external assets.
    EXPECT_EQ(page.find("src="), std::string::npos);
    EXPECT_EQ(page.find("<link"), std::string::npos);
    // Three charts with axis labels and a line per mode.
    std::size_t svgs = 0;
    for (auto pos = page.find("<svg"); pos != std::string::npos; pos = page.find("<svg", pos + 1)) {
        ++svgs;
    }
    EXPECT_EQ(svgs, 3u);
    EXPECT_HAS(page, "time since the start of warm-up (s)");
    EXPECT_HAS(page, "p99 latency (ms)");
    EXPECT_HAS(page, ">sync p99</text>");
    EXPECT_HAS(page, ">async errors/s</text>");
    EXPECT_HAS(page, ">async backlog</text>");
    EXPECT_HAS(page, "<polyline");
}

TEST(html_report, has_the_same_content_as_the_markdown) {
    const std::string page = html(fixed_run());
    EXPECT_HAS(page,
               "<li><strong>Safety check failed (async): 2 accepted requests lost (first: "
               "rpt-17, rpt-&lt;42&gt;).</strong></li>");
    EXPECT_HAS(page,
               "<tr><td>API latency p99, 2xx (ms)</td><td class=\"num\">812.3</td>"
               "<td class=\"num\">4.10</td></tr>");
    EXPECT_HAS(page, "<td class=\"bad\">MISSING</td>");
    EXPECT_HAS(page, "Kafka here is librdkafka&#39;s in-memory mock cluster");
    EXPECT_HAS(page, "<h2>Invalid reasons</h2>\n<ul>\n<li>async: lost ids: 2</li>");
}

TEST(html_report, one_mode_only_and_no_samples) {
    run_result r = fixed_run();
    r.modes.erase("async");
    r.modes["sync"].series.clear();
    const std::string page = html(r);
    EXPECT_HAS(page, "<tr><th>Metric</th><th>sync</th></tr>");
    EXPECT_HAS(
        page, "API latency p99 of the 2xx answers arriving in each second: no per-second samples.");
    EXPECT_EQ(page.find("<svg"), std::string::npos);
    EXPECT_HAS(page, "Only the sync baseline ran");
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
        ++n;
    }
    return n;
}

TEST(markdown_report, faults_section_follows_the_warnings_with_each_modes_numbers) {
    const std::string md = markdown(with_faults());
    std::size_t pos = 0;
    for (const char* heading :
         {"## Verdict", "## Warnings", "## Faults",
          "### Fault 1: LP outage "
          "(downstream_outage)",
          "### Fault 2: worker crash (worker_crash)",
          "### Retry amplification and invariants (whole run)", "## Results"}) {
        const auto found = md.find(heading, pos);
        ASSERT_NE(found, std::string::npos) << heading << "\n" << md;
        pos = found;
    }
    for (const char* text : {
             "- sync: lp.LPRUN answers 503 at once (target lp.LPRUN), from 15.0 s to 35.0 s; "
             "calls received meanwhile: lp.LPRUN 0\n",
             "| Metric | sync before | sync during | sync after | async before | async during | "
             "async after |\n|---|---:|---:|---:|---:|---:|---:|\n",
             "| Window (s) | 5.0-15.0 | 15.0-35.0 | 35.0-65.0 | 5.0-15.0 | 15.0-35.0 | 35.0-65.0 "
             "|\n",
             "| Availability | 100.00% | 3.00% | 99.67% | 100.00% | 100.00% | 100.00% |\n",
             "| Requests sent in it | 1,000 | 2,000 | 3,000 | 1,000 | 2,000 | 3,000 |\n",
             "| 503 answers | 0 | 1,940 | 0 | 0 | 0 | 0 |\n",
             "| API p50, all answers (ms) | 150.0 | 900.0 | 160.0 | 0.85 | 0.87 | 0.86 |\n",
             "| API p99, 2xx (ms) | 400.0 | 2500.0 | 450.0 | 4.10 | 4.30 | 4.20 |\n",
             "| Peak backlog | 20 | 200 | 25 | 12 | 2,012 | 1,500 |\n",
             "- sync: backlog back to pre-fault level after 7.00 s; latency back within p99 <= "
             "1000.0 ms (api_p99 SLO 1s) and 2xx >= 100.00% (pre-fault) after 3.00 s.\n",
             "- async: backlog not back to pre-fault level within the run; latency not back "
             "within p99 <= 1000.0 ms (api_p99 SLO 1s) and 2xx >= 100.00% (pre-fault) within "
             "the run.\n",
             "- async: lp.LPRUN answers 503 at once (target lp.LPRUN), from 15.0 s to 35.0 s; "
             "calls received meanwhile: lp.LPRUN 412\n",
             // Fault 2: not applied to sync, so only async columns.
             "- not applied to sync: no worker processes in sync mode\n- async: kill -9 pid "
             "4242; restarted as pid 4250 (target worker 0 (pid 4242)), from 45.0 s to 50.0 s\n",
             "| Metric | async before | async during | async after |\n",
             "| Window (s) | 5.0-45.0 | 45.0-50.0 | 50.0-65.0 |\n",
             "| Availability | 100.00% | 99.50% | 100.00% |\n",
             "| Peak backlog | 30 | 900 | 800 |\n",
             "- async: backlog back to pre-fault level after 12.5 s; latency back within p99 <= "
             "6.2 ms (1.5 x pre-fault 2xx p99 4.1 ms) and 2xx >= 100.00% (pre-fault) after 0.00 "
             "s.\n",
             // Whole run.
             "- sync: lp.LPRUN 1.00x\n- async: lp.LPRUN 1.25x\n",
             "| Invariant | sync | async |\n",
             "| Accepted (2xx) | 3,672 | 5,994 |\n",
             "| Dead-lettered | 0 | 0 |\n",
             "| Lost | 0 | 2 (rpt-17, rpt-<42>) |\n",
             "| Duplicate effects | 0 | 0 |\n",
             "| Redeliveries absorbed (idempotent) | 0 | 37 |\n",
             "| Ids reaching a mock more than once | lp.LPRUN 0 | lp.LPRUN 3 |\n",
             "| 503 answers (explicit backpressure) | 1,940 | 0 |\n",
             // The comparison table has the new counts too.
             "| Errors: 5xx of which 503 | 1,940 | 0 |\n",
             "| Redeliveries absorbed | 0 | 37 |\n",
             // And the verdict compares the modes during each fault.
             "- During 'LP outage' (20.0 s): sync answered 3.00% of the requests sent in it 2xx, "
             "async 100.00%; accepted requests lost over the whole run: sync 0, async 2.\n",
         }) {
        EXPECT_HAS(md, text);
    }
    // Fault 2's table has no sync column.
    const auto fault2 = md.find("### Fault 2");
    const auto fault2_end = md.find("### Retry amplification");
    EXPECT_EQ(md.substr(fault2, fault2_end - fault2).find("| sync before"), std::string::npos);
}

TEST(markdown_report, a_run_without_faults_has_no_faults_section) {
    const std::string md = markdown(fixed_run());
    EXPECT_EQ(md.find("## Faults"), std::string::npos);
    EXPECT_EQ(md.find("Retry amplification"), std::string::npos);
    EXPECT_EQ(md.find("During '"), std::string::npos);
    EXPECT_EQ(html(fixed_run()).find("Faults"), std::string::npos);
    EXPECT_EQ(html(fixed_run()).find("class=\"fault"), std::string::npos);
}

TEST(html_report, faults_section_and_shaded_fault_bands_on_every_chart) {
    const std::string page = html(with_faults());
    const auto faults = page.find("<h2>Faults</h2>");
    ASSERT_NE(faults, std::string::npos);
    EXPECT_LT(page.find("<h2>Warnings</h2>"), faults);
    EXPECT_LT(faults, page.find("<h2>Results"));
    EXPECT_HAS(page, "<h3>Fault 1: LP outage (downstream_outage)</h3>");
    EXPECT_HAS(page,
               "<tr><td>Availability</td><td class=\"num\">100.00%</td>"
               "<td class=\"num\">3.00%</td><td class=\"num\">99.67%</td>");
    EXPECT_HAS(page, "<li>not applied to sync: no worker processes in sync mode</li>");
    EXPECT_HAS(page,
               "<tr><td>Lost</td><td class=\"num\">0</td><td class=\"num\">2 (rpt-17, "
               "rpt-&lt;42&gt;)</td></tr>");
    // Three charts, each shading the sync outage, the async outage and the async crash: 9
    // bands; each fault's name drawn once per chart.
    EXPECT_EQ(occurrences(page, "<svg"), 3u);
    EXPECT_EQ(occurrences(page, "<g class=\"fault\">"), 9u);
    EXPECT_EQ(occurrences(page, "<text class=\"fault-label\""), 6u);
    EXPECT_EQ(occurrences(page, ">LP outage</text>"), 3u);
    EXPECT_EQ(occurrences(page, ">worker crash</text>"), 3u);
    // x axis 0..70 s over 670 px from x = 70: 15 s -> 213.6, 20 s wide -> 191.4 px.
    EXPECT_HAS(page,
               "<g class=\"fault\"><title>LP outage (sync): 15.0 s to 35.0 s, lp.LPRUN "
               "answers 503 at once</title><rect x=\"213.6\" y=\"48\" width=\"191.4\" "
               "height=\"184\" fill=\"#d95f02\" fill-opacity=\"0.12\"/>");
    EXPECT_HAS(page,
               "<title>worker crash (async): 45.0 s to 50.0 s, kill -9 pid 4242; "
               "restarted as pid 4250</title><rect x=\"500.7\"");
    EXPECT_EQ(page.find("worker crash (sync)"), std::string::npos);
    // Bands are drawn before the lines, so the lines stay on top.
    EXPECT_LT(page.find("<g class=\"fault\">"), page.find("<polyline"));
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(report_writer, writes_all_three_files_and_the_report_regenerates_from_result_json) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("asyncbench_report_test_" + std::to_string(::getpid())) / "nested";
    std::filesystem::remove_all(dir.parent_path());
    const run_result r = with_faults();
    write_reports(r, dir);
    const std::string json = read_file(dir / "result.json");
    const std::string md = read_file(dir / "report.md");
    EXPECT_EQ(json, result_to_json(r));
    EXPECT_EQ(md, markdown(r));
    EXPECT_EQ(read_file(dir / "report.html"), html(r));
    EXPECT_FALSE(std::filesystem::exists(dir / "result.json.tmp"));
    // The report is a function of result.json alone.
    const auto back = result_from_json(json);
    ASSERT_TRUE(std::holds_alternative<run_result>(back));
    EXPECT_EQ(markdown(std::get<run_result>(back)), md);
    std::filesystem::remove_all(dir.parent_path());
}

TEST(report_writer, failure_throws_naming_the_path) {
    const auto file = std::filesystem::temp_directory_path() /
                      ("asyncbench_report_test_file_" + std::to_string(::getpid()));
    std::ofstream(file) << "x";
    try {
        write_reports(fixed_run(), file / "out");
        ADD_FAILURE() << "expected std::runtime_error";
    } catch (const std::runtime_error& e) {
        EXPECT_HAS(std::string(e.what()), (file / "out").string());
    }
    std::filesystem::remove(file);
}

}  // namespace
}  // namespace asyncbench
