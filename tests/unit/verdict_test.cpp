#include "reports/verdict.hpp"

#include <gtest/gtest.h>

#include <string>

namespace asyncbench {
namespace {

// A clean lp-report-like run: sync slow but coping, async fast to acknowledge, no losses.
// Latency fields in order: count, min, p50, p90, p99, p99.9, max, mean.
run_result clean_run() {
    run_result r;
    r.scenario = "lp-report";
    r.settings.sync_worker_threads = 200;
    r.settings.stages = {"report"};
    mode_result sync;
    sync.mode = "sync";
    sync.api_latency_all_us = {6000, 150000, 180000, 190000, 200000, 240000, 260000, 182000};
    sync.api_latency_2xx_us = sync.api_latency_all_us;
    sync.completion_latency_us = sync.api_latency_all_us;
    sync.offered_per_s = 100;
    sync.achieved_per_s = 99.9;
    sync.availability = 1.0;
    sync.requests = 6000;
    sync.reconciliation.accepted = 6000;
    sync.reconciliation.completed = 6000;
    sync.time_to_full_completion_s = 60.3;
    mode_result async = sync;
    async.mode = "async";
    async.api_latency_all_us = {6000, 1000, 2000, 3000, 5000, 9000, 12000, 2100};
    async.api_latency_2xx_us = async.api_latency_all_us;
    async.completion_latency_us = {6000, 150000, 400000, 700000, 900000, 1500000, 2000000, 450000};
    async.drain_s = 1.5;
    async.time_to_full_completion_s = 61.8;
    async.series = {{0, 100, 100, 0, 2000, 5000, 10}, {1, 100, 100, 0, 2000, 5000, 85}};
    r.modes["sync"] = sync;
    r.modes["async"] = async;
    return r;
}

bool contains_line(const std::vector<std::string>& lines, const std::string& text) {
    for (const auto& l : lines) {
        if (l.find(text) != std::string::npos) return true;
    }
    return false;
}

std::string dump(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

// Polling versus events: freshness per mode and the load each put on the polled source,
// normalised per 1,000 accepted requests; only a mode with poll metrics polled anything.
TEST(verdict, a_polled_run_compares_freshness_and_the_load_on_the_source) {
    auto r = clean_run();
    EXPECT_FALSE(contains_line(verdict_lines(r), "polled source")) << "no mode polled";
    auto& sync = r.modes["sync"];
    sync.completion_latency_us = {6000,    10000,   2500000, 4000000,
                                  4800000, 4900000, 5000000, 2500000};
    sync.metrics = {{"poll_requests", 42},
                    {"poll_requests_peak_per_s", 9},
                    {"poll_rows_fetched", 12000},
                    {"poll_rows_refetched", 6000},
                    {"poll_bytes_fetched", 2048000}};
    const auto lines = verdict_lines(r);
    EXPECT_TRUE(contains_line(lines,
                              "p50 / p99 / max: sync 2.50 / 4.80 / 5.00 s, async 0.40 / "
                              "0.90 / 2.00 s."))
        << dump(lines);
    EXPECT_TRUE(contains_line(lines,
                              "sync made 42 requests (7 per 1,000 accepted, busiest second "
                              "9), fetching 12,000 rows (2,000 per 1,000; 6,000 of them "
                              "read again) and 2,000 KiB; async asked the source nothing"))
        << dump(lines);
}

TEST(verdict, clean_run_states_the_passed_safety_check_first) {
    const auto lines = verdict_lines(clean_run());
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.front(),
              "Safety check passed: no accepted request was lost and no effect was applied "
              "twice (accepted: sync 6,000, async 6,000).");
    EXPECT_FALSE(contains_line(lines, "**")) << dump(lines);
}

TEST(verdict, lost_requests_are_the_first_line_in_bold) {
    run_result r = clean_run();
    r.modes["async"].reconciliation.lost = 2;
    r.modes["async"].reconciliation.lost_ids = {"order-7", "order-9"};
    r.modes["sync"].reconciliation.duplicate_effects = 1;
    const auto lines = verdict_lines(r);
    ASSERT_GE(lines.size(), 2u);
    EXPECT_EQ(lines[0], "**Safety check failed (sync): 1 effect applied more than once.**");
    EXPECT_EQ(lines[1],
              "**Safety check failed (async): 2 accepted requests lost (first: order-7, "
              "order-9).**");
    EXPECT_FALSE(contains_line(lines, "Safety check passed"));
}

// The 1,145-request loss of a real run, in one sentence with its reason: the headline that was
// "Safety check passed" before the checker asked Kafka.
TEST(verdict, a_loss_says_why_in_one_sentence) {
    run_result r = clean_run();
    auto& rec = r.modes["async"].reconciliation;
    rec.lost = 1145;
    rec.lost_ids = {"rpt-1", "rpt-2", "rpt-3", "rpt-4"};
    rec.lost_by_reason = {{"deleted before it was consumed", 1140},
                          {"not finished, and nothing was left to process it", 5}};
    const auto lines = verdict_lines(r);
    EXPECT_EQ(lines[0],
              "**Safety check failed (async): 1,145 accepted requests lost (first: rpt-1, rpt-2, "
              "rpt-3): 1,140 deleted before it was consumed; 5 not finished, and nothing was "
              "left to process it.**");
}

TEST(verdict, async_faster_api_is_stated_with_the_ratio_and_as_an_acknowledgement) {
    const auto lines = verdict_lines(clean_run());
    EXPECT_TRUE(contains_line(
        lines,
        "Async answered 40.0x faster at API p99 over all answers (sync 200.0 ms, async 5.00 ms; "
        "p50 sync "
        "180.0 ms, async 2.00 ms). That is the time to the API's answer once the "
        "request is in Kafka, not to all the work being done."))
        << dump(lines);
}

TEST(verdict, slower_async_api_is_not_sold_as_faster) {
    run_result r = clean_run();
    r.modes["async"].api_latency_all_us.p99_us = 500000;
    r.modes["async"].api_latency_2xx_us.p99_us = 500000;
    const auto lines = verdict_lines(r);
    EXPECT_TRUE(contains_line(lines, "Sync answered 2.5x faster at API p99 over all answers"))
        << dump(lines);
    EXPECT_FALSE(contains_line(lines, "Async answered"));

    r.modes["async"].api_latency_all_us.p99_us = 210000;  // within 10%
    r.modes["async"].api_latency_2xx_us.p99_us = 210000;
    EXPECT_TRUE(contains_line(verdict_lines(r),
                              "API p99 over all answers is about the same in both modes"));
}

// A hang that ends in failures: the 2xx view looks fine, the all-answers view does not, and
// the verdict judges by the all-answers view while showing the other.
TEST(verdict, slow_failures_count_in_the_api_comparison) {
    run_result r = clean_run();
    auto& sync = r.modes["sync"];
    sync.api_latency_all_us.p99_us = 30'000'000;  // timeouts
    const auto lines = verdict_lines(r);
    EXPECT_TRUE(contains_line(lines,
                              "Async answered 6000.0x faster at API p99 over all answers (sync "
                              "30000.0 ms, async 5.00 ms; p50 sync 180.0 ms, async 2.00 ms; over "
                              "2xx answers only, p99 sync 200.0, async 5.00)"))
        << dump(lines);
}

// Sync refusing 40% of requests with a fast 503 looks quick in the all-answers view: a fast
// refusal is not a fast answer, so no "faster" while either mode failed over 1%.
TEST(verdict, a_mode_that_refuses_requests_is_not_called_faster) {
    run_result r = clean_run();
    r.modes["sync"].availability = 0.6033;
    r.modes["sync"].api_latency_all_us.p99_us = 4000;
    const auto lines = verdict_lines(r);
    EXPECT_TRUE(contains_line(lines,
                              "not compared as faster or slower, because the modes did not "
                              "answer the same share of requests 2xx (availability sync "
                              "60.33%, async 100.00%)."))
        << dump(lines);
    EXPECT_FALSE(contains_line(lines, "answered")) << dump(lines);
}

TEST(verdict, async_completing_later_than_it_acknowledges_is_said_with_numbers) {
    const auto lines = verdict_lines(clean_run());
    EXPECT_TRUE(contains_line(lines,
                              "async acknowledges in 2.00 ms (p50) but the work completes only "
                              "after 400.0 ms (p50) / 900.0 ms (p99): accepted is not done."))
        << dump(lines);
    EXPECT_TRUE(contains_line(
        lines,
        "Work completion p99: sync 200.0 ms, async 900.0 ms: async completes work 4.5x "
        "later."))
        << dump(lines);
    EXPECT_TRUE(contains_line(lines,
                              "async backlog (accepted, not yet completed) peaked at 85; "
                              "after the load ended, finishing it took 1.50 s."));
}

TEST(verdict, sync_not_keeping_up_and_thread_exhaustion_are_detected) {
    run_result r = clean_run();
    auto& sync = r.modes["sync"];
    sync.achieved_per_s = 61.2;
    sync.availability = 0.612;
    sync.errors.timeout = 2300;
    sync.errors.connect = 28;
    const auto lines = verdict_lines(r);
    EXPECT_TRUE(contains_line(lines,
                              "sync API did not keep up with the offered rate: achieved only "
                              "61.2/s of 100.0/s offered (61.20%), availability 61.20%."))
        << dump(lines);
    EXPECT_TRUE(contains_line(lines,
                              "sync errors: 2,328 of 6,000 measured requests (38.80%): 2,300 "
                              "timeouts, 28 connection failures. Timeouts and refused "
                              "connections are consistent with all 200 worker threads being busy"))
        << dump(lines);
    EXPECT_TRUE(contains_line(lines,
                              "async API kept up with the offered rate: achieved 99.9/s "
                              "of 100.0/s offered (99.90%), availability 100.00%."));
}

TEST(verdict, high_rate_but_low_availability_is_not_keeping_up) {
    run_result r = clean_run();
    r.modes["async"].availability = 0.95;
    EXPECT_TRUE(contains_line(verdict_lines(r), "async API did not keep up"));
}

TEST(verdict, one_mode_only_says_what_cannot_be_concluded) {
    run_result r = clean_run();
    r.modes.erase("async");
    auto lines = verdict_lines(r);
    EXPECT_TRUE(contains_line(lines, "Only the sync baseline ran")) << dump(lines);
    EXPECT_TRUE(contains_line(lines, "no gain or loss from moving to Kafka can be concluded"));
    EXPECT_TRUE(contains_line(
        lines, "sync API latency over all answers: p50 180.0 ms, p99 200.0 ms (6,000 answers)."))
        << dump(lines);
    EXPECT_FALSE(contains_line(lines, "faster"));
    EXPECT_FALSE(contains_line(lines, "Work completion p99"));

    r = clean_run();
    r.modes.erase("sync");
    lines = verdict_lines(r);
    EXPECT_TRUE(contains_line(lines, "Only the async pipeline ran: without the sync baseline"));
    EXPECT_FALSE(contains_line(lines, "faster"));
    // What the one mode shows is still said.
    EXPECT_TRUE(contains_line(lines, "async acknowledges in 2.00 ms"));
}

TEST(verdict, no_mode_ran_concludes_nothing) {
    const auto lines = verdict_lines(run_result{});
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0], "No mode ran: nothing can be concluded.");
}

