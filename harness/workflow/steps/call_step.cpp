// `call: <system>.<operation>`: a POST to a mock external system, done on a 2xx answer. Applied
// once per (business id, step): the effect is recorded after the 2xx, and a redelivered or
// retried request skips a call that took effect.
#include <fmt/format.h>

#include "harness/config/system_reader.hpp"
#include "harness/http/blocking_http_client.hpp"
#include "harness/store/store.hpp"
#include "harness/workflow/steps/step_functions.hpp"
#include "harness/workflow/workflow_executor.hpp"

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

step_result run_call_step(step_context& context, const step_spec& step, const work_item& item) {
    const auto& call = *step.as<call_step>();
    if (context.session().effect_done(item.business_id, step.name)) return step_result::done();
    const network_endpoint* endpoint = context.system_address(call.system);
    if (endpoint == nullptr) {  // the loader checks references; a bug if reached
        return step_result::failed(fmt::format("system '{}' has no address", call.system));
    }
    const header_list headers{{"X-Business-Id", item.business_id},
                              {"Idempotency-Key", item.business_id + ":" + step.name}};
    auto answer = context.http.request("POST", endpoint->host, endpoint->port, "/" + call.operation,
                                       headers, item.payload, call.timeout);
    const std::string where = call.system + "." + call.operation;
    if (answer.result != http_call_result::outcome::ok) {
        return step_result::failed(fmt::format("{}: {}", where, answer.error));
    }
    if (answer.status < 200 || answer.status > 299) {
        return step_result::failed(fmt::format("{} answered {}", where, answer.status));
    }
    context.session().record_effect(item.business_id, step.name);
    return step_result::done();
}

}  // namespace asyncbench
