#include <gtest/gtest.h>

#include <set>

#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {
namespace {

class every_plugin : public ::testing::TestWithParam<std::string> {};

TEST_P(every_plugin, generated_requests_are_valid_deterministic_and_unique) {
    const auto* plugin = find_plugin(GetParam());
    ASSERT_NE(plugin, nullptr);
    std::set<std::string> ids;
    for (std::uint64_t seq = 0; seq < 1000; ++seq) {
        auto request = plugin->make_request(seq);
        EXPECT_EQ(request.body, plugin->make_request(seq).body);
        auto parsed = plugin->parse_request(request.body);
        ASSERT_TRUE(std::holds_alternative<parsed_request>(parsed))
            << std::get<std::string>(parsed);
        EXPECT_EQ(std::get<parsed_request>(parsed).business_id, request.business_id);
        ids.insert(request.business_id);
    }
    EXPECT_EQ(ids.size(), 1000u);
}

TEST_P(every_plugin, rejects_what_is_not_a_request_without_throwing) {
    const auto* plugin = find_plugin(GetParam());
    for (std::string_view body : {"", "null", "[]", "{", "\"text\"", "{\"record_id\": 5}",
                                  "{\"report_id\": \"\"}", "\xc3\x28"}) {
        auto parsed = plugin->parse_request(body);
        EXPECT_TRUE(std::holds_alternative<std::string>(parsed)) << body;
    }
}

INSTANTIATE_TEST_SUITE_P(registered, every_plugin,
                         ::testing::Values("lp-report", "hr-fanout", "order-events", "stats-stream",
                                           "coupon-rush"),
                         [](const auto& info) {
                             auto name = info.param;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

TEST(hr_fanout_plugin, sends_as_many_employees_as_teams) {
    const auto* plugin = find_plugin("hr-fanout");
    int employees = 0;
    int teams = 0;
    for (std::uint64_t seq = 0; seq < 20000; ++seq) {
        auto parsed =
            std::get<parsed_request>(plugin->parse_request(plugin->make_request(seq).body));
        (parsed.kind == "employee" ? employees : teams)++;
    }
    EXPECT_EQ(employees, 10000);
    EXPECT_EQ(teams, 10000);
}

TEST(registry, unknown_plugin_is_null_and_names_are_listed) {
    EXPECT_EQ(find_plugin("nope"), nullptr);
    EXPECT_EQ(plugin_names(),
              (std::vector<std::string>{"lp-report", "hr-fanout", "order-events", "stats-stream",
                                        "coupon-rush", "incident-alert"}));
}

}  // namespace
}  // namespace asyncbench
