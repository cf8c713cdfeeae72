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

// GET <api path>/<id>: one path segment under the submissions' path names an entity.
TEST(route_api_request, routes_a_lookup_of_one_entity_under_the_api_path) {
    const auto lookup = route_api_request(make("GET", "/incidents/inc-1"), "/incidents");
    EXPECT_EQ(lookup.route, api_route::lookup);
    EXPECT_EQ(lookup.business_id, "inc-1");
    EXPECT_FALSE(fixed_route_response(lookup).has_value());  // answered by the front door
    // A query is not part of the id.
    const auto queried = route_api_request(make("GET", "/incidents/inc-2?x=1"), "/incidents");
    EXPECT_EQ(queried.route, api_route::lookup);
    EXPECT_EQ(queried.business_id, "inc-2");

    const auto posted = route_api_request(make("POST", "/incidents/inc-1"), "/incidents");
    EXPECT_EQ(posted.route, api_route::method_not_allowed);
    const auto refused = fixed_route_response(posted);
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->status, 405);
    for (const char* target :
         {"/incidents/a/b", "/incidents/", "/incidents//", "/incidentsX/a", "/other/inc-1"}) {
        EXPECT_EQ(route_api_request(make("GET", target), "/incidents").route, api_route::not_found)
            << target;
    }
    // The submissions' own path is still theirs.
    EXPECT_EQ(route_api_request(make("POST", "/incidents"), "/incidents").route, api_route::submit);
}

TEST(route_api_request, routes_a_feed_with_default_since_and_limit) {
    auto feed = route_api_request(make("GET", "/feeds/order_events"), "/SAVE");
    EXPECT_EQ(feed.route, api_route::feed);
    EXPECT_EQ(feed.table, "order_events");
    EXPECT_EQ(feed.since, 0);
    EXPECT_EQ(feed.limit, feed_default_limit);
    EXPECT_EQ(feed.limit, 500);
    EXPECT_FALSE(fixed_route_response(feed).has_value());
    // An empty query and stray separators change nothing.
    EXPECT_EQ(route_api_request(make("GET", "/feeds/t?"), "/SAVE").route, api_route::feed);
    EXPECT_EQ(route_api_request(make("GET", "/feeds/t?&"), "/SAVE").route, api_route::feed);
    EXPECT_EQ(route_api_request(make("GET", "/feeds/"), "/SAVE").route, api_route::not_found);
}

TEST(route_api_request, reads_since_and_limit_in_any_order) {
    auto feed = route_api_request(
        make("GET", "/feeds/order_events?since=1700000000123456&limit=25"), "/SAVE");
    EXPECT_EQ(feed.route, api_route::feed);
    EXPECT_EQ(feed.since, 1700000000123456);
    EXPECT_EQ(feed.limit, 25);
    auto swapped = route_api_request(make("GET", "/feeds/t?limit=10000&since=-5&"), "/SAVE");
    EXPECT_EQ(swapped.route, api_route::feed);
    EXPECT_EQ(swapped.table, "t");
    EXPECT_EQ(swapped.since, -5);
    EXPECT_EQ(swapped.limit, 10000);
    auto least = route_api_request(make("GET", "/feeds/t?limit=1"), "/SAVE");
    EXPECT_EQ(least.route, api_route::feed);
    EXPECT_EQ(least.limit, 1);
    EXPECT_EQ(least.since, 0);
}

// The 400 a malformed feed query gets, with the message it carries.
std::string feed_query_error(const std::string& target) {
    const auto routed = route_api_request(make("GET", target), "/SAVE");
    EXPECT_EQ(routed.route, api_route::bad_request) << target;
    const auto response = fixed_route_response(routed);
    if (!response) {
        ADD_FAILURE() << target << " got no fixed answer";
        return "";
    }
    EXPECT_EQ(response->status, 400) << target;
    const auto body = boost::json::parse(response->body).as_object();
    EXPECT_EQ(body.at("error").as_string(), "invalid_query") << target;
    return std::string(body.at("message").as_string());
}

TEST(route_api_request, a_bad_since_is_a_400) {
    for (const char* target : {"/feeds/t?since=abc", "/feeds/t?since=", "/feeds/t?since=12x",
                               "/feeds/t?since=1.5", "/feeds/t?since=+3", "/feeds/t?since=%2031",
                               "/feeds/t?since=99999999999999999999", "/feeds/t?since=1&since=2"}) {
        EXPECT_NE(feed_query_error(target).find("since"), std::string::npos) << target;
    }
    EXPECT_NE(feed_query_error("/feeds/t?since=abc").find("'abc'"), std::string::npos);
}

