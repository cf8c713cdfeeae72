#include "scenarios/json_fields.hpp"

#include <boost/json.hpp>

namespace asyncbench {

std::optional<std::string> required_string(const boost::json::object& object, std::string_view key,
                                           std::size_t max_length, std::string& errors) {
    auto append = [&](std::string_view why) {
        if (!errors.empty()) errors += "; ";
        errors += std::string(key) + ": " + std::string(why);
    };
    const auto* value = object.if_contains(key);
    if (!value) {
        append("missing");
        return std::nullopt;
    }
    if (!value->is_string()) {
        append("must be a string");
        return std::nullopt;
    }
    const auto& text = value->get_string();
    if (text.empty() || text.size() > max_length) {
        append("must be 1 to " + std::to_string(max_length) + " characters");
        return std::nullopt;
    }
    return std::string(text);
}

std::optional<boost::json::object> parse_json_object(std::string_view body, std::string& error) {
    boost::system::error_code ec;
    auto value = boost::json::parse(body, ec);
    if (ec) {
        error = "body is not valid JSON: " + ec.message();
        return std::nullopt;
    }
    if (!value.is_object()) {
        error = "body must be a JSON object";
        return std::nullopt;
    }
    return std::move(value.as_object());
}

}  // namespace asyncbench
