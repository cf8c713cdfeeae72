#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "harness/store/store.hpp"

namespace asyncbench {
namespace {

class sqlite_store_test : public ::testing::Test {
protected:
    void SetUp() override {
        // One file per test and process: ctest runs tests in parallel.
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = (std::filesystem::temp_directory_path() /
                 ("asyncbench-store-" + std::string(test->name()) + "-" +
                  std::to_string(::getpid()) + ".sqlite"))
                    .string();
        db_ = open_sqlite_store(path_);
    }
    void TearDown() override {
        db_.reset();
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
    }
    std::string path_;
    std::unique_ptr<store> db_;
};

TEST_F(sqlite_store_test, each_db_step_applies_once_per_business_id) {
    auto session = db_->open_session();
    EXPECT_TRUE(session->apply_db_step("r1", "insert_report", true, "report", "{}"));
    EXPECT_FALSE(session->apply_db_step("r1", "insert_report", true, "report", "{}"));
    EXPECT_TRUE(session->apply_db_step("r1", "mark_queued", false, "report", "{}"));
    EXPECT_FALSE(session->apply_db_step("r1", "mark_queued", false, "report", "{}"));
    EXPECT_TRUE(session->effect_done("r1", "insert_report"));
    EXPECT_FALSE(session->effect_done("r2", "insert_report"));
    EXPECT_EQ(db_->snapshot().duplicate_effects, 0u);
}

TEST_F(sqlite_store_test, update_without_a_record_fails_and_writes_nothing) {
    auto session = db_->open_session();
    EXPECT_THROW(session->apply_db_step("ghost", "mark_queued", false, "report", "{}"),
                 store_error);
    EXPECT_FALSE(session->effect_done("ghost", "mark_queued"));
}

TEST_F(sqlite_store_test, duplicate_effects_are_counted_not_hidden) {
    auto session = db_->open_session();
    session->record_effect("r1", "lp_run");
    session->record_effect("r1", "lp_run");  // a call effect recorded twice: a duplicate
    session->record_effect("r2", "lp_run");
    auto snapshot = db_->snapshot();
    EXPECT_EQ(snapshot.duplicate_effects, 1u);
    EXPECT_EQ(snapshot.ids_with_effects.size(), 2u);
}

TEST_F(sqlite_store_test, first_stage_outcome_wins) {
    auto session = db_->open_session();
    stage_record done;
    done.stage = "report";
    done.outcome = stage_outcome::completed;
    done.finished_epoch_us = 10;
    done.attempts = 2;
    session->record_stage("r1", done);
    stage_record again = done;
    again.finished_epoch_us = 99;
    session->record_stage("r1", again);
    auto stages = session->stages("r1");
    ASSERT_EQ(stages.size(), 1u);
    EXPECT_EQ(stages[0].finished_epoch_us, 10);
    EXPECT_EQ(stages[0].attempts, 2);
    EXPECT_EQ(db_->snapshot().stages_by_id.at("r1").size(), 1u);
}

TEST(sqlite_store, unwritable_path_is_a_store_error_naming_it) {
    try {
        open_sqlite_store("/nonexistent-dir/x.sqlite");
        FAIL() << "expected store_error";
    } catch (const store_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x.sqlite"), std::string::npos);
    }
}

}  // namespace
}  // namespace asyncbench
