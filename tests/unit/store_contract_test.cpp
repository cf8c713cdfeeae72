// The store contract (harness/store/store.hpp), checked against every backend: SQLite always,
// PostgreSQL when ASYNCBENCH_TEST_POSTGRES names a server (scripts/test.sh starts one).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <latch>
#include <thread>
#include <vector>

#include "harness/store/postgres_store.hpp"
#include "harness/store/store.hpp"
#include "tests/unit/pg_test_support.hpp"

namespace asyncbench {
namespace {

using namespace testing_support;

class store_contract : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        name_ = unique_test_name();
        if (GetParam() == "sqlite") {
            path_ = (std::filesystem::temp_directory_path() / (name_ + ".sqlite")).string();
            db_ = open_sqlite_store(path_);
            return;
        }
        url_ = test_postgres_url();
        if (url_.empty()) GTEST_SKIP() << postgres_enable_hint;
        db_ = open_postgres_store(url_, 16, name_);
    }
    void TearDown() override {
        db_.reset();
        if (!path_.empty()) {
            for (const char* suffix : {"", "-wal", "-shm"}) {
                std::filesystem::remove(path_ + suffix);
            }
        }
        if (!url_.empty()) run_sql(url_, "DROP SCHEMA IF EXISTS \"" + name_ + "\" CASCADE");
    }

    std::string name_;
    std::string path_;
    std::string url_;
    std::unique_ptr<store> db_;
};

TEST_P(store_contract, each_db_step_applies_once_per_business_id) {
    auto session = db_->open_session();
    EXPECT_TRUE(session->apply_db_step("r1", "insert_report", true, "report", "{}"));
    EXPECT_FALSE(session->apply_db_step("r1", "insert_report", true, "report", "{}"));
    EXPECT_TRUE(session->apply_db_step("r1", "mark_queued", false, "report", "{}"));
    EXPECT_FALSE(session->apply_db_step("r1", "mark_queued", false, "report", "{}"));
    EXPECT_TRUE(session->effect_done("r1", "insert_report"));
    EXPECT_FALSE(session->effect_done("r2", "insert_report"));
    EXPECT_EQ(db_->snapshot().duplicate_effects, 0u);
}

TEST_P(store_contract, update_without_a_record_fails_and_writes_nothing) {
    auto session = db_->open_session();
    EXPECT_THROW(session->apply_db_step("ghost", "mark_queued", false, "report", "{}"),
                 store_error);
    EXPECT_FALSE(session->effect_done("ghost", "mark_queued"));
    EXPECT_TRUE(db_->snapshot().ids_with_effects.empty());
}

TEST_P(store_contract, duplicate_effects_are_counted_not_hidden) {
    auto session = db_->open_session();
    session->record_effect("r1", "lp_run");
    session->record_effect("r1", "lp_run");  // a call effect recorded twice: a duplicate
    session->record_effect("r2", "lp_run");
    auto snapshot = db_->snapshot();
    EXPECT_EQ(snapshot.duplicate_effects, 1u);
    EXPECT_EQ(snapshot.ids_with_effects.size(), 2u);
}

TEST_P(store_contract, first_stage_outcome_wins) {
    auto session = db_->open_session();
    stage_record done;
    done.stage = "report";
    done.outcome = stage_outcome::completed;
    done.intended_epoch_us = 5;
    done.finished_epoch_us = 10;
    done.attempts = 2;
    session->record_stage("r1", done);
    stage_record again = done;
    again.outcome = stage_outcome::dead_lettered;
    again.finished_epoch_us = 99;
    session->record_stage("r1", again);
    auto stages = session->stages("r1");
    ASSERT_EQ(stages.size(), 1u);
    EXPECT_EQ(stages[0].outcome, stage_outcome::completed);
    EXPECT_EQ(stages[0].intended_epoch_us, 5);
    EXPECT_EQ(stages[0].finished_epoch_us, 10);
    EXPECT_EQ(stages[0].attempts, 2);
    EXPECT_EQ(db_->snapshot().stages_by_id.at("r1").size(), 1u);
}

// Redeliveries of one message handled by several workers at once: exactly one may apply each
// step, for inserts (no row to lock yet) and updates alike.
TEST_P(store_contract, racing_redeliveries_apply_each_step_exactly_once) {
    constexpr int threads = 16;
    constexpr int ids = 10;
    std::vector<std::atomic<int>> inserted(ids), updated(ids);
    std::atomic<int> errors{0};
    std::latch start(threads);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&] {
            auto session = db_->open_session();
            start.arrive_and_wait();
            for (int i = 0; i < ids; ++i) {
                const std::string id = "race" + std::to_string(i);
                try {
                    if (session->apply_db_step(id, "insert_report", true, "report", "{}")) {
                        ++inserted[i];
                    }
                    if (session->apply_db_step(id, "mark_queued", false, "report", "{}")) {
                        ++updated[i];
                    }
                } catch (const store_error& e) {
                    ++errors;
                    ADD_FAILURE() << e.what();
                }
            }
        });
    }
    for (auto& worker : workers) worker.join();
    EXPECT_EQ(errors.load(), 0);
    for (int i = 0; i < ids; ++i) {
        EXPECT_EQ(inserted[i].load(), 1) << "race" << i;
        EXPECT_EQ(updated[i].load(), 1) << "race" << i;
    }
    auto snapshot = db_->snapshot();
    EXPECT_EQ(snapshot.duplicate_effects, 0u);
    EXPECT_EQ(snapshot.ids_with_effects.size(), static_cast<std::size_t>(ids));
}

INSTANTIATE_TEST_SUITE_P(backends, store_contract, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace asyncbench