TEST(verdict, multi_stage_workflow_gives_time_to_full_completion_per_mode) {
    run_result r = clean_run();
    r.settings.stages = {"payroll", "orgchart", "erp"};
    r.modes["sync"].time_to_full_completion_s = 95.0;
    r.modes["async"].time_to_full_completion_s = 38.0;
    const auto lines = verdict_lines(r);
    EXPECT_TRUE(contains_line(lines,
                              "Time to full completion across 3 stages (payroll, orgchart, erp): "
                              "sync 95.0 s, async 38.0 s. Async finished everything 2.5x "
                              "sooner."))
        << dump(lines);
    EXPECT_FALSE(contains_line(verdict_lines(clean_run()), "Time to full completion"));
}

TEST(verdict, invalid_run_and_other_reconciliation_findings_are_stated) {
    run_result r = clean_run();
    r.valid = false;
    r.modes["async"].valid = false;
    r.modes["async"].invalid_reasons = {"send delay p99 above 10 ms", "broker retention"};
    r.modes["async"].reconciliation.dead_lettered = 4;
    r.modes["async"].reconciliation.pending = 1;
    r.modes["sync"].reconciliation.unacknowledged_processed = 12;
    threshold_check missed;
    missed.threshold = "api_all_p99 <= 100ms";
    missed.mode = "sync";
    missed.observed_text = "200.0 ms";
    missed.passed = false;
    threshold_check held = missed;
    held.mode = "async";
    held.passed = true;
    threshold_check implicit = missed;  // said by the safety line, not counted here
    implicit.threshold = "lost <= 0";
    implicit.implicit = true;
    r.thresholds = {missed, held, implicit};
    const auto lines = verdict_lines(r);
    EXPECT_EQ(lines[1],
              "**The measurement is not trustworthy (async: send delay p99 above 10 ms; 1 more): "
              "treat the figures below as indicative only (exit 3).**");
    EXPECT_TRUE(contains_line(lines, "async: 4 accepted requests were dead-lettered"));
    EXPECT_TRUE(contains_line(lines, "async: 1 accepted request was still in progress"));
    EXPECT_TRUE(contains_line(lines, "sync: 12 requests were processed although the client saw"));
    EXPECT_TRUE(contains_line(
        lines, "Thresholds: 1 of 2 missed: sync api_all_p99 <= 100ms (observed 200.0 ms)."));
}

