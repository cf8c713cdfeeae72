#include "harness/watch/lookup_load.hpp"

#include <fmt/format.h>

#include "harness/workflow/request_fields.hpp"
#include "scenarios/plugin_support.hpp"

namespace asyncbench {

lookup_load::lookup_load(const scenario_config& scenario, const scenario_plugin& plugin,
                         std::uint16_t api_port, const load_progress& writes,
                         const std::atomic<bool>& cancel) {
    load_spec spec = scenario.load;
    spec.kind = load_spec::model::open;
    spec.rate_per_s = scenario.lookups.rate_per_s;
    spec.ramp.clear();
    spec.requests.reset();
    spec.retry = retry_spec{};  // a dashboard's read is not retried: each lookup counts once
    load_target target;
    target.port = api_port;
    target.method = "GET";
    target.path = std::string(plugin.api_path());
    thread_ = std::thread([this, spec, target, &scenario, &plugin, &writes, &cancel] {
        const std::string entity_field = scenario.lookups.entity;
        const std::string prefix = target.path + "/";
        auto make = [&](std::uint64_t seq) {
            const std::uint64_t sent = writes.sent.load();
            const std::uint64_t pick = sent == 0 ? 0 : splitmix64(seq) % sent;
            std::string error;
            const auto fields = request_fields::parse(plugin.make_request(pick).body, error);
            const auto entity = fields ? fields->text(entity_field) : std::nullopt;
            generated_request request;
            request.business_id = fmt::format("lookup-{}", seq);
            // A request without the field looks up "-", which no entity is: a counted 404.
            request.path = prefix + entity.value_or("-");
            return request;
        };
        report_ = run_load(spec, target, make, progress_, cancel);
    });
}

lookup_load::~lookup_load() {
    if (thread_.joinable()) thread_.join();
}

load_report lookup_load::finish() {
    if (thread_.joinable()) thread_.join();
    return std::move(report_);
}

}  // namespace asyncbench
