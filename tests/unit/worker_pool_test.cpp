#include "harness/sync/worker_pool.hpp"

#include <gtest/gtest.h>

#include <future>

namespace asyncbench {
namespace {

// Two threads and a queue of one: two jobs run, one waits, the fourth is refused (the front
// door's 503). Jobs block on a promise, so the test does not depend on timing.
TEST(worker_pool, refuses_work_beyond_busy_threads_and_the_queue) {
    worker_pool pool(2, 1, "test-pool");
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::promise<void> started_a;
    std::promise<void> started_b;
    ASSERT_TRUE(pool.submit([&, released](int) {
        started_a.set_value();
        released.wait();
    }));
    ASSERT_TRUE(pool.submit([&, released](int) {
        started_b.set_value();
        released.wait();
    }));
    started_a.get_future().wait();
    started_b.get_future().wait();
    EXPECT_EQ(pool.busy(), 2);
    EXPECT_TRUE(pool.submit([released](int) { released.wait(); }));
    EXPECT_EQ(pool.queued(), 1);
    EXPECT_FALSE(pool.submit([](int) {}));
    release.set_value();
    pool.stop();
    EXPECT_EQ(pool.busy(), 0);
}

// Reports are written after the pool stops; they quote the configured size ("all 200 worker
// threads were busy"), which once read 0 there.
TEST(worker_pool, keeps_its_configured_size_after_stop) {
    worker_pool pool(3, 0, "test-pool");
    pool.stop();
    EXPECT_EQ(pool.threads(), 3);
    EXPECT_FALSE(pool.submit([](int) {}));
}

}  // namespace
}  // namespace asyncbench