// clean_run() with an LP outage in both modes (sync mostly 503 during it) and a worker crash
// applied to async only.
run_result faulted_run() {
    run_result r = clean_run();
    for (auto& [name, m] : r.modes) {
        fault_record outage;
        outage.name = "LP outage";
        outage.kind = "downstream_outage";
        outage.start_s = 15.0;
        outage.end_s = 35.0;
        fault_record crash;
        crash.name = "worker crash";
        crash.kind = "worker_crash";
        crash.start_s = 45.0;
        crash.end_s = 50.0;
        crash.applied = name == "async";
        m.faults = {outage, crash};
    }
    fault_impact sync_outage;
    sync_outage.fault = "LP outage";
    sync_outage.during.requests = 2000;
    sync_outage.during.ok = 60;
    sync_outage.during.availability = 0.03;
    r.modes["sync"].fault_impacts = {sync_outage};
    fault_impact async_outage = sync_outage;
    async_outage.during.ok = 2000;
    async_outage.during.availability = 1.0;
    fault_impact async_crash;
    async_crash.fault = "worker crash";
    async_crash.during.requests = 1000;
    async_crash.during.ok = 995;
    async_crash.during.availability = 0.995;
    r.modes["async"].fault_impacts = {async_outage, async_crash};
    return r;
}

