#include "mocks/mock_admin.hpp"

#include <boost/json.hpp>

#include "harness/config/scenario_loader.hpp"

namespace asyncbench {
namespace {

// Lines the wrapper in parse_operation_body puts before the body, and the body's indent.
constexpr int wrapper_lines = 2;
constexpr int body_indent = 4;

}  // namespace

std::string calls_to_json(const call_log& calls) {
    boost::json::object root;
    for (const auto& [operation, by_id] : calls) {
        boost::json::object counts;
        for (const auto& [business_id, count] : by_id) counts[business_id] = count;
        root[operation] = std::move(counts);
    }
    return boost::json::serialize(root);
}

bool is_valid_operation_name(std::string_view operation) {
    if (operation.empty()) return false;
    for (char c : operation) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        if (!plain) return false;
    }
    return true;
}

std::variant<operation_spec, std::vector<config_error>> parse_operation_body(
    std::string_view body, const std::string& operation, const std::string& system_name,
    const std::string& origin) {
    // The body becomes the one entry of a system's `operations` mapping, so the loader applies
    // its own rules (strict keys, units, ranges) and the mock never re-implements them.
    // Indenting every line keeps block YAML and multi-line JSON valid alike.
    std::string text = "operations:\n  \"" + operation + "\":\n";
    std::size_t start = 0;
    while (start <= body.size()) {
        std::size_t end = body.find('\n', start);
        if (end == std::string_view::npos) end = body.size();
        text.append(body_indent, ' ');
        text.append(body.substr(start, end - start));
        text.push_back('\n');
        start = end + 1;
    }
    auto result = load_system_text(text, origin, system_name);
    if (auto* errors = std::get_if<std::vector<config_error>>(&result)) {
        for (auto& error : *errors) {
            if (error.line > wrapper_lines) {
                error.line -= wrapper_lines;
                if (error.column > body_indent) error.column -= body_indent;
            } else {
                error.line = 0;  // about the wrapper, i.e. the body as a whole
                error.column = 0;
            }
        }
        return std::move(*errors);
    }
    const auto& system = std::get<system_spec>(result);
    auto found = system.operations.find(operation);
    if (found == system.operations.end()) {
        return std::vector<config_error>{
            config_error{origin, 0, 0, operation, "the body does not describe the operation"}};
    }
    return found->second;
}

}  // namespace asyncbench
