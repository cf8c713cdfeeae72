#include "harness/http/http_types.hpp"

#include <boost/json.hpp>
#include <strings.h>

namespace asyncbench {

std::string_view http_request::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0) {
            return value;
        }
    }
    return {};
}

http_response json_error(int status, std::string_view code, std::string_view message) {
    boost::json::object body;
    body["error"] = code;
    body["message"] = message;
    http_response response;
    response.status = status;
    response.body = boost::json::serialize(body);
    return response;
}

}  // namespace asyncbench