TEST(route_api_request, a_limit_outside_1_to_10000_or_not_an_integer_is_a_400) {
    for (const char* target : {"/feeds/t?limit=0", "/feeds/t?limit=-1", "/feeds/t?limit=10001",
                               "/feeds/t?limit=", "/feeds/t?limit=ten", "/feeds/t?limit=5.0",
                               "/feeds/t?since=1&limit=99999999999", "/feeds/t?limit=5&limit=6"}) {
        EXPECT_NE(feed_query_error(target).find("limit"), std::string::npos) << target;
    }
    EXPECT_NE(feed_query_error("/feeds/t?limit=0").find("1 to 10000"), std::string::npos);
}

TEST(route_api_request, unknown_or_valueless_feed_parameters_are_a_400) {
    EXPECT_NE(feed_query_error("/feeds/t?sinse=5").find("'sinse'"), std::string::npos);
    EXPECT_NE(feed_query_error("/feeds/t?since").find("'since'"), std::string::npos);
}

TEST(route_api_request, other_methods_on_a_feed_are_405_whatever_the_query) {
    for (const char* method : {"POST", "PUT", "DELETE", "get"}) {
        for (const char* target : {"/feeds/t", "/feeds/t?limit=0"}) {
            const auto routed = route_api_request(make(method, target), "/SAVE");
            EXPECT_EQ(routed.route, api_route::method_not_allowed) << method << " " << target;
            const auto response = fixed_route_response(routed);
            ASSERT_TRUE(response.has_value());
            EXPECT_EQ(response->status, 405);
        }
    }
}

table_spec events_table() {
    table_spec table;
    table.name = "order_events";
    table.key = "event_id";
    table.columns = {{"kind", column_spec::type::text},
                     {"amount", column_spec::type::integer},
                     {"written_us", column_spec::type::written_at}};
    return table;
}

TEST(feed_response_body, numbers_for_integer_columns_strings_for_text_and_the_next_cursor) {
    const std::vector<row_values> rows{
        {{"event_id", "e1"}, {"kind", "paid"}, {"amount", "-42"}, {"written_us", "1000"}},
        // amount never set (NULL): left out; a text value that looks like a number stays text.
        {{"event_id", "e2"}, {"kind", "17"}, {"written_us", "3000"}},
        {{"event_id", "e3"},
         {"kind", "paid"},
         {"amount", "9007199254740993"},
         {"written_us", "2000"}},
    };
    const auto body = feed_response_body(events_table(), "written_us", 500, rows);
    const auto parsed = boost::json::parse(body).as_object();
    EXPECT_EQ(parsed.size(), 2U);
    EXPECT_EQ(parsed.at("next_since").as_int64(), 3000);  // the largest, not the last
    const auto& list = parsed.at("rows").as_array();
    ASSERT_EQ(list.size(), 3U);
    const auto& first = list[0].as_object();
    EXPECT_EQ(first.size(), 4U);
    EXPECT_EQ(first.at("event_id").as_string(), "e1");
    EXPECT_EQ(first.at("kind").as_string(), "paid");
    EXPECT_EQ(first.at("amount").as_int64(), -42);
    EXPECT_EQ(first.at("written_us").as_int64(), 1000);
    const auto& second = list[1].as_object();
    EXPECT_EQ(second.size(), 3U);
    EXPECT_FALSE(second.contains("amount"));
    EXPECT_TRUE(second.at("kind").is_string());
    EXPECT_EQ(second.at("kind").as_string(), "17");
    // Beyond 2^53: exact as an int64, not rounded through a double.
    EXPECT_EQ(list[2].as_object().at("amount").as_int64(), 9007199254740993);
    // The wire text itself, pinned: key first, then the declared columns in order.
    EXPECT_NE(body.find(R"({"event_id":"e1","kind":"paid","amount":-42,"written_us":1000})"),
              std::string::npos)
        << body;
}

TEST(feed_response_body, an_empty_page_keeps_the_requested_since) {
    EXPECT_EQ(feed_response_body(events_table(), "written_us", 1234, {}),
              R"({"rows":[],"next_since":1234})");
}

TEST(feed_response_body, text_in_a_number_column_breaks_the_store_contract) {
    const std::vector<row_values> rows{{{"event_id", "e1"}, {"amount", "12abc"}}};
    EXPECT_THROW(feed_response_body(events_table(), "written_us", 0, rows), std::invalid_argument);
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

namespace asyncbench {
namespace {

// What inline steps answered (a queue position) joins the 2xx body.
TEST(submission_response, carries_the_figures_the_inline_steps_answered) {
    const auto plain = submission_response(202, "r-1", "accepted");
    EXPECT_EQ(plain.body, R"({"id":"r-1","state":"accepted"})");
    const auto queued = submission_response(202, "r-1", "accepted", {{"queue_position", 17}});
    EXPECT_EQ(queued.status, 202);
    EXPECT_EQ(queued.body, R"({"id":"r-1","state":"accepted","queue_position":17})");
}

}  // namespace
}  // namespace asyncbench
