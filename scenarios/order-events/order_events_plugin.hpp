#pragma once
// order-events (seed 003, section 4.1): POST /orders with a user and 1 to 3 items.
//   {"order_id": "ord-00000042", "user_id": "u-00042",
//    "items": [{"product_id": "p-07", "quantity": 2}, ...]}
// The workflow (order-events.yaml) deducts stock with a guard, creates the order, pays, then
// updates the product ranking (a Redis sorted set) and sends the order to the data platform.
// This plugin generates and validates the orders, seeds the stock, and checks afterwards that
// the ranking and the stock agree with the orders.
#include <cstdint>

#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {

namespace order_events {

inline constexpr int products = 40;                // p-00 .. p-39
inline constexpr std::int64_t scarce_stock = 400;  // p-01: sells out in every run, --quick too
inline constexpr std::int64_t ample_stock = 10'000'000;  // every other product but p-00
// p-00 is discontinued: stock 0, so every order naming it is rejected, identically in both
// modes; p-01 runs out mid-run, so the guard is exercised under concurrency.

// The stock a product starts with.
std::int64_t initial_stock(int product);
std::string product_id(int product);  // "p-07"

}  // namespace order_events

class order_events_plugin final : public scenario_plugin {
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
