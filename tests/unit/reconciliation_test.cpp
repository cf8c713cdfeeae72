#include "harness/run/reconciliation.hpp"

#include <gtest/gtest.h>

namespace asyncbench {
namespace {

accepted_request accepted(std::string id, std::int64_t intended_us, bool measured = true) {
    return accepted_request{std::move(id), 0, intended_us, measured};
}

stage_record finished(std::string stage, std::int64_t at_us,
                      stage_outcome outcome = stage_outcome::completed) {
    stage_record record;
    record.stage = std::move(stage);
    record.outcome = outcome;
    record.finished_epoch_us = at_us;
    record.attempts = 1;
    return record;
}

TEST(reconcile, classifies_every_accepted_id_once) {
    reconciliation_input input;
    input.stage_names = {"s1", "s2"};
    input.stage_triggers = {-1, -1};  // two consumers of one event (fan-out)
    input.accepted = {accepted("a", 1000), accepted("b", 2000), accepted("c", 3000),
                      accepted("d", 4000), accepted("a", 1000)};  // "a" acknowledged twice
    input.database.stages_by_id["a"] = {finished("s1", 5000), finished("s2", 9000)};
    input.database.stages_by_id["b"] = {finished("s1", 5000),
                                        finished("s2", 6000, stage_outcome::dead_lettered)};
    input.database.stages_by_id["c"] = {finished("s1", 7000)};  // second stage never ran
    input.pipeline_idle = true;

    auto output = reconcile(input);
    const auto& result = output.result;
    EXPECT_EQ(result.accepted, 4u);
    EXPECT_EQ(result.completed, 1u);
    EXPECT_EQ(result.dead_lettered, 1u);
    EXPECT_EQ(result.lost, 2u);  // c half done, d never seen, and nothing left to process
    EXPECT_EQ(result.pending, 0u);
    EXPECT_EQ(result.lost_ids, (std::vector<std::string>{"c", "d"}));
    // Completion latency is from the intended send to the LAST stage's finish.
    ASSERT_EQ(output.completion_us.count(), 1u);
    EXPECT_EQ(output.completion_us.max(), 8000u);
    EXPECT_EQ(output.last_finished_epoch_us, 9000);
}

// Stages that follow each other: a stage whose trigger was dead-lettered or rejected never
// runs, so its missing outcome is not a loss; one whose trigger completed must finish.
TEST(reconcile, a_following_stage_is_expected_only_after_its_trigger_completed) {
    reconciliation_input input;
    input.stage_names = {"order", "ranking", "platform"};
    input.stage_triggers = {-1, 0, 0};  // ranking and platform fan out from the order event
    input.accepted = {accepted("done", 1), accepted("refused", 2), accepted("dlq", 3),
                      accepted("half", 4)};
    input.database.stages_by_id["done"] = {finished("order", 10), finished("ranking", 20),
                                           finished("platform", 30)};
    input.database.stages_by_id["refused"] = {finished("order", 10, stage_outcome::rejected)};
    input.database.stages_by_id["dlq"] = {finished("order", 10),
                                          finished("ranking", 20, stage_outcome::dead_lettered),
                                          finished("platform", 30)};
    input.database.stages_by_id["half"] = {finished("order", 10), finished("ranking", 20)};
    input.pipeline_idle = true;
    auto output = reconcile(input);
    const auto& result = output.result;
    EXPECT_EQ(result.completed, 1u);
    EXPECT_EQ(result.rejected, 1u);
    EXPECT_EQ(result.dead_lettered, 1u);
    EXPECT_EQ(result.lost, 1u);  // its platform stage was triggered and never finished
    EXPECT_EQ(result.lost_ids, (std::vector<std::string>{"half"}));
    // Attempts per stage, over every recorded outcome.
    ASSERT_EQ(output.stages.size(), 3u);
    EXPECT_EQ(output.stages[0].stage, "order");
    EXPECT_EQ(output.stages[0].finished, 4u);
    EXPECT_EQ(output.stages[0].rejected, 1u);
    EXPECT_EQ(output.stages[1].dead_lettered, 1u);
    EXPECT_EQ(output.stages[2].finished, 2u);
}

TEST(reconcile, unfinished_ids_are_pending_while_the_pipeline_still_has_work) {
    reconciliation_input input;
    input.accepted = {accepted("x", 1)};
    input.pipeline_idle = false;
    auto result = reconcile(input).result;
    EXPECT_EQ(result.pending, 1u);
    EXPECT_EQ(result.lost, 0u);
    EXPECT_TRUE(result.lost_ids.empty());
}

TEST(reconcile, warm_up_ids_count_for_safety_but_not_for_latency) {
    reconciliation_input input;
    input.accepted = {accepted("w", 100, false)};
    input.database.stages_by_id["w"] = {finished("s1", 500)};
    auto output = reconcile(input);
    EXPECT_EQ(output.result.completed, 1u);
    EXPECT_EQ(output.completion_us.count(), 0u);
}

TEST(reconcile, compares_calls_received_with_one_per_completed_id) {
    reconciliation_input input;
    input.accepted = {accepted("a", 1), accepted("b", 1), accepted("c", 1)};
    for (const auto* id : {"a", "b", "c"}) input.database.stages_by_id[id] = {finished("s", 2)};
    input.calls_per_id = {{"lp", "setQueue"}, {"lp", "LPRUN"}};
    input.received["lp"]["setQueue"] = {{"a", 1}, {"b", 1}, {"c", 1}};
    input.received["lp"]["LPRUN"] = {{"a", 3}, {"b", 1}, {"zz", 1}};  // c missing, a retried
    auto result = reconcile(input).result;
    ASSERT_EQ(result.calls.size(), 2u);
    EXPECT_EQ(result.calls[0].expected_calls, 3u);
    EXPECT_EQ(result.calls[0].received_calls, 3u);
    EXPECT_EQ(result.calls[0].ids_with_duplicates, 0u);
    EXPECT_EQ(result.calls[0].ids_missing, 0u);
    EXPECT_EQ(result.calls[1].received_calls, 5u);
    EXPECT_EQ(result.calls[1].ids_with_duplicates, 1u);
    EXPECT_EQ(result.calls[1].ids_missing, 1u);
}

TEST(reconcile, reports_duplicate_effects_and_work_nobody_was_told_about) {
    reconciliation_input input;
    input.accepted = {accepted("a", 1)};
    input.database.stages_by_id["a"] = {finished("s", 2)};
    input.database.duplicate_effects = 2;
    input.database.ids_with_effects = {"a", "timed-out-at-client", "answered-409"};
    // A business rejection is a final answer (409): its earlier effects were not done behind
    // the client's back.
    stage_record rejection = finished("s", 2);
    rejection.outcome = stage_outcome::rejected;
    input.database.stages_by_id["answered-409"] = {rejection};
    auto result = reconcile(input).result;
    EXPECT_EQ(result.duplicate_effects, 2u);
    EXPECT_EQ(result.unacknowledged_processed, 1u);
}

}  // namespace
}  // namespace asyncbench
