#include "harness/kafka/async_api.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "harness/workflow/api_request.hpp"

namespace asyncbench {
namespace {

http_response unavailable(std::string_view code, std::string_view message) {
    auto response = json_error(503, code, message);
    response.headers.emplace_back("Retry-After", "1");
    return response;
}

// The API answers every request explicitly: if the broker has not acknowledged a message
// within half the client's timeout (kept within 1 to 30 s), librdkafka gives up on it
// (message.timeout.ms) and the client gets 503 + Retry-After (outcome unknown, left to
// reconciliation) instead of a timeout of its own. A value the scenario or -X sets wins.
std::map<std::string, std::string> api_producer_settings(const scenario_config& scenario) {
    auto settings = scenario.async.producer;
    if (!settings.contains("message.timeout.ms") && !settings.contains("delivery.timeout.ms")) {
        const auto half =
            std::chrono::duration_cast<std::chrono::milliseconds>(scenario.load.request_timeout)
                .count() /
            2;
        settings["message.timeout.ms"] = std::to_string(std::clamp<long long>(half, 1000, 30000));
    }
    return settings;
}

}  // namespace

async_api::async_api(const scenario_config& scenario, const scenario_plugin& plugin, store& db,
                     const std::string& bootstrap_servers, pipeline_tracker& tracker,
                     std::uint16_t port)
    : scenario_(scenario),
      plugin_(plugin),
      tracker_(tracker),
      producer_("async API producer", bootstrap_servers, api_producer_settings(scenario)),
      lookup_pool_(state_lookup_threads, 1000) {
    for (int i = 0; i < state_lookup_threads; ++i) {
        lookups_.push_back(std::make_unique<workflow_executor>(scenario, db, no_systems_));
    }
    http_server_options options;
    options.port = port;
    options.name = "async API";
    options.body_limit_bytes = scenario.body_limit_bytes;
    options.io_threads = 1;
    server_ =
        std::make_unique<http_server>(options, [this](http_request request, respond_fn respond) {
            handle(std::move(request), std::move(respond));
        });
}

async_api::~async_api() { stop(); }

void async_api::start() { server_->start(); }

int async_api::stop() {
    server_->stop();
    lookup_pool_.stop();
    return producer_.stop();
}

const std::map<std::string, std::string>& async_api::producer_settings() const {
    return producer_.settings();
}

void async_api::handle(http_request request, respond_fn respond) {
    auto routed = route_api_request(request, plugin_.api_path());
    if (auto fixed = fixed_route_response(routed)) {
        respond(std::move(*fixed));
        return;
    }
    if (routed.route == api_route::request_state) {
        if (!lookup_pool_.submit([this, id = routed.business_id, respond](int index) {
                respond(request_state_response(id, lookups_[index]->stages(id),
                                               scenario_.workflow.size(), tracker_.acked(id)));
            })) {
            respond(unavailable("busy", "too many state lookups in flight"));
        }
        return;
    }
    auto parsed = parse_submission(request, plugin_);
    if (auto* error = std::get_if<http_response>(&parsed)) {
        respond(std::move(*error));
        return;
    }
    submit(std::get<work_item>(std::move(parsed)), std::move(respond));
}

void async_api::submit(work_item item, respond_fn respond) {
    const std::vector<std::pair<std::string, std::string>> headers{
        {"kind", item.kind}, {"intended-us", std::to_string(item.intended_epoch_us)}};
    auto id = item.business_id;
    auto err = producer_.produce(
        scenario_.async.topic, id, item.payload, headers,
        [this, id, respond](const delivery_report& report) {
            if (!report.error) {
                tracker_.on_acked(id, {report.partition, report.offset}, report.bytes);
                respond(submission_response(202, id, "accepted"));
                return;
            }
            if (report.status == RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED) {
                tracker_.on_unknown_delivery();
                respond(unavailable("delivery_unknown",
                                    fmt::format("the broker may or may not have stored the "
                                                "request: {}",
                                                rd_kafka_err2str(report.error))));
                return;
            }
            tracker_.on_backpressure();
            respond(unavailable("not_accepted", fmt::format("the broker did not store the "
                                                            "request: {}",
                                                            rd_kafka_err2str(report.error))));
        });
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        tracker_.on_backpressure();
        respond(unavailable("backpressure", "the producer queue is full"));
    } else if (err) {
        tracker_.on_backpressure();
        respond(unavailable("produce_failed", rd_kafka_err2str(err)));
    }
}

}  // namespace asyncbench
