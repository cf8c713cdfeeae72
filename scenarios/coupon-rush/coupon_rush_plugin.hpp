#pragma once
// coupon-rush (seed 003, sections 4.2.1 and 5.4): a first-come coupon with limited stock and a
// burst of requests, POST /coupons/claim:
//   {"request_id": "req-00000042", "coupon_id": "cpn-0001", "user_id": "u-04242"}
// The workflow (coupon-rush.yaml) logs each request and claims one coupon for its user: never
// more than the stock, at most one per user. This plugin generates the burst (3 of every 4
// requests from a user not seen before, the 4th from one already seen, so "already issued"
// happens in short runs too), seeds the stock, and checks the invariants afterwards.
#include <cstdint>
#include <string>

#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {

namespace coupon_rush {

inline constexpr const char* coupon_id = "cpn-0001";
inline constexpr std::int64_t stock = 1000;
inline constexpr std::uint64_t users = 15000;  // distinct users over the first 20,000 requests

// The user asking in request `seq`.
std::string user_of(std::uint64_t seq);

}  // namespace coupon_rush

class coupon_rush_plugin final : public scenario_plugin {
  public:
    std::string_view api_path() const override;
    generated_request make_request(std::uint64_t seq) const override;
    std::variant<parsed_request, std::string> parse_request(std::string_view body) const override;
    std::vector<std::string> invariant_names() const override;
    std::vector<std::string> metric_names() const override;
    void seed(scenario_state& state) const override;
    scenario_checks check(scenario_state& state) const override;
};

}  // namespace asyncbench
