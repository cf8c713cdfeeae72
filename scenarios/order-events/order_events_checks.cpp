// order-events: the stock it starts from, and what must hold after the drain.
//  - ranking_matches_orders: every product's ZSCORE equals the quantity ordered in paid
//    orders. Under at-least-once delivery a plain ZINCRBY counts a redelivered order twice;
//    the default ranking step is idempotent, so it must hold even when a consumer is killed.
//  - stock_never_negative: the guarded decrement never sells what is not there.
//  - stock_conserved: per product, initial stock - remaining = quantity in orders created.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <map>

#include "harness/store/store.hpp"
#include "scenarios/order-events/order_events_plugin.hpp"
#include "scenarios/plugin_support.hpp"

namespace asyncbench {
namespace {

using quantities = std::map<std::string, std::int64_t>;  // product -> units

// Quantities per product over the orders rows, all of them or only those with `status`.
quantities ordered(const std::vector<row_values>& orders, const std::string& status) {
    quantities out;
    for (const auto& order : orders) {
        if (!status.empty() && (!order.contains("status") || order.at("status") != status)) {
            continue;
        }
        auto items = order.find("items");
        if (items == order.end()) continue;
        boost::system::error_code ec;
        auto parsed = boost::json::parse(items->second, ec);
        if (ec || !parsed.is_array()) continue;
        for (const auto& item : parsed.get_array()) {
            const auto* object = item.if_object();
            if (!object || !object->contains("product_id") || !object->contains("quantity")) {
                continue;
            }
            const auto* product = object->at("product_id").if_string();
            const auto* quantity = object->at("quantity").if_int64();
            if (product && quantity) out[std::string(*product)] += *quantity;
        }
    }
    return out;
}

quantities ranking_scores(scenario_state& state) {
    quantities out;
    for (const auto& [member, score] : state.sorted_set("product_ranking")) {
        out[member] = static_cast<std::int64_t>(score);
    }
    return out;
}

}  // namespace

std::vector<std::string> order_events_plugin::metric_names() const {
    return {"orders_created",
            "orders_paid",
            "units_paid",
            "ranking_overcount_units",
            "ranking_undercount_units",
            "scarce_product_units_left"};
}

std::vector<std::string> order_events_plugin::invariant_names() const {
    return {"ranking_matches_orders", "stock_never_negative", "stock_conserved"};
}

void order_events_plugin::seed(scenario_state& state) const {
    std::vector<row_values> rows;
    for (int p = 0; p < order_events::products; ++p) {
        rows.push_back({{"product_id", order_events::product_id(p)},
                        {"quantity", std::to_string(order_events::initial_stock(p))}});
    }
    state.db().put_rows(declared_table(state.scenario(), "stock"), rows);
}

scenario_checks order_events_plugin::check(scenario_state& state) const {
    const auto& scenario = state.scenario();
    const auto orders = state.db().rows(declared_table(scenario, "orders"));
    const auto stock = state.db().rows(declared_table(scenario, "stock"));
    const auto paid = ordered(orders, "paid");
    const auto created = ordered(orders, "");
    scenario_checks checks;

    std::uint64_t paid_orders = 0;
    for (const auto& order : orders) {
        if (order.contains("status") && order.at("status") == "paid") ++paid_orders;
    }
    std::int64_t units_paid = 0;
    for (const auto& [product, units] : paid) units_paid += units;

    // The ranking: compared product by product, both ways (a member nobody ordered counts).
    const auto scores = ranking_scores(state);
    std::int64_t over = 0;
    std::int64_t under = 0;
    int mismatched = 0;
    std::set<std::string> products;
    for (const auto& [p, u] : paid) products.insert(p);
    for (const auto& [p, s] : scores) products.insert(p);
    for (const auto& product : products) {
        const auto expected = paid.contains(product) ? paid.at(product) : 0;
        const auto observed = scores.contains(product) ? scores.at(product) : 0;
        if (expected == observed) continue;
        ++mismatched;
        if (observed > expected) over += observed - expected;
        if (observed < expected) under += expected - observed;
    }
    checks.invariants.push_back(
        {"ranking_matches_orders",
         fmt::format("each product's ranking score = units in paid orders ({} products, {} units)",
                     paid.size(), units_paid),
         mismatched == 0 ? fmt::format("all {} products match", products.size())
                         : fmt::format("{} of {} products differ: {} units counted twice or more, "
                                       "{} units missing",
                                       mismatched, products.size(), over, under),
         mismatched == 0, true});

    std::int64_t lowest = 0;
    std::string lowest_product;
    int unbalanced = 0;
    std::int64_t imbalance = 0;
    for (const auto& row : stock) {
        const auto& product = row.at("product_id");
        const auto left = integer_column(row, "quantity");
        if (lowest_product.empty() || left < lowest) {
            lowest = left;
            lowest_product = product;
        }
        int index = -1;
        std::from_chars(product.data() + 2, product.data() + product.size(), index);
        const auto sold = created.contains(product) ? created.at(product) : 0;
        const auto start = order_events::initial_stock(index);
        if (start - left != sold) {
            ++unbalanced;
            imbalance += (start - left) - sold;
        }
    }
    checks.invariants.push_back({"stock_never_negative", "every product's stock >= 0",
                                 fmt::format("lowest: {} at {}", lowest_product, lowest),
                                 lowest >= 0, true});
    checks.invariants.push_back(
        {"stock_conserved", "initial stock - remaining = units in created orders, per product",
         unbalanced == 0 ? fmt::format("all {} products balance", stock.size())
                         : fmt::format("{} products off by {} units in all", unbalanced, imbalance),
         unbalanced == 0, true});

    checks.metrics.push_back({"orders_created", static_cast<double>(orders.size())});
    checks.metrics.push_back({"orders_paid", static_cast<double>(paid_orders)});
    checks.metrics.push_back({"units_paid", static_cast<double>(units_paid)});
    checks.metrics.push_back({"ranking_overcount_units", static_cast<double>(over)});
    checks.metrics.push_back({"ranking_undercount_units", static_cast<double>(under)});
    const auto scarce = std::find_if(stock.begin(), stock.end(), [](const row_values& row) {
        return row.at("product_id") == order_events::product_id(1);
    });
    if (scarce != stock.end()) {
        checks.metrics.push_back({"scarce_product_units_left",
                                  static_cast<double>(integer_column(*scarce, "quantity"))});
    }
    return checks;
}

}  // namespace asyncbench
