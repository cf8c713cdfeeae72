// The loss checker's rules with made-up offsets: an unfinished request is lost only when Kafka
// proves no consumer can finish it, and pending otherwise. (The checker is also held to a real
// loss: tests/integration/real_loss_test.cpp deletes records on a real cluster.)
#include "harness/run/loss_check.hpp"

#include <gtest/gtest.h>

#include "harness/run/reconciliation.hpp"

namespace asyncbench {
namespace {

kafka_evidence evidence() {
    kafka_evidence e;
    e.log_start = {{0, 100}, {1, 0}};
    e.committed["report"] = {{0, 120}, {1, 40}};
    return e;
}

TEST(classify_unfinished, below_the_log_start_is_deleted_unread) {
    EXPECT_EQ(classify_unfinished({0, 99}, {"report"}, evidence()), loss_reason::deleted_unread);
    EXPECT_EQ(classify_unfinished({0, 0}, {"report"}, evidence()), loss_reason::deleted_unread);
}

TEST(classify_unfinished, committed_past_it_without_an_outcome_is_skipped) {
    // Partition 0's group committed 120: offsets 100..119 were passed over.
    EXPECT_EQ(classify_unfinished({0, 119}, {"report"}, evidence()), loss_reason::skipped_by_group);
    EXPECT_EQ(classify_unfinished({1, 39}, {"report"}, evidence()), loss_reason::skipped_by_group);
}

TEST(classify_unfinished, at_or_after_the_committed_offset_is_still_pending) {
    // The committed offset is the next one to read: offset 120 itself is still to come.
    EXPECT_EQ(classify_unfinished({0, 120}, {"report"}, evidence()), std::nullopt);
    EXPECT_EQ(classify_unfinished({1, 40}, {"report"}, evidence()), std::nullopt);
    EXPECT_EQ(classify_unfinished({1, 5000}, {"report"}, evidence()), std::nullopt);
}

TEST(classify_unfinished, at_or_past_the_end_offset_the_log_was_truncated) {
    kafka_evidence e = evidence();
    e.end = {{0, 130}, {1, 40}};
    EXPECT_EQ(classify_unfinished({1, 40}, {"report"}, e), loss_reason::truncated);
    EXPECT_EQ(classify_unfinished({1, 39}, {"report"}, e), loss_reason::skipped_by_group);
    EXPECT_EQ(classify_unfinished({0, 125}, {"report"}, e), std::nullopt);  // still to read
}

TEST(classify_unfinished, missing_evidence_proves_nothing) {
    EXPECT_EQ(classify_unfinished({-1, -1}, {"report"}, evidence()), std::nullopt);  // no report
    EXPECT_EQ(classify_unfinished({2, 7}, {"report"}, evidence()), std::nullopt);  // unknown part.
    EXPECT_EQ(classify_unfinished({1, 7}, {"audit"}, evidence()), std::nullopt);   // no group
    EXPECT_EQ(classify_unfinished({0, 110}, {}, evidence()), std::nullopt);        // nothing left
}

TEST(classify_unfinished, a_fan_out_stage_that_skipped_it_loses_it) {
    kafka_evidence e = evidence();
    e.committed["erp"] = {{1, 10}};
    // "report" may still read offset 50 of partition 1; "erp" will not (committed 10 <= 50)...
    EXPECT_EQ(classify_unfinished({1, 50}, {"report", "erp"}, e), std::nullopt);
    // ...but offset 5 was passed over by "erp" with no outcome.
    EXPECT_EQ(classify_unfinished({1, 5}, {"erp"}, e), loss_reason::skipped_by_group);
}

TEST(topic_consumed, every_group_must_have_read_every_partition_to_its_end) {
    kafka_evidence e;
    e.log_start = {{0, 100}, {1, 0}};
    e.end = {{0, 130}, {1, 40}};
    e.committed["report"] = {{0, 130}, {1, 40}};
    EXPECT_TRUE(topic_consumed(e));
    e.committed["erp"] = {{0, 130}, {1, 39}};  // one message left on partition 1
    EXPECT_FALSE(topic_consumed(e));
    e.committed["erp"] = {{0, 130}};  // never committed partition 1, which holds 40 records
    EXPECT_FALSE(topic_consumed(e));
    e.end[1] = 0;  // an empty partition needs no commit
    e.committed["report"].erase(1);
    EXPECT_TRUE(topic_consumed(e));
}

// After records_deleted a restarted group resumes at the new log start but commits nothing
// until it reads a new record: its old committed offset must not hold the drain open.
TEST(topic_consumed, a_group_behind_the_log_start_resumes_there) {
    kafka_evidence e;
    e.log_start = {{0, 130}};
    e.end = {{0, 130}};
    e.committed["report"] = {{0, 90}};  // committed before the records below 130 were deleted
    EXPECT_EQ(slowest_read(e).at(0), 130);
    EXPECT_TRUE(topic_consumed(e));
    e.end[0] = 131;  // one new record after the deletion, not yet read
    EXPECT_FALSE(topic_consumed(e));
}

accepted_request accepted(std::string id) { return accepted_request{std::move(id), 0, 1000, true}; }

// The drain timed out (the pipeline was not idle), yet Kafka proves three requests lost: they
// are lost with their reasons, and only the one that can still finish is pending.
TEST(reconcile_with_evidence, proven_losses_are_lost_even_when_the_drain_timed_out) {
    reconciliation_input input;
    input.stage_names = {"report"};
    input.pipeline_idle = false;
    input.accepted = {accepted("deleted"), accepted("skipped"), accepted("waiting"),
                      accepted("done"), accepted("unknown")};
    input.database.stages_by_id["done"] = {
        stage_record{"report", stage_outcome::completed, 1000, 2000, 1}};
    input.positions = {{"deleted", {0, 50}},
                       {"skipped", {0, 110}},
                       {"waiting", {0, 125}},
                       {"done", {0, 60}}};  // deleted too, but it finished first
    input.evidence = evidence();
    const auto result = reconcile(input).result;
    EXPECT_EQ(result.accepted, 5u);
    EXPECT_EQ(result.completed, 1u);
    EXPECT_EQ(result.lost, 2u);
    EXPECT_EQ(result.pending, 2u);  // "waiting", and "unknown" (no delivery report seen)
    EXPECT_EQ(result.lost_ids, (std::vector<std::string>{"deleted", "skipped"}));
    EXPECT_EQ(result.lost_by_reason.at(loss_reason_text(loss_reason::deleted_unread)), 1u);
    EXPECT_EQ(result.lost_by_reason.at(loss_reason_text(loss_reason::skipped_by_group)), 1u);
}

TEST(reconcile_with_evidence, an_idle_pipeline_loses_the_rest_for_want_of_work) {
    reconciliation_input input;
    input.stage_names = {"report"};
    input.pipeline_idle = true;
    input.accepted = {accepted("waiting")};
    input.positions = {{"waiting", {0, 125}}};
    input.evidence = evidence();
    const auto result = reconcile(input).result;
    EXPECT_EQ(result.lost, 1u);
    EXPECT_EQ(result.lost_by_reason.at(loss_reason_text(loss_reason::nothing_left)), 1u);
}

}  // namespace
}  // namespace asyncbench
