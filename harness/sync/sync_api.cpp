#include "harness/sync/sync_api.hpp"

#include "harness/workflow/api_request.hpp"

namespace asyncbench {

sync_api::sync_api(const scenario_config& scenario, const scenario_plugin& plugin, store& db,
                   const system_directory& systems, std::uint16_t port)
    : scenario_(scenario),
      plugin_(plugin),
      pool_(scenario.sync.worker_threads, scenario.sync.accept_queue) {
    executors_.reserve(static_cast<std::size_t>(scenario.sync.worker_threads));
    for (int i = 0; i < scenario.sync.worker_threads; ++i) {
        executors_.push_back(
            std::make_unique<workflow_executor>(scenario, db, systems, &step_errors_));
    }
    http_server_options options;
    options.port = port;
    options.name = "sync API";
    options.body_limit_bytes = scenario.body_limit_bytes;
    options.io_threads = 2;
    options.handler_timeout = scenario.load.request_timeout * 4;
    server_ =
        std::make_unique<http_server>(options, [this](http_request request, respond_fn respond) {
            handle(std::move(request), std::move(respond));
        });
}

sync_api::~sync_api() { stop(); }

void sync_api::start() { server_->start(); }

void sync_api::stop() {
    pool_.stop();
    server_->stop();
}

void sync_api::handle(http_request request, respond_fn respond) {
    auto routed = route_api_request(request, plugin_.api_path());
    if (auto fixed = fixed_route_response(routed)) {
        respond(std::move(*fixed));
        return;
    }
    if (routed.route == api_route::request_state) {
        // Served by the pool like any servlet request, so it queues like one too.
        if (!pool_.submit([this, id = routed.business_id, respond](int index) {
                respond(request_state_response(id, executors_[index]->stages(id),
                                               scenario_.workflow.size(), false));
            })) {
            ++rejected_;
            respond(json_error(503, "busy", "all worker threads busy and queue full"));
        }
        return;
    }
    auto parsed = parse_submission(request, plugin_);
    if (auto* error = std::get_if<http_response>(&parsed)) {
        respond(std::move(*error));
        return;
    }
    if (!pool_.submit([this, item = std::get<work_item>(std::move(parsed)), respond](int index) {
            process(index, item, respond);
        })) {
        ++rejected_;
        auto busy = json_error(503, "busy", "all worker threads busy and queue full");
        busy.headers.emplace_back("Retry-After", "1");
        respond(std::move(busy));
    }
}

void sync_api::process(int thread_index, const work_item& item, const respond_fn& respond) {
    auto& executor = *executors_[thread_index];
    const id_claims::claim exclusive(in_progress_, item.business_id);
    for (const auto& stage : scenario_.workflow) {
        auto attempt = executor.attempt_stage(stage, item);
        if (!attempt.ok) {
            respond(json_error(502, "downstream_failed", attempt.error));
            return;
        }
        executor.record_outcome(stage, item, stage_outcome::completed, 1);
    }
    respond(submission_response(200, item.business_id, "completed"));
}

}  // namespace asyncbench
