// Where each stage runs and which event it consumes (harness/workflow/stage_graph.hpp).
#include "harness/workflow/stage_graph.hpp"

#include <gtest/gtest.h>

namespace asyncbench {
namespace {

stage_spec stage(std::string name, stage_order order = stage_order::follows,
                 placement async_where = placement::kafka) {
    stage_spec s;
    s.name = std::move(name);
    s.order = order;
    s.placements[static_cast<std::size_t>(mode::async)] = async_where;
    return s;
}

scenario_config with_stages(std::vector<stage_spec> stages) {
    scenario_config scenario;
    scenario.async.topic = "t";
    scenario.workflow = std::move(stages);
    return scenario;
}

// coupon-rush's two designs in one workflow: sync claims in the request; async queues, then a
// consumer claims. Each mode runs only its own stages, and triggers and topics follow them.
TEST(stage_graph, a_mode_runs_the_workflow_without_its_none_stages) {
    auto claim_now = stage("claim_now", stage_order::follows, placement::none);
    claim_now.placements[static_cast<std::size_t>(mode::sync)] = placement::inline_stage;
    auto enqueue = stage("enqueue", stage_order::follows, placement::inline_stage);
    enqueue.placements[static_cast<std::size_t>(mode::sync)] = placement::none;
    auto issue = stage("issue");
    issue.placements[static_cast<std::size_t>(mode::sync)] = placement::none;
    const auto scenario = with_stages(
        {stage("ask", stage_order::follows, placement::inline_stage), claim_now, enqueue, issue});
    const auto sync = stages_in_mode(scenario, mode::sync);
    ASSERT_EQ(sync.workflow.size(), 2u);
    EXPECT_EQ(sync.workflow[0].name, "ask");
    EXPECT_EQ(sync.workflow[1].name, "claim_now");
    EXPECT_TRUE(stages_placed(sync, mode::sync, placement::kafka).empty());
    const auto async = stages_in_mode(scenario, mode::async);
    ASSERT_EQ(async.workflow.size(), 3u);
    EXPECT_EQ(async.workflow[1].name, "enqueue");
    // issue follows enqueue (inline), so it reads the front door's topic.
    EXPECT_EQ(stage_triggers(async.workflow), (std::vector<int>{-1, 0, 1}));
    EXPECT_EQ(input_topic(async, mode::async, 2), "t");
    EXPECT_EQ(scenario.workflow.size(), 4u) << "the scenario itself is left whole";
}

TEST(stage_graph, stages_follow_each_other_by_default) {
    const auto scenario = with_stages({stage("a"), stage("b"), stage("c")});
    EXPECT_EQ(stage_triggers(scenario.workflow), (std::vector<int>{-1, 0, 1}));
    EXPECT_EQ(input_topic(scenario, mode::async, 0), "t");
    EXPECT_EQ(input_topic(scenario, mode::async, 1), "t.a");
    EXPECT_EQ(input_topic(scenario, mode::async, 2), "t.b");
    EXPECT_TRUE(publishes_completion(scenario, mode::async, 0));
    EXPECT_TRUE(publishes_completion(scenario, mode::async, 1));
    EXPECT_FALSE(publishes_completion(scenario, mode::async, 2));
    EXPECT_EQ(pipeline_topics(scenario, mode::async),
              (std::vector<std::string>{"t", "t.a", "t.b"}));
    // A dead-lettered first stage stops both later ones; the second stops only the third.
    EXPECT_EQ(stages_triggered_by(scenario.workflow, 0), (std::vector<std::size_t>{1, 2}));
    EXPECT_EQ(stages_triggered_by(scenario.workflow, 1), (std::vector<std::size_t>{2}));
}

TEST(stage_graph, fan_out_stages_share_one_event_and_publish_nothing) {
    // hr-fanout: three independent consumers of the front door's topic.
    const auto scenario = with_stages({stage("payroll"), stage("orgchart", stage_order::fan_out),
                                       stage("erp", stage_order::fan_out)});
    EXPECT_EQ(stage_triggers(scenario.workflow), (std::vector<int>{-1, -1, -1}));
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(input_topic(scenario, mode::async, i), "t");
        EXPECT_FALSE(publishes_completion(scenario, mode::async, i));
        EXPECT_TRUE(stages_triggered_by(scenario.workflow, i).empty());
    }
    EXPECT_EQ(pipeline_topics(scenario, mode::async), (std::vector<std::string>{"t"}));
}

TEST(stage_graph, kafka_stages_after_an_inline_stage_read_the_front_doors_topic) {
    // order-events: the order stage inline, ranking and data platform fan out from its event.
    const auto scenario =
        with_stages({stage("order", stage_order::follows, placement::inline_stage),
                     stage("ranking"), stage("data_platform", stage_order::fan_out)});
    EXPECT_EQ(stage_triggers(scenario.workflow), (std::vector<int>{-1, 0, 0}));
    EXPECT_EQ(stages_placed(scenario, mode::async, placement::inline_stage),
              (std::vector<std::size_t>{0}));
    EXPECT_EQ(stages_placed(scenario, mode::async, placement::kafka),
              (std::vector<std::size_t>{1, 2}));
    EXPECT_EQ(input_topic(scenario, mode::async, 1), "t");
    EXPECT_EQ(input_topic(scenario, mode::async, 2), "t");
    EXPECT_FALSE(publishes_completion(scenario, mode::async, 0));  // inline: the API produces
    // The sync baseline runs every stage inline.
    EXPECT_EQ(stages_placed(scenario, mode::sync, placement::inline_stage).size(), 3u);
    EXPECT_TRUE(pipeline_topics(scenario, mode::sync).empty());
    // A rejected order never reaches ranking or the data platform.
    EXPECT_EQ(stages_triggered_by(scenario.workflow, 0), (std::vector<std::size_t>{1, 2}));
}

}  // namespace
}  // namespace asyncbench
