// order-events requests: generation and validation. Seeding and checks are in
// order_events_checks.cpp.
#include "scenarios/order-events/order_events_plugin.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "scenarios/json_fields.hpp"
#include "scenarios/plugin_support.hpp"

namespace asyncbench {

namespace order_events {

std::int64_t initial_stock(int product) {
    if (product == 0) return 0;
    if (product == 1) return scarce_stock;
    return ample_stock;
}

std::string product_id(int product) { return fmt::format("p-{:02d}", product); }

}  // namespace order_events

namespace {

constexpr std::size_t max_items = 20;
constexpr std::int64_t max_quantity = 1000;

}  // namespace

std::string_view order_events_plugin::api_path() const { return "/orders"; }

generated_request order_events_plugin::make_request(std::uint64_t seq) const {
    using namespace order_events;
    generated_request request;
    request.business_id = fmt::format("ord-{:08d}", seq);
    std::uint64_t bits = splitmix64(seq);
    const int count = 1 + static_cast<int>(bits % 3);
    boost::json::array items;
    std::vector<int> chosen;
    // One order in 50 names the discontinued product, one in 4 the scarce one.
    if (seq % 50 == 7) chosen.push_back(0);
    if (seq % 4 == 1) chosen.push_back(1);
    while (static_cast<int>(chosen.size()) < count) {
        bits = splitmix64(bits);
        const int product = 2 + static_cast<int>(bits % (products - 2));
        if (std::find(chosen.begin(), chosen.end(), product) == chosen.end()) {
            chosen.push_back(product);
        }
    }
    for (int product : chosen) {
        bits = splitmix64(bits);
        items.push_back(boost::json::object{{"product_id", product_id(product)},
                                            {"quantity", static_cast<std::int64_t>(1 + bits % 3)}});
    }
    request.body = boost::json::serialize(
        boost::json::object{{"order_id", request.business_id},
                            {"user_id", fmt::format("u-{:05d}", splitmix64(seq ^ 0x5eed) % 20000)},
                            {"items", std::move(items)}});
    return request;
}

std::variant<parsed_request, std::string> order_events_plugin::parse_request(
    std::string_view body) const {
    std::string errors;
    auto object = parse_json_object(body, errors);
    if (!object) return errors;
    auto id = required_string(*object, "order_id", 64, errors);
    auto user = required_string(*object, "user_id", 64, errors);
    auto append = [&](const std::string& why) { errors += (errors.empty() ? "" : "; ") + why; };
    boost::json::array items;
    std::int64_t total = 0;
    const auto* list = object->if_contains("items");
    if (list == nullptr || !list->is_array() || list->get_array().empty() ||
        list->get_array().size() > max_items) {
        append(fmt::format("items: must be a list of 1 to {} items", max_items));
    } else {
        std::set<std::string> seen;
        for (std::size_t i = 0; i < list->get_array().size(); ++i) {
            const auto& element = list->get_array()[i];
            const std::string where = fmt::format("items[{}]", i);
            if (!element.is_object()) {
                append(where + ": must be an object");
                continue;
            }
            std::string item_errors;
            auto product = required_string(element.get_object(), "product_id", 32, item_errors);
            const auto* quantity = element.get_object().if_contains("quantity");
            if (quantity == nullptr || !quantity->is_int64() || quantity->get_int64() < 1 ||
                quantity->get_int64() > max_quantity) {
                item_errors +=
                    std::string(item_errors.empty() ? "" : "; ") +
                    fmt::format("quantity: must be an integer from 1 to {}", max_quantity);
            }
            if (!item_errors.empty()) {
                append(where + ": " + item_errors);
                continue;
            }
            // One line per product: a repeated product would make the guarded decrement
            // check each line against the same stock separately.
            if (!seen.insert(*product).second) {
                append(where + ": product " + *product + " is listed twice");
                continue;
            }
            total += quantity->get_int64();
            items.push_back(
                boost::json::object{{"product_id", *product}, {"quantity", quantity->get_int64()}});
        }
    }
    if (!errors.empty()) return errors;
    parsed_request request;
    request.business_id = *id;
    request.kind = "order";
    request.payload = boost::json::serialize(boost::json::object{{"order_id", *id},
                                                                 {"user_id", *user},
                                                                 {"items", std::move(items)},
                                                                 {"total_quantity", total}});
    return request;
}

}  // namespace asyncbench
