// `call: <system>.<operation>`: a POST to a mock external system, done on a 2xx answer. Applied
// once per (business id, step): the effect is recorded after the 2xx, and a redelivered or
// retried request skips a call that took effect.
#include <fmt/format.h>

#include "harness/http/blocking_http_client.hpp"
#include "harness/store/store.hpp"
#include "harness/workflow/steps/step_functions.hpp"
#include "harness/workflow/workflow_executor.hpp"

namespace asyncbench {

step_result run_step(step_context& context, const step_spec& step, const call_step& call,
                     const work_item& item) {
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
