// Reads `call: <system>.<operation>` (and `timeout`): the system must be declared.
#include "harness/config/step_kinds.hpp"
#include "harness/config/system_reader.hpp"

namespace asyncbench {

void read_call_step(yaml_reader& reader, const yaml_map& map, const step_declarations& declared,
                    step_spec& step) {
    call_step call;
    reader.duration_field(map, "timeout", call.timeout, milliseconds(1), max_config_duration);
    const YAML::Node& node = *map.find("call");
    const std::string path = map.child("call");
    const auto text = reader.read_scalar(node, path, "<system>.<operation>");
    if (text) {
        const auto dot = text->find('.');
        if (dot == std::string::npos || dot == 0 || dot + 1 == text->size()) {
            reader.add_error(
                node, path,
                "expected <system>.<operation> such as lp.LPRUN, got " + describe_node(node));
        } else {
            call.system = text->substr(0, dot);
            call.operation = text->substr(dot + 1);
            if (!is_operation_name(call.operation)) {
                reader.add_error(
                    node, path,
                    "operation names may only contain letters, digits, '_', '.' and '-'");
            }
            if (declared.systems_known && declared.systems.count(call.system) == 0) {
                reader.add_error(
                    node, path,
                    "system '" + call.system + "' is not declared in systems (declared: " +
                        join_names({declared.systems.begin(), declared.systems.end()}) + ")");
            }
        }
    }
    step.action = std::move(call);
}

}  // namespace asyncbench
