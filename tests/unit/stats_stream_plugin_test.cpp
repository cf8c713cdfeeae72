// stats-stream: the events both modes receive, what the API refuses, and the check that the
// statistics equal the stored events, over a real SQLite store holding answers known in advance.
#include "scenarios/stats-stream/stats_stream_plugin.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <set>

#include "harness/config/scenario_loader.hpp"
#include "harness/store/store.hpp"
#include "tests/unit/pg_test_support.hpp"

namespace asyncbench {
namespace {

const scenario_plugin& plugin() { return *find_plugin("stats-stream"); }

std::string refusal(std::string_view body) {
    auto parsed = plugin().parse_request(body);
    if (!std::holds_alternative<std::string>(parsed)) {
        ADD_FAILURE() << "accepted: " << body;
        return {};
    }
    return std::get<std::string>(parsed);
}

TEST(stats_stream_plugin, events_are_deterministic_and_accepted_by_the_api) {
    EXPECT_EQ(plugin().api_path(), "/events");
    EXPECT_EQ(plugin().make_request(42).body, plugin().make_request(42).body);
    EXPECT_EQ(plugin().make_request(42).business_id, "evt-00000042");
    std::map<std::string, int> per_kind;
    for (std::uint64_t seq = 0; seq < 6000; ++seq) {
        const auto request = plugin().make_request(seq);
        auto parsed = plugin().parse_request(request.body);
        ASSERT_TRUE(std::holds_alternative<parsed_request>(parsed))
            << request.body << ": " << std::get<std::string>(parsed);
        const auto& valid = std::get<parsed_request>(parsed);
        EXPECT_EQ(valid.business_id, request.business_id);
        // The payload the stage's steps read carries the same event.
        const auto sent = boost::json::parse(request.body).as_object();
        const auto payload = boost::json::parse(valid.payload).as_object();
        EXPECT_EQ(payload.at("event_id"), sent.at("event_id"));
        EXPECT_EQ(payload.at("kind"), sent.at("kind"));
        EXPECT_EQ(payload.at("amount"), sent.at("amount"));
        EXPECT_EQ(valid.kind, payload.at("kind").as_string());
        const auto amount = payload.at("amount").as_int64();
        EXPECT_GE(amount, 1);
        EXPECT_LE(amount, 500);
        ++per_kind[valid.kind];
    }
    // Every kind is sent, none overwhelmingly: each near its sixth of 6000.
    ASSERT_EQ(per_kind.size(), stats_stream::kinds.size());
    for (const auto& [kind, count] : per_kind) {
        EXPECT_GT(count, 800) << kind;
        EXPECT_LT(count, 1200) << kind;
    }
}

TEST(stats_stream_plugin, accepts_the_bounds_of_amount) {
    for (std::string_view body : {R"({"event_id":"e","kind":"refund","amount":0})",
                                  R"({"event_id":"e","kind":"refund","amount":1000000})"}) {
        EXPECT_TRUE(std::holds_alternative<parsed_request>(plugin().parse_request(body))) << body;
    }
}

TEST(stats_stream_plugin, refuses_events_the_statistics_could_not_count) {
    EXPECT_EQ(refusal(R"({"event_id":"e-1","kind":"visit","amount":3})"),
              "kind: must be one of page_view, search, signup, order, payment, refund");
    const std::string amount_range = "amount: must be an integer from 0 to 1000000";
    for (std::string_view body : {R"({"event_id":"e-1","kind":"order","amount":-1})",
                                  R"({"event_id":"e-1","kind":"order","amount":1000001})",
                                  R"({"event_id":"e-1","kind":"order","amount":1.5})",
                                  R"({"event_id":"e-1","kind":"order","amount":"12"})",
                                  R"({"event_id":"e-1","kind":"order"})"}) {
        EXPECT_EQ(refusal(body), amount_range) << body;
    }
    EXPECT_EQ(refusal(R"({"kind":"order","amount":3})"), "event_id: missing");
    EXPECT_EQ(refusal(R"({"event_id":"","kind":"order","amount":3})"),
              "event_id: must be 1 to 64 characters");
    // Every mistake at once.
    EXPECT_EQ(refusal(R"({"kind":"visit","amount":-1})"),
              "event_id: missing; kind: must be one of page_view, search, signup, order, "
              "payment, refund; " +
                  amount_range);
}

// A mode's database as the plugin sees it after the drain: SQLite in a temp file with the
// tables of the shipped stats-stream.yaml.
class stats_stream_check : public ::testing::Test, public scenario_state {
  protected:
    void SetUp() override {
        auto loaded = load_scenario(std::string(ASYNCBENCH_SOURCE_DIR) +
                                    "/scenarios/stats-stream/stats-stream.yaml");
        if (auto* errors = std::get_if<std::vector<config_error>>(&loaded)) {
            std::string all;
            for (const auto& e : *errors) all += format_config_error(e) + "\n";
            FAIL() << all;
        }
        scenario_ = std::get<scenario_config>(loaded);
        path_ = (std::filesystem::temp_directory_path() /
                 (testing_support::unique_test_name() + ".sqlite"))
                    .string();
        store_ = open_sqlite_store(path_);
        store_->create_tables(scenario_.tables);
        session_ = store_->open_session();
    }
    void TearDown() override {
        session_.reset();
        store_.reset();
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
    }

