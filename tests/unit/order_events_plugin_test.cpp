// order-events requests: the workload both modes receive, and what the API refuses.
#include "scenarios/order-events/order_events_plugin.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace asyncbench {
namespace {

const scenario_plugin& plugin() { return *find_plugin("order-events"); }

TEST(order_events_plugin, orders_name_the_discontinued_and_scarce_products_at_fixed_shares) {
    int discontinued = 0;
    int scarce = 0;
    for (std::uint64_t seq = 0; seq < 1000; ++seq) {
        const auto request = plugin().make_request(seq);
        auto parsed = plugin().parse_request(request.body);
        ASSERT_TRUE(std::holds_alternative<parsed_request>(parsed)) << request.body;
        EXPECT_EQ(std::get<parsed_request>(parsed).business_id, request.business_id);
        discontinued += request.body.find("\"p-00\"") != std::string::npos;
        scarce += request.body.find("\"p-01\"") != std::string::npos;
    }
    EXPECT_EQ(discontinued, 20);  // one order in 50
    EXPECT_EQ(scarce, 250);       // one in 4
    EXPECT_EQ(plugin().make_request(42).body, plugin().make_request(42).body);
    EXPECT_EQ(order_events::initial_stock(0), 0);
}

TEST(order_events_plugin, the_payload_carries_the_items_and_their_total) {
    auto parsed = plugin().parse_request(
        R"({"order_id":"o-1","user_id":"u-1","items":[{"product_id":"p-02","quantity":2},)"
        R"({"product_id":"p-03","quantity":5}]})");
    ASSERT_TRUE(std::holds_alternative<parsed_request>(parsed));
    const auto payload = boost::json::parse(std::get<parsed_request>(parsed).payload).as_object();
    EXPECT_EQ(payload.at("total_quantity").as_int64(), 7);
    EXPECT_EQ(payload.at("items").as_array().size(), 2u);
}

TEST(order_events_plugin, refuses_orders_the_workflow_could_not_handle) {
    for (std::string_view body : {
             R"({"order_id":"o","user_id":"u","items":[]})",
             R"({"order_id":"o","user_id":"u","items":[{"product_id":"p-02","quantity":0}]})",
             R"({"order_id":"o","user_id":"u","items":[{"product_id":"p-02","quantity":1.5}]})",
             R"({"order_id":"o","user_id":"u","items":[{"product_id":"p-02"}]})",
             R"({"order_id":"o","user_id":"u","items":[5]})",
             R"({"order_id":"o","user_id":"u","items":[{"product_id":"p-02","quantity":1},)"
             R"({"product_id":"p-02","quantity":2}]})",
             R"({"order_id":"o","items":[{"product_id":"p-02","quantity":1}]})",
         }) {
        EXPECT_TRUE(std::holds_alternative<std::string>(plugin().parse_request(body))) << body;
    }
}

}  // namespace
}  // namespace asyncbench
