// Step errors are grouped so a person sees a handful of reasons with counts, not thousands of
// messages that differ only in an id.
#include "harness/workflow/step_errors.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace asyncbench {
namespace {

TEST(step_error_key, masks_long_numbers_and_keeps_short_ones) {
    EXPECT_EQ(step_error_key("lp.LPRUN answered 503"), "lp.LPRUN answered 503");
    EXPECT_EQ(step_error_key("duplicate key rpt-000123 at offset 98765"),
              "duplicate key rpt-N at offset N");
    EXPECT_EQ(step_error_key("first line 12345\nDETAIL: Key (business_id)=(x) exists"),
              "first line N");
    EXPECT_EQ(step_error_key(""), "");
}

TEST(step_error_tally, groups_by_stage_step_and_key_most_frequent_first) {
    step_error_tally tally;
    for (int i = 0; i < 3; ++i) {
        tally.on_step_failed("report", "save",
                             "UNIQUE constraint failed: rpt-" + std::to_string(10000 + i));
    }
    tally.on_step_failed("report", "lp_run", "lp.LPRUN answered 503");
    tally.on_step_failed("report", "lp_run", "lp.LPRUN answered 500");
    tally.on_step_failed("audit", "save", "UNIQUE constraint failed: rpt-10000");
    const auto top = tally.most_frequent(3);
    ASSERT_EQ(top.size(), 3u);
    EXPECT_EQ(top[0].stage, "report");
    EXPECT_EQ(top[0].step, "save");
    EXPECT_EQ(top[0].count, 3u);
    EXPECT_EQ(top[0].error, "UNIQUE constraint failed: rpt-N");
    EXPECT_EQ(top[0].example, "UNIQUE constraint failed: rpt-10000");  // the first, as it was
    // Ties keep the (stage, step, key) order: audit before report, 500 before 503.
    EXPECT_EQ(top[1].stage, "audit");
    EXPECT_EQ(top[2].error, "lp.LPRUN answered 500");
    EXPECT_EQ(tally.total(), 6u);
}

TEST(step_error_tally, a_storm_of_distinct_messages_stays_bounded) {
    step_error_tally tally(2);
    tally.on_step_failed("s", "a", "one");
    tally.on_step_failed("s", "a", "two");
    tally.on_step_failed("s", "a", "three");
    tally.on_step_failed("s", "a", "four");
    tally.on_step_failed("s", "a", "one");  // a known group still counts in its own
    const auto all = tally.most_frequent(10);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].count, 2u);  // "(other errors)" and "one", ties in key order
    EXPECT_EQ(all[0].error, "(other errors)");
    EXPECT_EQ(all[0].example, "three");
    EXPECT_EQ(tally.total(), 5u);
}

TEST(step_error_tally, counts_every_failure_from_many_threads) {
    step_error_tally tally;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&tally, t] {
            for (int i = 0; i < 1000; ++i) {
                tally.on_step_failed("stage", "step", "error " + std::to_string(t));
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(tally.total(), 4000u);
    EXPECT_EQ(tally.most_frequent().size(), 4u);
}

}  // namespace
}  // namespace asyncbench
