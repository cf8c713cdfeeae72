#include "harness/api/front_door.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "harness/core/thread_name.hpp"
#include "harness/workflow/api_request.hpp"
#include "harness/workflow/stage_graph.hpp"

namespace asyncbench {
namespace {

// GET /requests/{id} threads when no stage runs inline.
constexpr int state_lookup_threads = 2;
constexpr int state_lookup_queue = 1000;

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

std::vector<const stage_spec*> inline_stages_of(const scenario_config& scenario, mode which) {
    std::vector<const stage_spec*> stages;
    for (auto i : stages_placed(scenario, which, placement::inline_stage)) {
        stages.push_back(&scenario.workflow[i]);
    }
    return stages;
}

}  // namespace

int front_door::pool_threads(const scenario_config& scenario, mode which) {
    return inline_stages_of(scenario, which).empty() ? state_lookup_threads
                                                     : scenario.sync.worker_threads;
}

// The tables pollers read through this API, with their cursor columns.
front_door::feed_map front_door::feeds_of(const scenario_config& scenario) {
    feed_map feeds;
    for (const auto& stage : scenario.workflow) {
        if (!stage.poll || stage.poll->source != poll_spec::source_kind::api) continue;
        const auto* table = scenario.table(stage.poll->table);
        if (table == nullptr) {
            throw std::runtime_error(fmt::format("stage {} polls table {}, which is not declared",
                                                 stage.name, stage.poll->table));
        }
        // When two stages poll one table with different cursors, the first stage's cursor wins
        // (emplace keeps the first): the path names no stage, so a table has one feed, and the
        // second stage's pollers page by the first one's cursor values.
        feeds.emplace(table->name, feed_source{table, stage.poll->cursor});
    }
    // Watchers that poll read the same way (the sync and async plans may both poll).
    for (const auto& plan : scenario.watchers.plans) {
        if (scenario.watchers.count == 0 || plan.method != watch_method::poll) continue;
        if (const auto* table = scenario.table(plan.poll.table)) {
            feeds.emplace(table->name, feed_source{table, plan.poll.cursor});
        }
    }
    return feeds;
}

front_door::front_door(const scenario_config& scenario, const scenario_plugin& plugin, store& db,
                       const system_directory& systems, front_door_options options)
    : scenario_(scenario),
      plugin_(plugin),
      options_(std::move(options)),
      inline_stages_(inline_stages_of(scenario, options_.which)),
      has_poll_stages_(!stages_placed(scenario, options_.which, placement::poll).empty()),
      feeds_(feeds_of(scenario)),
      pool_(pool_threads(scenario, options_.which),
            inline_stages_.empty() ? state_lookup_queue : scenario.sync.accept_queue,
            std::string(api_pool_thread)) {
    for (int i = 0; i < pool_.threads(); ++i) {
        executors_.push_back(std::make_unique<workflow_executor>(scenario, db, systems,
                                                                 &step_errors_, options_.redis));
    }
    if (front_door_publishes(scenario, options_.which)) {
        producer_ = std::make_unique<kafka_producer>("API producer", options_.bootstrap_servers,
                                                     api_producer_settings(scenario));
    }
    http_server_options server;
    server.port = options_.port;
    server.name = fmt::format("{} API", mode_name(options_.which));
    server.thread_name = api_io_thread;
    server.body_limit_bytes = scenario.body_limit_bytes;
    server.max_connections = static_cast<std::size_t>(scenario.api_connections);
    // The inline pool's threads block; the I/O threads only parse and hand over (one is enough
    // for producing, as the async API did).
    server.io_threads = inline_stages_.empty() ? 1 : 2;
    server.handler_timeout = scenario.load.request_timeout * 4;
    server_ =
        std::make_unique<http_server>(server, [this](http_request request, respond_fn respond) {
            handle(std::move(request), std::move(respond));
        });
}

front_door::~front_door() { stop(); }

void front_door::start() { server_->start(); }

int front_door::stop() {
    if (stopped_) return 0;
    stopped_ = true;
    server_->stop();
    pool_.stop();
    return producer_ ? producer_->stop() : 0;
}

std::uint64_t front_door::handed_on() const {
    std::lock_guard lock(handed_on_mutex_);
    return handed_on_.size();
}

const std::map<std::string, std::string>& front_door::producer_settings() const {
    return producer_ ? producer_->settings() : no_settings_;
}

void front_door::handle(http_request request, respond_fn respond) {
    auto routed = route_api_request(request, plugin_.api_path());
    if (auto fixed = fixed_route_response(routed)) {
        respond(std::move(*fixed));
        return;
    }
    if (routed.route == api_route::request_state) {
        // Served by the pool like any servlet request, so it queues like one too.
        if (!pool_.submit([this, id = routed.business_id, respond](int index) {
                const bool acked = options_.tracker != nullptr && options_.tracker->acked(id);
                respond(request_state_response(id, executors_[index]->stages(id),
                                               scenario_.workflow.size(), acked));
            })) {
            ++refused_busy_;
            respond(unavailable("busy", "all worker threads busy and queue full"));
        }
        return;
    }
    if (routed.route == api_route::feed) {
        serve_feed(routed, std::move(respond));
        return;
    }
    if (routed.route == api_route::lookup) {
        serve_lookup(routed.business_id, std::move(respond));
        return;
    }
    auto parsed = parse_submission(request, plugin_);
    if (auto* error = std::get_if<http_response>(&parsed)) {
        respond(std::move(*error));
        return;
    }
    auto item = std::get<work_item>(std::move(parsed));
    if (inline_stages_.empty() && producer_) {
        publish(item, std::move(respond));
        return;
    }
    if (!pool_.submit([this, item, respond](int index) { run_inline(index, item, respond); })) {
        ++refused_busy_;
        respond(unavailable("busy", "all worker threads busy and queue full"));
    }
}

void front_door::serve_feed(const routed_request& routed, respond_fn respond) {
    const auto feed = feeds_.find(routed.table);
    if (feed == feeds_.end()) {
        respond(json_error(404, "not_found",
                           fmt::format("no feed for table '{}': no stage polls it through the API",
                                       routed.table)));
        return;
    }
    // Served by the pool like a state request: the pollers' reads take the threads the API's
    // own requests need, which is the cost of polling the operating service.
    const feed_source* source = &feed->second;  // feeds_ outlives the pool
    if (!pool_.submit(
            [this, source, since = routed.since, limit = routed.limit, respond](int index) {
                try {
                    const auto rows =
                        executors_[index]->rows_since(*source->table, source->cursor, since, limit);
                    http_response response;
                    response.body = feed_response_body(*source->table, source->cursor, since, rows);
                    respond(std::move(response));
                } catch (const store_error& e) {
                    respond(unavailable("store_unavailable", e.what()));
                } catch (const std::invalid_argument& e) {
                    // The store returned a row it promised not to (text in a number column).
                    respond(json_error(500, "bad_row", e.what()));
                }
            })) {
        ++refused_busy_;
        respond(unavailable("busy", "all worker threads busy and queue full"));
    }
}

void front_door::serve_lookup(const std::string& entity, respond_fn respond) {
    if (scenario_.lookups.rate_per_s <= 0) {
        respond(json_error(404, "not_found", "this scenario serves no lookups"));
        return;
    }
    // On the pool, as a servlet would serve it: lookups compete with the writes for threads
    // (and, as-is, for the database).
    const lookup_source* source = &scenario_.lookups.source(options_.which);
    if (!pool_.submit([this, source, entity, respond](int index) {
            try {
                if (auto state = executors_[index]->look_up(*source, entity)) {
                    http_response response;
                    response.body = std::move(*state);
                    respond(std::move(response));
                } else {
                    respond(json_error(404, "not_found", "no state for " + entity));
                }
            } catch (const std::exception& e) {  // store_error, redis_error
                respond(unavailable("state_unavailable", e.what()));
            }
        })) {
        ++refused_busy_;
        respond(unavailable("busy", "all worker threads busy and queue full"));
    }
}

void front_door::run_inline(int thread_index, const work_item& item, const respond_fn& respond) {
    auto& executor = *executors_[thread_index];
    answer_figures figures;  // what the inline steps answered (a queue position, say)
    {
        const id_claims::claim exclusive(in_progress_, item.business_id);
        for (const stage_spec* stage : inline_stages_) {
            auto attempt = executor.attempt_stage(*stage, item);
            if (attempt.result.outcome == step_result::status::rejected) {
                executor.record_outcome(*stage, item, stage_outcome::rejected, 1);
                auto answer = json_error(409, attempt.result.detail,
                                         fmt::format("{} refused the request: {}",
                                                     attempt.stopped_at, attempt.result.detail));
                respond(std::move(answer));
                return;
            }
            if (!attempt.ok()) {
                respond(json_error(502, "downstream_failed", attempt.result.detail));
                return;
            }
            executor.record_outcome(*stage, item, stage_outcome::completed, 1);
            figures.insert(figures.end(), attempt.result.answer.begin(),
                           attempt.result.answer.end());
        }
    }
    if (has_poll_stages_) {
        std::lock_guard lock(handed_on_mutex_);
        handed_on_.insert(item.business_id);
    }
    if (!producer_) {
        // Work left for pollers (and whatever follows them) is accepted, not completed.
        const bool more = has_poll_stages_ && options_.which == mode::async;
        const int status = more ? scenario_.async.answer_status : 200;
        respond(submission_response(status, item.business_id,
                                    !more           ? "completed"
                                    : status == 201 ? "created"
                                                    : "accepted",
                                    figures));
        return;
    }
    publish(item, respond, std::move(figures));
}

void front_door::publish(const work_item& item, respond_fn respond, answer_figures figures) {
    auto& tracker = *options_.tracker;
    const std::vector<std::pair<std::string, std::string>> headers{
        {"kind", item.kind}, {"intended-us", std::to_string(item.intended_epoch_us)}};
    const int status = scenario_.async.answer_status;
    auto id = item.business_id;
    auto err = producer_->produce(
        scenario_.async.topic, id, item.payload, headers,
        [&tracker, id, respond, status, figures](const delivery_report& report) {
            if (!report.error) {
                tracker.on_acked(id, {report.partition, report.offset}, report.bytes);
                respond(submission_response(status, id, status == 201 ? "created" : "accepted",
                                            figures));
                return;
            }
            if (report.status == RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED) {
                tracker.on_unknown_delivery();
                respond(unavailable("delivery_unknown",
                                    fmt::format("the broker may or may not have stored the "
                                                "request: {}",
                                                rd_kafka_err2str(report.error))));
                return;
            }
            tracker.on_backpressure();
            respond(unavailable("not_accepted", fmt::format("the broker did not store the "
                                                            "request: {}",
                                                            rd_kafka_err2str(report.error))));
        });
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        tracker.on_backpressure();
        respond(unavailable("backpressure", "the producer queue is full"));
    } else if (err) {
        tracker.on_backpressure();
        respond(unavailable("produce_failed", rd_kafka_err2str(err)));
    }
}

}  // namespace asyncbench