    const scenario_config& scenario() const override { return scenario_; }
    store_session& db() override { return *session_; }
    std::map<std::string, double> sorted_set(std::string_view) override { return {}; }

    // What the record stage leaves: the stored event.
    void store_event(const std::string& id, const std::string& kind, std::int64_t amount) {
        session_->put_rows(*scenario_.table("events"), {{{"event_id", id},
                                                         {"kind", kind},
                                                         {"amount", std::to_string(amount)},
                                                         {"recorded_at", "1700000000000000"}}});
    }
    // What the statistics stage's two steps leave for one event, under its (id, step) marks.
    void count_event(const std::string& id, const std::string& kind, std::int64_t amount) {
        const auto& stats = *scenario_.table("stats_by_kind");
        ASSERT_TRUE(session_->add_to_column(id, "count_event", stats, kind, "events", 1));
        ASSERT_TRUE(session_->add_to_column(id, "sum_amount", stats, kind, "amount", amount));
    }
    const invariant_result& invariant(const scenario_checks& checks) {
        EXPECT_EQ(checks.invariants.size(), 1u);
        return checks.invariants.at(0);
    }
    double metric(const scenario_checks& checks, const std::string& name) {
        for (const auto& m : checks.metrics) {
            if (m.name == name) return m.value;
        }
        ADD_FAILURE() << "no metric " << name;
        return -1;
    }

    scenario_config scenario_;
    std::string path_;
    std::unique_ptr<store> store_;
    std::unique_ptr<store_session> session_;
};

TEST_F(stats_stream_check, the_shipped_scenario_declares_what_the_check_reads) {
    ASSERT_NE(scenario_.table("events"), nullptr);
    ASSERT_NE(scenario_.table("stats_by_kind"), nullptr);
    EXPECT_EQ(scenario_.plugin, "stats-stream");
    EXPECT_EQ(plugin().invariant_names(), (std::vector<std::string>{"statistics_match_events"}));
    const auto& statistics = scenario_.workflow.at(1);
    EXPECT_EQ(statistics.where(mode::sync), placement::poll);
    EXPECT_EQ(statistics.where(mode::async), placement::kafka);
}

TEST_F(stats_stream_check, holds_when_the_statistics_count_every_event_once) {
    store_event("evt-1", "order", 100);
    store_event("evt-2", "order", 20);
    store_event("evt-3", "refund", 5);
    count_event("evt-1", "order", 100);
    count_event("evt-2", "order", 20);
    count_event("evt-3", "refund", 5);
    // A redelivered event or a re-read row is absorbed by the effect marks.
    const auto& stats = *scenario_.table("stats_by_kind");
    EXPECT_FALSE(session_->add_to_column("evt-1", "count_event", stats, "order", "events", 1));

    const auto checks = plugin().check(*this);
    const auto& result = invariant(checks);
    EXPECT_EQ(result.name, "statistics_match_events");
    EXPECT_TRUE(result.passed) << result.observed;
    EXPECT_EQ(result.observed, "all 2 kinds match");
    EXPECT_NE(result.expected.find("3 events, amount 125, 2 kinds"), std::string::npos)
        << result.expected;
    EXPECT_EQ(metric(checks, "events_stored"), 3);
    EXPECT_EQ(metric(checks, "events_counted"), 3);
    EXPECT_EQ(metric(checks, "events_counted_minus_stored"), 0);
}

TEST_F(stats_stream_check, fails_when_one_event_is_counted_twice) {
    store_event("evt-1", "order", 100);
    store_event("evt-2", "order", 20);
    store_event("evt-3", "refund", 5);
    count_event("evt-1", "order", 100);
    count_event("evt-2", "order", 20);
    count_event("evt-3", "refund", 5);
    // evt-1 counted again under another id: a poller that lost its marks, say.
    count_event("evt-1-again", "order", 100);

    const auto checks = plugin().check(*this);
    const auto& result = invariant(checks);
    EXPECT_FALSE(result.passed);
    EXPECT_EQ(result.observed,
              "1 of 2 kinds differ; order: 3 events / amount 220 counted for 2 / 120");
    EXPECT_EQ(metric(checks, "events_counted_minus_stored"), 1);
}

TEST_F(stats_stream_check, fails_for_an_event_never_counted_and_a_kind_never_stored) {
    store_event("evt-1", "order", 100);
    store_event("evt-2", "search", 0);  // counted nowhere
    count_event("evt-1", "order", 100);
    count_event("evt-9", "signup", 7);  // no such stored event

    const auto checks = plugin().check(*this);
    const auto& result = invariant(checks);
    EXPECT_FALSE(result.passed);
    EXPECT_EQ(result.observed,
              "2 of 3 kinds differ; search: 0 events / amount 0 counted for 1 / 0; signup: 1 "
              "events / amount 7 counted for 0 / 0");
    // The totals agree on the count, so only the per-kind check catches it.
    EXPECT_EQ(metric(checks, "events_counted_minus_stored"), 0);
}

TEST_F(stats_stream_check, holds_with_no_events_at_all) {
    const auto checks = plugin().check(*this);
    EXPECT_TRUE(invariant(checks).passed);
    EXPECT_EQ(metric(checks, "events_stored"), 0);
}

}  // namespace
}  // namespace asyncbench
