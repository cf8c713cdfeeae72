// Feeds arbitrary requests to the request handling both APIs share (harness/workflow/
// api_request.hpp), for every registered plugin. The promise under test: every request gets
// either a well-formed answer (a 4xx whose body is a JSON error object, or a 2xx JSON body)
// or a work_item the pipeline can carry; never a crash, an exception or a body that does not
// parse as JSON. The pollers' read API (GET /feeds/<table>?since=&limit=) is routed the same
// way: a malformed query is a 400 naming the problem, a valid one a page whose JSON parses
// whatever bytes the rows hold.
//
// Input layout, so that seeds stay readable text (tests/fuzz/README.md):
//   byte 0          selector: method = s % 4, target = s / 4 % 8, header = s / 32 % 8
//   up to '\n'      "line": used by the target and header variants that say so
//   the rest        the body (the whole input after byte 0 when no variant uses the line)
// 'P' + JSON is a plain POST of that JSON to the plugin's path; 'I' + "events?since=5" is
// GET /feeds/events?since=5.
#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/core/clock.hpp"
#include "harness/workflow/api_request.hpp"
#include "scenarios/scenario_plugin.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using namespace asyncbench;

constexpr std::array<std::string_view, 4> methods{"POST", "GET", "PUT", "post"};

// "/requests/" alone is requests_line with an empty line, so the selector's third value goes
// to the feeds instead (the fuzzer cannot build "/feeds/" out of the other targets).
enum class target_kind {
    health,
    nowhere,
    feeds_line,
    requests_line,
    api,
    api_query_line,
    api_slash,
    api_lower
};
enum class header_kind {
    line,
    line_lower_name,
    none,
    valid,
    negative,
    zero,
    overflow,
    line_then_valid
};

constexpr std::string_view intended_header = "X-Intended-Send-Us";
constexpr std::string_view valid_intended = "1700000000000000";

struct fuzz_input {
    std::string method;
    target_kind target = target_kind::api;
    header_kind header = header_kind::none;
    std::string line;
    std::string body;
};

bool uses_line(const fuzz_input& input) {
    return input.target == target_kind::requests_line || input.target == target_kind::feeds_line ||
           input.target == target_kind::api_query_line || input.header == header_kind::line ||
           input.header == header_kind::line_lower_name ||
           input.header == header_kind::line_then_valid;
}

fuzz_input split(std::string_view data) {
    fuzz_input input;
    const unsigned selector = data.empty() ? 'P' : static_cast<unsigned char>(data.front());
    if (!data.empty()) data.remove_prefix(1);
    input.method = std::string(methods[selector % 4]);
    input.target = static_cast<target_kind>(selector / 4 % 8);
    input.header = static_cast<header_kind>(selector / 32 % 8);
    if (!uses_line(input)) {
        input.body = std::string(data);
        return input;
    }
    const auto newline = data.find('\n');
    input.line = std::string(data.substr(0, newline));
    if (newline != std::string_view::npos) input.body = std::string(data.substr(newline + 1));
    return input;
}

http_request make_request(const fuzz_input& input, std::string_view api_path) {
    http_request request;
    request.method = input.method;
    request.body = input.body;
    switch (input.target) {
        case target_kind::health:
            request.target = "/health";
            break;
        case target_kind::nowhere:
            request.target = "/nowhere";
            break;
        case target_kind::feeds_line:
            request.target = "/feeds/" + input.line;
            break;
        case target_kind::requests_line:
            request.target = "/requests/" + input.line;
            break;
        case target_kind::api:
            request.target = std::string(api_path);
            break;
        case target_kind::api_query_line:
            request.target = std::string(api_path) + "?" + input.line;
            break;
        case target_kind::api_slash:
            request.target = std::string(api_path) + "/";
            break;
        case target_kind::api_lower:
            for (char c : api_path) request.target += static_cast<char>(std::tolower(c));
            break;
    }
    const std::string name(intended_header);
    switch (input.header) {
        case header_kind::line:
            request.headers.emplace_back(name, input.line);
            break;
        case header_kind::line_lower_name:
            request.headers.emplace_back("x-intended-send-us", input.line);
            break;
        case header_kind::none:
            break;
        case header_kind::valid:
            request.headers.emplace_back(name, valid_intended);
            break;
        case header_kind::negative:
            request.headers.emplace_back(name, "-5");
            break;
        case header_kind::zero:
            request.headers.emplace_back(name, "0");
            break;
        case header_kind::overflow:
            request.headers.emplace_back(name, "99999999999999999999");
            break;
        case header_kind::line_then_valid:
            request.headers.emplace_back(name, input.line);
            request.headers.emplace_back(name, valid_intended);
            break;
    }
    return request;
}