TEST(verdict, one_sentence_per_fault_compares_availability_during_it) {
    run_result r = faulted_run();
    r.modes["async"].reconciliation.lost = 3;
    const auto lines = verdict_lines(r);
    EXPECT_TRUE(contains_line(
        lines,
        "During 'LP outage' (20.0 s): sync answered 3.00% of the requests sent in it 2xx, async "
        "100.00%; accepted requests lost over the whole run: sync 0, async 3."))
        << dump(lines);
    EXPECT_TRUE(contains_line(
        lines,
        "During 'worker crash' (5.00 s): not applied to sync, async answered 99.50% of the "
        "requests sent in it 2xx; accepted requests lost over the whole run: async 3."))
        << dump(lines);
    // After the error lines and before the completion lines; the rest is unchanged.
    std::size_t fault_at = lines.size(), completion_at = 0, keeping_up_at = lines.size();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].rfind("During 'LP outage'", 0) == 0) fault_at = i;
        if (lines[i].rfind("async acknowledges", 0) == 0) completion_at = i;
        if (lines[i].rfind("sync API kept up", 0) == 0) keeping_up_at = i;
    }
    EXPECT_LT(keeping_up_at, fault_at);
    EXPECT_LT(fault_at, completion_at);
    EXPECT_EQ(lines.size(), verdict_lines(clean_run()).size() + 2);
}

TEST(verdict, a_fault_with_no_answers_during_it_says_so) {
    run_result r = faulted_run();
    r.modes["sync"].fault_impacts[0].during = {};
    const auto lines = verdict_lines(r);
    EXPECT_TRUE(contains_line(lines,
                              "During 'LP outage' (20.0 s): sync sent no request, "
                              "async answered 100.00% of the requests sent in it 2xx;"))
        << dump(lines);
}

TEST(verdict, nothing_completed_is_said_in_words_not_zeros) {
    run_result r = clean_run();
    r.settings.stages = {"payroll", "orgchart"};
    r.modes["async"].completion_latency_us = {};
    r.modes["async"].time_to_full_completion_s.reset();
    const auto lines = verdict_lines(r);
    EXPECT_TRUE(contains_line(lines, "async: none of the measured accepted requests completed."))
        << dump(lines);
    EXPECT_TRUE(contains_line(lines, "sync 60.3 s, async none completed.")) << dump(lines);
    EXPECT_FALSE(contains_line(lines, " 0.00 s")) << dump(lines);
    EXPECT_FALSE(contains_line(lines, " 0.0 ms")) << dump(lines);
    EXPECT_EQ(format_latency_ms({}, &latency_summary::p99_us, "none completed"), "none completed");
}

