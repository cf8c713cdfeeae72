// An entity's current row in a declared table (harness/store/store.hpp), on every backend as in
// store_contract_test.cpp: upsert_row with `newer`, which lets a change replace the row only with
// a greater version so that one arriving after a later one is stale and leaves it alone, and
// find_row, which reads one row by key for a lookup.
#include <gtest/gtest.h>

#include <optional>

#include "harness/store/store.hpp"
#include "tests/unit/store_test_support.hpp"

namespace asyncbench {
namespace {

using namespace testing_support;

class store_current_row : public store_backend_test {
  protected:
    void SetUp() override {
        store_backend_test::SetUp();
        if (IsSkipped()) return;
        db_->create_tables({incidents_});
        session_ = db_->open_session();
    }
    void TearDown() override {
        session_.reset();
        store_backend_test::TearDown();
    }

    // A change of incident `id` to `state` at `version`.
    static row_values change(const std::string& id, int version, const std::string& state) {
        return {{"incident_id", id}, {"version", std::to_string(version)}, {"state", state}};
    }
    std::optional<row_values> current(const std::string& id) {
        return session_->find_row(incidents_, id);
    }

    const table_spec incidents_{
        "incidents",
        "incident_id",
        {{"version", column_spec::type::integer}, {"state", column_spec::type::text}}};
    std::unique_ptr<store_session> session_;
};

TEST_P(store_current_row, a_newer_version_replaces_the_row_an_older_or_equal_one_leaves_it) {
    EXPECT_TRUE(session_->upsert_row("chg-2", "store", incidents_,
                                     change("inc-1", 2, "acknowledged"), "version"));
    EXPECT_EQ(current("inc-1"), change("inc-1", 2, "acknowledged"));

    // Version 1 arrives after version 2: done (its effect recorded), the row left as it is.
    EXPECT_TRUE(
        session_->upsert_row("chg-1", "store", incidents_, change("inc-1", 1, "open"), "version"));
    EXPECT_EQ(current("inc-1"), change("inc-1", 2, "acknowledged"));
    EXPECT_TRUE(session_->effect_done("chg-1", "store"));
    // Its redelivery is a repeat like any other: nothing to do.
    EXPECT_FALSE(
        session_->upsert_row("chg-1", "store", incidents_, change("inc-1", 1, "open"), "version"));

    EXPECT_TRUE(session_->upsert_row("chg-3", "store", incidents_, change("inc-1", 3, "mitigated"),
                                     "version"));
    EXPECT_EQ(current("inc-1"), change("inc-1", 3, "mitigated"));
    // Only a greater version replaces: another change claiming version 3 does not.
    EXPECT_TRUE(session_->upsert_row("chg-3b", "store", incidents_, change("inc-1", 3, "resolved"),
                                     "version"));
    EXPECT_EQ(current("inc-1"), change("inc-1", 3, "mitigated"));

    // Without `newer`, an upsert replaces whatever it finds, as before.
    EXPECT_TRUE(session_->upsert_row("chg-0", "store", incidents_, change("inc-1", 1, "open")));
    EXPECT_EQ(current("inc-1"), change("inc-1", 1, "open"));

    EXPECT_EQ(session_->rows(incidents_).size(), 1u);
    EXPECT_EQ(db_->snapshot().duplicate_effects, 0u);
}

TEST_P(store_current_row, a_row_without_a_version_is_replaced_by_any) {
    session_->put_rows(incidents_, {{{"incident_id", "inc-2"}, {"state", "open"}}});
    ASSERT_EQ(current("inc-2"), (row_values{{"incident_id", "inc-2"}, {"state", "open"}}));
    EXPECT_TRUE(session_->upsert_row("chg-1", "store", incidents_,
                                     change("inc-2", 1, "acknowledged"), "version"));
    EXPECT_EQ(current("inc-2"), change("inc-2", 1, "acknowledged"));
    // A first change of an incident inserts its row.
    EXPECT_TRUE(
        session_->upsert_row("chg-2", "store", incidents_, change("inc-3", 4, "open"), "version"));
    EXPECT_EQ(current("inc-3"), change("inc-3", 4, "open"));
}

TEST_P(store_current_row, newer_names_an_integer_column_or_nothing_is_written) {
    for (const char* column : {"state", "severity"}) {
        EXPECT_THROW(
            session_->upsert_row("chg-1", "store", incidents_, change("inc-1", 1, "open"), column),
            store_error)
            << column;
    }
    EXPECT_FALSE(session_->effect_done("chg-1", "store"));
    EXPECT_EQ(current("inc-1"), std::nullopt);
}

TEST_P(store_current_row, find_row_returns_the_row_with_the_key_or_nothing) {
    session_->put_rows(incidents_, {change("inc-1", 1, "open"),
                                    {{"incident_id", "inc-'2'"}, {"version", "7"}},
                                    change("inc-3", 2, "acknowledged")});
    EXPECT_EQ(current("inc-1"), change("inc-1", 1, "open"));
    EXPECT_EQ(current("inc-3"), change("inc-3", 2, "acknowledged"));
    // A column never set is absent, as rows() returns it; the key is bound, not spliced.
    EXPECT_EQ(current("inc-'2'"), (row_values{{"incident_id", "inc-'2'"}, {"version", "7"}}));
    EXPECT_EQ(current("inc-9"), std::nullopt);
    EXPECT_EQ(current("inc-"), std::nullopt);
    EXPECT_EQ(current(""), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(backends, store_current_row, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace asyncbench
