// coupon-rush: the burst, the stock it starts from, and what must hold after the drain.
//  - never_more_than_stock: coupons issued <= the stock, and the stock never below zero.
//  - one_per_user: no user holds two coupons.
//  - issued_equals_min_of_stock_and_users: issued = min(stock, distinct users who asked and
//    reached the claim): first come, first served leaves no coupon unissued while someone who
//    asked went without, and issues none twice.
// With the to-be's queue, metrics say how far the answered positions held: users told a place
// within the stock who got no coupon, and coupons issued to users without a place.
// A guarded claim keeps all three under any burst; the unguarded variant (check, then act)
// is expected to break the first two, and the report shows by how much.
#include "scenarios/coupon-rush/coupon_rush_plugin.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <set>

#include "harness/store/store.hpp"
#include "scenarios/json_fields.hpp"
#include "scenarios/plugin_support.hpp"

namespace asyncbench {

namespace coupon_rush {

namespace {

// A permutation of [0, users): 7919 is prime and does not divide 15,000.
std::uint64_t permuted(std::uint64_t n) { return (n * 7919 + 4242) % users; }

}  // namespace

std::string user_of(std::uint64_t seq) {
    const std::uint64_t group = seq / 4;
    const std::uint64_t slot = seq % 4;
    // Slots 0-2: the next fresh user. Slot 3: one of the users seen so far, asking again.
    const std::uint64_t fresh = slot < 3 ? 3 * group + slot : splitmix64(seq) % (3 * group + 3);
    return fmt::format("u-{:05d}", permuted(fresh % users));
}

}  // namespace coupon_rush

std::string_view coupon_rush_plugin::api_path() const { return "/coupons/claim"; }

generated_request coupon_rush_plugin::make_request(std::uint64_t seq) const {
    generated_request request;
    request.business_id = fmt::format("req-{:08d}", seq);
    request.body =
        boost::json::serialize(boost::json::object{{"request_id", request.business_id},
                                                   {"coupon_id", coupon_rush::coupon_id},
                                                   {"user_id", coupon_rush::user_of(seq)}});
    return request;
}

std::variant<parsed_request, std::string> coupon_rush_plugin::parse_request(
    std::string_view body) const {
    std::string errors;
    auto object = parse_json_object(body, errors);
    if (!object) return errors;
    auto id = required_string(*object, "request_id", 64, errors);
    auto coupon = required_string(*object, "coupon_id", 32, errors);
    auto user = required_string(*object, "user_id", 32, errors);
    if (!errors.empty()) return errors;
    parsed_request request;
    request.business_id = *id;
    request.kind = "coupon";
    request.payload = boost::json::serialize(
        boost::json::object{{"request_id", *id}, {"coupon_id", *coupon}, {"user_id", *user}});
    return request;
}

std::vector<std::string> coupon_rush_plugin::metric_names() const {
    return {"coupons_issued",
            "coupon_stock_left",
            "coupons_oversold",
            "users_with_two_coupons",
            "distinct_users_asking",
            "queued_users",
            "queue_place_within_stock_but_no_coupon",
            "coupon_without_queue_place"};
}

std::vector<std::string> coupon_rush_plugin::invariant_names() const {
    return {"never_more_than_stock", "one_per_user", "issued_equals_min_of_stock_and_users"};
}

void coupon_rush_plugin::seed(scenario_state& state) const {
    state.db().put_rows(declared_table(state.scenario(), "coupons"),
                        {{{"coupon_id", coupon_rush::coupon_id},
                          {"remaining", std::to_string(coupon_rush::stock)}}});
}

scenario_checks coupon_rush_plugin::check(scenario_state& state) const {
    const auto& scenario = state.scenario();
    const auto issues = state.db().rows(declared_table(scenario, "coupon_issues"));
    const auto requests = state.db().rows(declared_table(scenario, "coupon_requests"));
    std::int64_t left = 0;
    for (const auto& row : state.db().rows(declared_table(scenario, "coupons"))) {
        if (row.at("coupon_id") == coupon_rush::coupon_id && row.contains("remaining")) {
            left = integer_column(row, "remaining");
        }
    }
    std::map<std::string, int> per_user;
    for (const auto& issue : issues) {
        if (issue.contains("user_id")) ++per_user[issue.at("user_id")];
    }
    std::int64_t users_with_two = 0;
    std::int64_t extra_coupons = 0;
    for (const auto& [user, n] : per_user) {
        if (n < 2) continue;
        ++users_with_two;
        extra_coupons += n - 1;
    }
    std::set<std::string> asking;
    for (const auto& request : requests) {
        if (request.contains("user_id")) asking.insert(request.at("user_id"));
    }
    const auto issued = static_cast<std::int64_t>(issues.size());
    const auto stock = coupon_rush::stock;
    const auto expected = std::min<std::int64_t>(stock, static_cast<std::int64_t>(asking.size()));
    const std::int64_t oversold = std::max<std::int64_t>(0, issued - stock);

    scenario_checks checks;
    checks.invariants.push_back(
        {"never_more_than_stock",
         fmt::format("coupons issued <= {} and the stock never below 0", stock),
         fmt::format("{} issued, {} left{}", issued, left,
                     oversold > 0 ? fmt::format(": {} oversold", oversold) : std::string()),
         issued <= stock && left >= 0, true});
    checks.invariants.push_back(
        {"one_per_user", "no user holds two coupons",
         users_with_two == 0 ? fmt::format("{} users hold one each", per_user.size())
                             : fmt::format("{} users hold two or more ({} coupons too many)",
                                           users_with_two, extra_coupons),
         users_with_two == 0, true});
    checks.invariants.push_back(
        {"issued_equals_min_of_stock_and_users",
         fmt::format("issued = min(stock {}, {} distinct users who asked) = {}", stock,
                     asking.size(), expected),
         fmt::format("{} issued", issued), issued == expected, true});
    checks.metrics.push_back({"coupons_issued", static_cast<double>(issued)});
    checks.metrics.push_back({"coupon_stock_left", static_cast<double>(left)});
    checks.metrics.push_back({"coupons_oversold", static_cast<double>(oversold)});
    checks.metrics.push_back({"users_with_two_coupons", static_cast<double>(users_with_two)});
    checks.metrics.push_back({"distinct_users_asking", static_cast<double>(asking.size())});
    // The to-be answers a queue position at once: did the answer hold? A user told a place
    // within the stock should get a coupon; one who got a coupon should have had a place.
    const auto positions = state.sorted_set("coupon_queue");
    if (!positions.empty()) {
        std::int64_t promised_not_issued = 0;
        for (const auto& [user, position] : positions) {
            if (position <= static_cast<double>(stock) && !per_user.contains(user)) {
                ++promised_not_issued;
            }
        }
        std::int64_t issued_unqueued = 0;
        for (const auto& [user, n] : per_user) {
            if (!positions.contains(user)) ++issued_unqueued;
        }
        checks.metrics.push_back({"queued_users", static_cast<double>(positions.size())});
        checks.metrics.push_back(
            {"queue_place_within_stock_but_no_coupon", static_cast<double>(promised_not_issued)});
        checks.metrics.push_back(
            {"coupon_without_queue_place", static_cast<double>(issued_unqueued)});
    }
    return checks;
}

}  // namespace asyncbench
