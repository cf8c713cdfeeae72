#include "harness/workflow/request_fields.hpp"

#include <boost/json.hpp>
#include <cmath>

namespace asyncbench {

std::optional<request_fields> request_fields::parse(std::string_view payload, std::string& error) {
    boost::system::error_code ec;
    auto value = boost::json::parse(payload, ec);
    if (ec) {
        error = "the request is not JSON: " + ec.message();
        return std::nullopt;
    }
    if (!value.is_object()) {
        error = "the request is not a JSON object";
        return std::nullopt;
    }
    return request_fields(std::move(value.as_object()));
}

std::optional<std::string> request_fields::text(std::string_view name) const {
    const auto* value = object_.if_contains(name);
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (value->is_string()) return std::string(value->get_string());
    return boost::json::serialize(*value);
}

std::optional<std::int64_t> request_fields::integer(std::string_view name) const {
    const auto* value = object_.if_contains(name);
    if (value == nullptr) return std::nullopt;
    if (value->is_int64()) return value->get_int64();
    if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(value->get_uint64());
    }
    if (value->is_double()) {
        const double d = value->get_double();
        if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9e18) {
            return static_cast<std::int64_t>(d);
        }
    }
    return std::nullopt;
}

std::optional<std::vector<request_fields>> request_fields::each(std::string_view name) const {
    const auto* value = object_.if_contains(name);
    if (value == nullptr || !value->is_array()) return std::nullopt;
    std::vector<request_fields> out;
    for (const auto& element : value->get_array()) {
        if (!element.is_object()) return std::nullopt;
        out.emplace_back(element.get_object());
    }
    return out;
}

std::optional<std::vector<request_fields>> request_fields::elements(std::string_view name,
                                                                    std::string& error) const {
    if (name.empty()) return std::vector<request_fields>{*this};
    auto list = each(name);
    if (!list) error = "request field '" + std::string(name) + "' is not a list of objects";
    return list;
}

}  // namespace asyncbench
