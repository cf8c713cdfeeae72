#include "harness/workflow/api_request.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "harness/workflow/workflow_executor.hpp"

namespace asyncbench {
namespace {

http_request make(std::string method, std::string target, std::string body = "") {
    http_request request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.body = std::move(body);
    return request;
}

TEST(route_api_request, routes_submissions_state_and_health) {
    EXPECT_EQ(route_api_request(make("POST", "/SAVE"), "/SAVE").route, api_route::submit);
    EXPECT_EQ(route_api_request(make("POST", "/SAVE?x=1"), "/SAVE").route, api_route::submit);
    EXPECT_EQ(route_api_request(make("GET", "/SAVE"), "/SAVE").route,
              api_route::method_not_allowed);
    auto state = route_api_request(make("GET", "/requests/rpt-1"), "/SAVE");
    EXPECT_EQ(state.route, api_route::request_state);
    EXPECT_EQ(state.business_id, "rpt-1");
    EXPECT_EQ(route_api_request(make("GET", "/requests/"), "/SAVE").route, api_route::not_found);
    EXPECT_EQ(route_api_request(make("GET", "/health"), "/SAVE").route, api_route::health);
    EXPECT_EQ(route_api_request(make("POST", "/other"), "/SAVE").route, api_route::not_found);
}

TEST(parse_submission, uses_the_plugin_and_the_intended_send_header) {
    const auto& plugin = *find_plugin("lp-report");
    auto request = make("POST", "/SAVE", plugin.make_request(7).body);
    request.headers.emplace_back("x-intended-send-us", "1700000000000000");
    auto parsed = parse_submission(request, plugin);
    ASSERT_TRUE(std::holds_alternative<work_item>(parsed));
    const auto& item = std::get<work_item>(parsed);
    EXPECT_EQ(item.business_id, "rpt-00000007");
    EXPECT_EQ(item.intended_epoch_us, 1700000000000000);
}

TEST(parse_submission, malformed_intended_header_falls_back_to_now) {
    const auto& plugin = *find_plugin("lp-report");
    auto request = make("POST", "/SAVE", plugin.make_request(1).body);
    request.headers.emplace_back("X-Intended-Send-Us", "12abc");
    auto parsed = parse_submission(request, plugin);
    ASSERT_TRUE(std::holds_alternative<work_item>(parsed));
    EXPECT_GT(std::get<work_item>(parsed).intended_epoch_us, 1700000000000000);
}

TEST(parse_submission, invalid_body_is_a_400_json_error) {
    auto parsed =
        parse_submission(make("POST", "/SAVE", "{\"report_id\": 1}"), *find_plugin("lp-report"));
    ASSERT_TRUE(std::holds_alternative<http_response>(parsed));
    const auto& response = std::get<http_response>(parsed);
    EXPECT_EQ(response.status, 400);
    auto body = boost::json::parse(response.body).as_object();
    EXPECT_EQ(body.at("error").as_string(), "invalid_request");
    EXPECT_NE(std::string(body.at("message").as_string()).find("report_id"), std::string::npos);
}

TEST(request_state_response, reports_progress_across_stages) {
    stage_record done;
    done.stage = "payroll";
    auto partial = request_state_response("e1", {done}, 3, true);
    EXPECT_EQ(partial.status, 200);
    EXPECT_NE(partial.body.find("\"in_progress\""), std::string::npos);
    auto accepted_only = request_state_response("e1", {}, 3, true);
    EXPECT_NE(accepted_only.body.find("\"in_progress\""), std::string::npos);
    auto unknown = request_state_response("e1", {}, 3, false);
    EXPECT_EQ(unknown.status, 404);
    stage_record dead = done;
    dead.outcome = stage_outcome::dead_lettered;
    auto failed = request_state_response("e1", {done, dead}, 2, true);
    EXPECT_NE(failed.body.find("\"dead_lettered\""), std::string::npos);
    auto all = request_state_response("e1", {done, done, done}, 3, true);
    EXPECT_NE(all.body.find("\"completed\""), std::string::npos);
}

TEST(retry_backoff, doubles_from_the_initial_delay_up_to_the_cap) {
    using std::chrono::milliseconds;
    EXPECT_EQ(retry_backoff(1, milliseconds(100), milliseconds(5000)), milliseconds(0));
    EXPECT_EQ(retry_backoff(2, milliseconds(100), milliseconds(5000)), milliseconds(100));
    EXPECT_EQ(retry_backoff(3, milliseconds(100), milliseconds(5000)), milliseconds(200));
    EXPECT_EQ(retry_backoff(5, milliseconds(100), milliseconds(5000)), milliseconds(800));
    EXPECT_EQ(retry_backoff(20, milliseconds(100), milliseconds(5000)), milliseconds(5000));
}

}  // namespace
}  // namespace asyncbench

namespace asyncbench {
namespace {

// Found by fuzz_api_submission: GET /requests/\xFF quoted the raw id into a body that was then
// not valid JSON.
TEST(json_error, stays_valid_json_whatever_bytes_the_message_quotes) {
    const std::string bad = std::string("id '") + "\xFF\xC0\xAF" + "\xED\xA0\x80" + "ok" + "'";
    const auto response = json_error(404, "unknown_request", bad);
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(response.body, ec);
    ASSERT_FALSE(ec) << response.body;
    const std::string message(parsed.at("message").as_string());
    EXPECT_NE(message.find("ok'"), std::string::npos);
    EXPECT_NE(message.find("\xEF\xBF\xBD"), std::string::npos);
    EXPECT_EQ(valid_utf8("plain, caf\xC3\xA9, \xF0\x9F\x98\x80"),
              "plain, caf\xC3\xA9, \xF0\x9F\x98\x80");
    EXPECT_EQ(valid_utf8("\xC3"), "\xEF\xBF\xBD");  // cut short
}

}  // namespace
}  // namespace asyncbench