boost::json::object parse_object(const std::string& body) {
    boost::system::error_code ec;
    auto value = boost::json::parse(body, ec);
    FUZZ_CHECK(!ec, "every response body parses as JSON");
    FUZZ_CHECK(value.is_object(), "every response body is a JSON object");
    return std::move(value.as_object());
}

void check_error_response(const http_response& response, int status) {
    FUZZ_CHECK(response.status == status, "the error has the expected status");
    FUZZ_CHECK(response.content_type == "application/json", "errors are JSON");
    const auto body = parse_object(response.body);
    const auto* code = body.if_contains("error");
    const auto* message = body.if_contains("message");
    FUZZ_CHECK(code && code->is_string() && !code->as_string().empty(), "an error code");
    FUZZ_CHECK(message && message->is_string() && !message->as_string().empty(), "a message");
}

void check_success_response(const http_response& response, const std::string& business_id) {
    FUZZ_CHECK(response.status >= 200 && response.status <= 299, "success is 2xx");
    const auto body = parse_object(response.body);
    const auto* id = body.if_contains("id");
    FUZZ_CHECK(id && id->is_string() && id->as_string() == business_id,
               "the business id survives the JSON round trip");
}

// The header's documented meaning, written independently of parse_submission's from_chars:
// a positive decimal integer is taken as is (leading zeros included); anything else means
// "now". Nineteen significant digits may or may not fit an int64, so those are not judged.
void check_intended(std::string_view header, std::int64_t intended, std::int64_t before,
                    std::int64_t after) {
    const bool digits =
        !header.empty() && header.find_first_not_of("0123456789") == std::string_view::npos;
    const auto first_significant = header.find_first_not_of('0');
    const auto significant = first_significant == std::string_view::npos
                                 ? std::string_view()
                                 : header.substr(first_significant);
    if (digits && significant.size() == 19) return;
    if (digits && !significant.empty() && significant.size() < 19) {
        FUZZ_CHECK(intended == std::stoll(std::string(significant)),
                   "a valid header is used as is");
        return;
    }
    FUZZ_CHECK(intended >= before && intended <= after, "no valid header: intended is now");
}

void check_submission(const http_request& request, const scenario_plugin& plugin) {
    const std::int64_t before = epoch_us_now();
    auto parsed = parse_submission(request, plugin);
    const std::int64_t after = epoch_us_now();
    if (auto* error = std::get_if<http_response>(&parsed)) {
        check_error_response(*error, 400);
        return;
    }
    const auto& item = std::get<work_item>(parsed);
    FUZZ_CHECK(!item.business_id.empty(), "an accepted request has a business id");
    FUZZ_CHECK(!item.kind.empty(), "an accepted request has a kind");
    check_intended(request.header(intended_header), item.intended_epoch_us, before, after);
    // The normalised payload travels in the Kafka message: it must itself be a valid request
    // with the same identity, or the consumer side would see a different request.
    auto again = plugin.parse_request(item.payload);
    FUZZ_CHECK(std::holds_alternative<parsed_request>(again), "the payload validates again");
    FUZZ_CHECK(std::get<parsed_request>(again).business_id == item.business_id,
               "the payload keeps the business id");
    check_success_response(submission_response(202, item.business_id, "accepted"),
                           item.business_id);
    // Only accepted ids get a state answer, so that is where the 200 path is checked.
    const stage_record done{"stage", stage_outcome::completed, item.intended_epoch_us, after, 1};
    check_success_response(request_state_response(item.business_id, {}, 1, true), item.business_id);
    check_success_response(request_state_response(item.business_id, {done}, 1, true),
                           item.business_id);
}

