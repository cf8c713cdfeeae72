#pragma once
// The request's fields as workflow steps read them: by name, from the JSON payload the API
// accepted (the plugin's normalised body). A step's values come from the fields of the same
// name; `each` iterates an array field of objects. Immutable after parse; thread-safe to read.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asyncbench {

class request_fields {
  public:
    // nullopt with a message in `error` when `payload` is not a JSON object. Never throws.
    static std::optional<request_fields> parse(std::string_view payload, std::string& error);
    explicit request_fields(boost::json::object object) : object_(std::move(object)) {}

    // A field as text: strings as they are, numbers and booleans in JSON form, arrays and
    // objects as JSON. nullopt when absent or null.
    std::optional<std::string> text(std::string_view name) const;
    // A field holding an integer (or an integral number). nullopt otherwise.
    std::optional<std::int64_t> integer(std::string_view name) const;
    // The objects of array field `name`; nullopt when absent, not an array, or an element is
    // not an object.
    std::optional<std::vector<request_fields>> each(std::string_view name) const;
    // What a step with `each: <name>` applies to: those objects, or the request itself when
    // `name` is empty. nullopt (with a message in `error`) as for each().
    std::optional<std::vector<request_fields>> elements(std::string_view name,
                                                        std::string& error) const;

  private:
    boost::json::object object_;
};

}  // namespace asyncbench