// hr-fanout as a new user saw it: sync refused 12,784 of 20,000 records and "finished" in
// 20.7 s; async finished all 20,000 in 71.5 s. Comparing those times reads the result
// backwards: the verdict must say what each did instead.
run_result unequal_fanout() {
    run_result r = clean_run();
    r.settings.stages = {"payroll", "orgchart", "erp"};
    auto& sync = r.modes["sync"];
    sync.requests_all_phases = 20000;
    sync.reconciliation.accepted = 7216;
    sync.reconciliation.completed = 7216;
    sync.time_to_full_completion_s = 20.7;
    auto& async = r.modes["async"];
    async.requests_all_phases = 20000;
    async.reconciliation.accepted = 20000;
    async.reconciliation.completed = 20000;
    async.time_to_full_completion_s = 71.5;
    return r;
}

TEST(verdict, unequal_work_is_stated_not_compared) {
    const auto lines = verdict_lines(unequal_fanout());
    EXPECT_TRUE(contains_line(lines,
                              "Time to full completion across 3 stages (payroll, orgchart, erp): "
                              "sync 20.7 s, async 71.5 s. Not comparable: sync completed 7,216 of "
                              "20,000 requests (12,784 refused); async completed 20,000 of 20,000 "
                              "requests."))
        << dump(lines);
    EXPECT_FALSE(contains_line(lines, "finished everything")) << dump(lines);
    EXPECT_TRUE(contains_line(lines,
                              "Work completion cannot be compared like for like: sync "
                              "completed 7,216 of 20,000 requests (12,784 refused)"))
        << dump(lines);
    EXPECT_FALSE(contains_line(lines, "completes work")) << dump(lines);
}

TEST(verdict, equal_work_is_compared_with_the_cost_of_the_retries) {
    run_result r = unequal_fanout();
    auto& sync = r.modes["sync"];
    sync.reconciliation.accepted = 20000;
    sync.reconciliation.completed = 20000;
    sync.time_to_full_completion_s = 95.0;
    sync.retries = {30, 18000, 12000, 9000, 0, 0, 7, 3.0, 180.0, 12.5};
    sync.requests = 6000;
    const auto lines = verdict_lines(r);
    EXPECT_TRUE(contains_line(lines,
                              "sync 95.0 s, async 71.5 s. Async finished everything 1.3x "
                              "sooner."))
        << dump(lines);
    // At what cost: the attempts each design's callers needed for the same work.
    r.modes["async"].retries = {30, 6000, 0, 0, 0, 0, 1, 1.0, 0.0, 0.0};
    const auto costed = verdict_lines(r);
    EXPECT_TRUE(contains_line(costed,
                              "Async finished everything 1.3x sooner. The callers needed "
                              "sync 18,000 attempts (3.0x), async 6,000 attempts (1.0x) "
                              "for 6,000 measured requests."))
        << dump(costed);
    r.modes["async"].time_to_full_completion_s = 93.0;
    EXPECT_TRUE(
        contains_line(verdict_lines(r), "Both finished everything in about the same time."));
    EXPECT_TRUE(contains_line(lines,
                              "sync: the callers retried 9,000 requests 12,000 times (180.0/s; up "
                              "to 7 attempts each): 18,000 attempts for 6,000 requests, 3.0x the "
                              "load of the requests alone; the last answer came 12.5 s after the "
                              "last scheduled request."))
        << dump(lines);
}

TEST(verdict, no_faults_no_fault_sentence) {
    EXPECT_FALSE(contains_line(verdict_lines(clean_run()), "During '"));
}

TEST(verdict, number_formats) {
    EXPECT_EQ(format_ms(850), "0.85");
    EXPECT_EQ(format_ms(812345), "812.3");
    EXPECT_EQ(format_rate(99.87), "99.9");
    EXPECT_EQ(format_seconds(1.254), "1.25");
    EXPECT_EQ(format_seconds(42), "42.0");
    EXPECT_EQ(format_percent(0.612), "61.20%");
    EXPECT_EQ(format_percent(1.0), "100.00%");
    EXPECT_EQ(format_percent(0.99999), "99.9990%");
    EXPECT_EQ(format_count(0), "0");
    EXPECT_EQ(format_count(999), "999");
    EXPECT_EQ(format_count(1000), "1,000");
    EXPECT_EQ(format_count(12345678), "12,345,678");
    EXPECT_EQ(format_ratio(40), "40.0x");
    EXPECT_EQ(format_run_time(5), "5.0");
    EXPECT_EQ(format_run_time(35.44), "35.4");
}

}  // namespace
}  // namespace asyncbench