// A feed route's page, rendered for rows holding the request's bytes: the table as routed, a
// text column with the body (any bytes), an integer and the cursor. The body must parse
// whatever those bytes are, and the numbers come back as numbers.
void check_feed(const routed_request& routed, const http_request& request) {
    FUZZ_CHECK(!routed.table.empty(), "a feed names a table");
    FUZZ_CHECK(routed.table.find('?') == std::string::npos, "the query is not in the table");
    FUZZ_CHECK(routed.limit >= 1 && routed.limit <= feed_max_limit, "the limit is in range");
    // The values as a poller would send them route to the same page.
    http_request again;
    again.method = "GET";
    again.target = "/feeds/" + routed.table + "?limit=" + std::to_string(routed.limit) +
                   "&since=" + std::to_string(routed.since);
    const auto reread = route_api_request(again, "/unused");
    FUZZ_CHECK(reread.route == api_route::feed, "a canonical query routes to the feed");
    FUZZ_CHECK(reread.table == routed.table && reread.since == routed.since &&
                   reread.limit == routed.limit,
               "a canonical query reads the same page");

    table_spec table;
    table.name = "fuzzed";
    table.key = "id";
    table.columns = {{"text", column_spec::type::text},
                     {"count", column_spec::type::integer},
                     {"at", column_spec::type::written_at}};
    const std::vector<row_values> rows{
        {{"id", routed.table},
         {"text", request.body},
         {"count", "-7"},
         {"at", std::to_string(routed.since)}},
        {{"id", request.body}},  // every column NULL
    };
    const auto page = parse_object(feed_response_body(table, "at", routed.since, rows));
    const auto* list = page.if_contains("rows");
    FUZZ_CHECK(list && list->is_array() && list->as_array().size() == 2, "one object per row");
    const auto* next = page.if_contains("next_since");
    FUZZ_CHECK(next && next->is_int64() && next->as_int64() == routed.since,
               "next_since is the highest cursor of the page");
    const auto& first = list->as_array()[0].as_object();
    FUZZ_CHECK(first.size() == 4, "the key and every column the row holds");
    FUZZ_CHECK(first.at("id").is_string() && first.at("text").is_string(), "text as strings");
    FUZZ_CHECK(first.at("count").is_int64() && first.at("count").as_int64() == -7,
               "integers as numbers");
    FUZZ_CHECK(first.at("at").is_int64() && first.at("at").as_int64() == routed.since,
               "the cursor as a number");
    FUZZ_CHECK(list->as_array()[1].as_object().size() == 1, "NULL columns are left out");
}

void check_plugin(const fuzz_input& input, const scenario_plugin& plugin) {
    const auto request = make_request(input, plugin.api_path());
    const auto routed = route_api_request(request, plugin.api_path());
    const auto fixed = fixed_route_response(routed);
    switch (routed.route) {
        case api_route::submit:
            FUZZ_CHECK(!fixed, "a submission is not answered by routing");
            FUZZ_CHECK(request.method == "POST", "only POST submits");
            check_submission(request, plugin);
            break;
        case api_route::request_state:
            FUZZ_CHECK(!fixed, "a state request is not answered by routing");
            FUZZ_CHECK(request.method == "GET", "only GET asks for state");
            FUZZ_CHECK(!routed.business_id.empty(), "a state request names an id");
            // Any bytes Beast lets through in a target reach this answer (it accepts 0x80-0xFF).
            check_error_response(request_state_response(routed.business_id, {}, 1, false), 404);
            break;
        case api_route::feed:
            FUZZ_CHECK(!fixed, "a feed read is not answered by routing");
            FUZZ_CHECK(request.method == "GET", "only GET reads a feed");
            check_feed(routed, request);
            break;
        case api_route::bad_request:
            FUZZ_CHECK(fixed.has_value(), "routing answers a malformed query");
            FUZZ_CHECK(request.method == "GET", "a query is judged only on a GET");
            FUZZ_CHECK(!routed.problem.empty(), "a bad request says what is wrong");
            check_error_response(*fixed, 400);
            break;
        case api_route::health:
            FUZZ_CHECK(fixed && fixed->status == 200, "health answers 200");
            parse_object(fixed->body);
            break;
        case api_route::not_found:
            FUZZ_CHECK(fixed.has_value(), "routing answers an unknown path");
            check_error_response(*fixed, 404);
            break;
        case api_route::method_not_allowed:
            FUZZ_CHECK(fixed.has_value(), "routing answers a wrong method");
            check_error_response(*fixed, 405);
            break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto input = split(std::string_view(reinterpret_cast<const char*>(data), size));
    for (const auto& name : plugin_names()) {
        const auto* plugin = find_plugin(name);
        FUZZ_CHECK(plugin != nullptr, "every listed plugin can be found");
        check_plugin(input, *plugin);
    }
    return 0;
}
