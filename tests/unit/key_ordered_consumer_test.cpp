// The rules of the key-ordered consumer, with answers known in advance: which offset may be
// committed while messages finish out of order, how one key's messages wait for each other,
// when partitions pause and resume, and that a broken per-key order is counted.
#include <gtest/gtest.h>

#include "harness/kafka/key_scheduler.hpp"
#include "harness/kafka/offset_tracker.hpp"

namespace asyncbench {
namespace {

TEST(offset_tracker, commits_up_to_the_lowest_unfinished_offset) {
    offset_tracker offsets;
    EXPECT_FALSE(offsets.commit_position(0).has_value());  // nothing handed out yet
    for (std::int64_t o = 10; o < 15; ++o) offsets.dispatched(0, o);
    EXPECT_EQ(offsets.commit_position(0), 10);
    offsets.finished(0, 12);
    offsets.finished(0, 13);
    EXPECT_EQ(offsets.commit_position(0), 10);  // 10 still running: a crash re-runs 10..14
    offsets.finished(0, 10);
    EXPECT_EQ(offsets.commit_position(0), 11);
    offsets.finished(0, 11);
    EXPECT_EQ(offsets.commit_position(0), 14);  // 12 and 13 done, 14 not
    offsets.finished(0, 14);
    EXPECT_EQ(offsets.commit_position(0), 15);  // all done: one past the highest
    EXPECT_EQ(offsets.unfinished(), 0u);
}

TEST(offset_tracker, gaps_in_offsets_and_partitions_apart) {
    offset_tracker offsets;
    // Compaction or transaction markers leave gaps: only handed-out offsets count.
    offsets.dispatched(3, 100);
    offsets.dispatched(3, 105);
    offsets.dispatched(4, 7);
    offsets.finished(3, 100);
    EXPECT_EQ(offsets.commit_position(3), 105);
    offsets.finished(3, 105);
    EXPECT_EQ(offsets.commit_position(3), 106);
    EXPECT_EQ(offsets.commit_position(4), 7);
    EXPECT_EQ(offsets.unfinished(4), 1u);
    EXPECT_EQ(offsets.partitions(), (std::set<std::int32_t>{3, 4}));
}

TEST(offset_tracker, a_revoked_partition_forgets_and_a_crash_never_skips) {
    offset_tracker offsets;
    offsets.dispatched(1, 50);
    offsets.dispatched(1, 51);
    offsets.finished(1, 51);
    // A crash now: the last stored position is 50, so 50 (unfinished) and 51 (finished)
    // come again; nothing is skipped.
    EXPECT_EQ(offsets.commit_position(1), 50);
    offsets.forget(1);  // revoked: the next owner starts from the committed offset
    EXPECT_FALSE(offsets.commit_position(1).has_value());
    offsets.finished(1, 50);  // a late finish of a forgotten partition changes nothing
    EXPECT_FALSE(offsets.commit_position(1).has_value());
}

TEST(key_scheduler, one_key_at_a_time_in_arrival_order_others_in_parallel) {
    key_scheduler keys;
    EXPECT_TRUE(keys.offer("a", 1));
    EXPECT_TRUE(keys.offer("b", 2));   // another key runs at once
    EXPECT_FALSE(keys.offer("a", 3));  // waits behind 1
    EXPECT_FALSE(keys.offer("a", 4));
    EXPECT_EQ(keys.running(), 2u);
    EXPECT_EQ(keys.waiting(), 2u);
    EXPECT_EQ(keys.finish("a"), 3u);  // in arrival order
    EXPECT_EQ(keys.finish("a"), 4u);
    EXPECT_EQ(keys.finish("a"), std::nullopt);
    EXPECT_EQ(keys.finish("b"), std::nullopt);
    EXPECT_EQ(keys.running(), 0u);
    EXPECT_TRUE(keys.offer("a", 5));  // idle again
}

TEST(key_scheduler, dropping_waiting_tickets_keeps_the_running_ones) {
    key_scheduler keys;
    keys.offer("a", 1);
    keys.offer("a", 2);
    keys.offer("b", 3);
    keys.offer("b", 4);
    keys.offer("b", 5);
    // Tickets 2 and 4 belong to a revoked partition.
    const auto dropped = keys.drop_waiting([](std::uint64_t t) { return t == 2 || t == 4; });
    EXPECT_EQ(dropped.size(), 2u);
    EXPECT_EQ(keys.running(), 2u);
    EXPECT_EQ(keys.finish("a"), std::nullopt);
    EXPECT_EQ(keys.finish("b"), 5u);
}

TEST(flow_control, pauses_at_sixteen_per_worker_and_resumes_at_half) {
    const auto flow = flow_control::for_workers(200);
    EXPECT_FALSE(flow.should_pause(false, 3199));
    EXPECT_TRUE(flow.should_pause(false, 3200));
    EXPECT_FALSE(flow.should_pause(true, 5000));   // already paused
    EXPECT_FALSE(flow.should_resume(true, 1601));  // between the marks nothing changes
    EXPECT_TRUE(flow.should_resume(true, 1600));
    EXPECT_FALSE(flow.should_resume(false, 0));
    // A small pool still keeps a batch in hand: resuming costs a fetch round trip.
    EXPECT_EQ(flow_control::for_workers(2).high, flow_control::min_high);
    EXPECT_EQ(flow_control::for_workers(2).low, flow_control::min_high / 2);
}

TEST(key_order_checker, counts_a_deliberate_violation_and_nothing_else) {
    key_order_checker order;
    EXPECT_FALSE(order.finished("a", 10));
    EXPECT_FALSE(order.finished("b", 3));
    EXPECT_FALSE(order.finished("a", 12));
    EXPECT_FALSE(order.finished("a", 12));  // a redelivery of the same message is no violation
    EXPECT_TRUE(order.finished("a", 11));   // 11 finished after 12: out of order
    EXPECT_FALSE(order.finished("b", 4));
    EXPECT_FALSE(order.finished("a", 10));  // 10 again (redelivered after 12): not a violation
    EXPECT_EQ(order.violations(), 1u);
}

}  // namespace
}  // namespace asyncbench
