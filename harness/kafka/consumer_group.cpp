#include "harness/kafka/consumer_group.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <future>
#include <stdexcept>

#include "harness/core/clock.hpp"
#include "harness/kafka/key_ordered_group.hpp"
#include "harness/kafka/partition_group.hpp"
#include "harness/workflow/stage_graph.hpp"

namespace asyncbench {
namespace {

std::string header_value(const rd_kafka_message_t* message, const char* name) {
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return {};
    const void* value = nullptr;
    size_t size = 0;
    if (rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        !value) {
        return {};
    }
    return std::string(static_cast<const char*>(value), size);
}

}  // namespace

work_item work_item_of(const rd_kafka_message_t* message) {
    work_item item;
    if (message->key) {
        item.business_id.assign(static_cast<const char*>(message->key), message->key_len);
    }
    if (message->payload) {
        item.payload.assign(static_cast<const char*>(message->payload), message->len);
    }
    item.kind = header_value(message, "kind");
    // Produced by something else: no intended time, so no completion latency (0).
    item.intended_epoch_us = parse_epoch_us(header_value(message, "intended-us")).value_or(0);
    return item;
}

void count_rebalance(rd_kafka_t* handle, rd_kafka_resp_err_t err,
                     rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* context = static_cast<rebalance_counter*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        rd_kafka_assign(handle, partitions);
        context->events->on_partitions_assigned(partitions->cnt);
        if (!context->assigned) context->events->on_member_assigned(1);
        context->assigned = true;
    } else {
        rd_kafka_assign(handle, nullptr);
        context->events->on_partitions_assigned(-partitions->cnt);
        if (context->assigned) context->events->on_member_assigned(-1);
        context->assigned = false;
    }
}

std::string consumer_group_id(const scenario_config& scenario, const stage_spec& stage,
                              const std::string& run_id) {
    return fmt::format("asyncbench.{}.{}.{}", scenario.name, stage.name, run_id);
}

std::vector<std::unique_ptr<consumer_group>> make_stage_groups(const group_environment& environment,
                                                               const std::string& run_id,
                                                               const std::vector<int>& members) {
    const auto& scenario = environment.scenario;
    const mode which = environment.which;
    std::vector<std::unique_ptr<consumer_group>> groups;
    for (auto i : stages_placed(scenario, which, placement::kafka)) {
        const auto& stage = scenario.workflow[i];
        stage_wiring wiring;
        wiring.input_topic = input_topic(scenario, which, i);
        if (publishes_completion(scenario, which, i)) {
            wiring.completion_topic = completion_topic(scenario, i);
        }
        for (auto later : stages_triggered_by(scenario.workflow, i)) {
            wiring.triggered_stages.push_back(scenario.workflow[later].name);
        }
        auto id = consumer_group_id(scenario, stage, run_id);
        if (scenario.async.model == consumer_model::key_ordered) {
            groups.push_back(std::make_unique<key_ordered_group>(
                environment, stage, std::move(wiring), std::move(id), members));
        } else {
            groups.push_back(std::make_unique<partition_group>(
                environment, stage, std::move(wiring), std::move(id), members));
        }
    }
    return groups;
}

int stage_group_connections(const scenario_config& scenario, mode which, std::size_t members) {
    return static_cast<int>(members * stages_placed(scenario, which, placement::kafka).size());
}

int clients_per_group(const scenario_config& scenario, std::size_t members) {
    return scenario.async.model == consumer_model::key_ordered ? 1 : static_cast<int>(members);
}

kafka_conf consumer_group::consumer_conf() const {
    std::vector<std::string> errors;  // checked once, in the constructor
    return make_kafka_conf("consumer",
                           consumer_defaults(environment_.bootstrap_servers, group_id_,
                                             environment_.static_assignment),
                           scenario_.async.consumer, errors);
}

std::map<std::string, std::string> consumer_defaults(const std::string& bootstrap_servers,
                                                     const std::string& group_id,
                                                     bool embedded_cluster) {
    std::map<std::string, std::string> defaults{
        {"bootstrap.servers", bootstrap_servers}, {"group.id", group_id},
        {"auto.offset.reset", "earliest"},        {"enable.auto.commit", "true"},
        {"enable.auto.offset.store", "false"},    {"auto.commit.interval.ms", "1000"},
        {"enable.partition.eof", "false"}};
    if (embedded_cluster) defaults["fetch.wait.max.ms"] = "10";
    return defaults;
}

consumer_group::consumer_group(const group_environment& environment, const stage_spec& stage,
                               stage_wiring wiring, std::string group_id, std::vector<int> members)
    : environment_(environment),
      scenario_(environment.scenario),
      stage_(stage),
      wiring_(std::move(wiring)),
      group_id_(std::move(group_id)),
      producer_(environment.producer),
      events_(environment.events),
      settings_(effective_settings(consumer_defaults(environment.bootstrap_servers, group_id_,
                                                     environment.static_assignment),
                                   scenario_.async.consumer)),
      static_assignment_(environment.static_assignment),
      members_(std::move(members)) {
    std::vector<std::string> errors;
    make_kafka_conf("consumer",
                    consumer_defaults(environment_.bootstrap_servers, group_id_,
                                      environment_.static_assignment),
                    scenario_.async.consumer, errors);
    if (!errors.empty()) {
        std::string text;
        for (const auto& line : errors) text += (text.empty() ? "" : "\n") + line;
        throw std::runtime_error(text);
    }
}

void consumer_group::start_at_end_of_topic() {
    std::vector<std::string> errors;
    auto anchor = make_kafka_client(
        RD_KAFKA_CONSUMER,
        make_kafka_conf("consumer",
                        consumer_defaults(environment_.bootstrap_servers, group_id_,
                                          environment_.static_assignment),
                        scenario_.async.consumer, errors));
    const auto& topic = wiring_.input_topic;
    auto* ends = rd_kafka_topic_partition_list_new(scenario_.async.partitions);
    for (int p = 0; p < scenario_.async.partitions; ++p) {
        std::int64_t low = 0;
        std::int64_t high = 0;
        // A topic created a moment ago may not have elected its leaders yet: retry a while.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        rd_kafka_resp_err_t err;
        while ((err = rd_kafka_query_watermark_offsets(anchor.get(), topic.c_str(), p, &low, &high,
                                                       5000)) &&
               std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        if (err) {
            rd_kafka_topic_partition_list_destroy(ends);
            throw std::runtime_error(fmt::format("cannot read the end offset of {}[{}]: {}", topic,
                                                 p, rd_kafka_err2str(err)));
        }
        rd_kafka_topic_partition_list_add(ends, topic.c_str(), p)->offset = high;
    }
    // On a fresh cluster the group coordinator may still be loading the offsets topic.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_commit(anchor.get(), ends, 0)) &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    rd_kafka_topic_partition_list_destroy(ends);
    rd_kafka_consumer_close(anchor.get());
    if (err) {
        throw std::runtime_error(fmt::format("cannot commit start offsets for group {}: {}",
                                             group_id_, rd_kafka_err2str(err)));
    }
}

bool consumer_group::dead_letter(rd_kafka_message_t* message, const std::string& error,
                                 int attempts) {
    auto item = work_item_of(message);
    std::promise<delivery_report> delivered;
    auto outcome = delivered.get_future();
    auto err = producer_.produce(
        scenario_.async.topic + ".dlt", item.business_id, item.payload,
        {{"stage", stage_.name},
         {"error", error},
         {"attempts", std::to_string(attempts)},
         {"intended-us", std::to_string(item.intended_epoch_us)}},
        [&delivered](const delivery_report& report) { delivered.set_value(report); });
    if (err) return false;
    return outcome.get().error == RD_KAFKA_RESP_ERR_NO_ERROR;
}

std::optional<delivery_report> publish_completion(kafka_producer& producer,
                                                  const std::string& topic,
                                                  const std::string& stage, const work_item& item) {
    std::promise<delivery_report> delivered;
    auto outcome = delivered.get_future();
    auto err = producer.produce(
        topic, item.business_id, item.payload,
        {{"kind", item.kind},
         {"stage", stage},
         {"intended-us", std::to_string(item.intended_epoch_us)}},
        [&delivered](const delivery_report& report) { delivered.set_value(report); });
    if (err) return std::nullopt;
    auto report = outcome.get();
    if (report.error != RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
    return report;
}

bool consumer_group::publish_completion(const work_item& item) {
    return asyncbench::publish_completion(producer_, wiring_.completion_topic, stage_.name, item)
        .has_value();
}

bool consumer_group::finish(workflow_executor& executor, rd_kafka_message_t* message,
                            const work_item& item, const stage_run& run) {
    const int max_attempts = scenario_.async.max_attempts;
    if (run.ok()) {
        // Recorded first: a redelivery after a failed publish finds the stage done (its steps
        // skip) and publishes again, so the next stage sees the id at least once.
        return executor.record_outcome(stage_, item, stage_outcome::completed, run.attempts) &&
               (wiring_.completion_topic.empty() || publish_completion(item));
    }
    bool finished = false;
    if (run.rejected()) {
        finished = executor.record_outcome(stage_, item, stage_outcome::rejected, run.attempts);
    } else if (run.attempts >= max_attempts) {
        finished =
            dead_letter(message, run.result.detail, run.attempts) &&
            executor.record_outcome(stage_, item, stage_outcome::dead_lettered, run.attempts);
    }
    if (finished) {
        for (const auto& later : wiring_.triggered_stages) {
            events_.on_stage_finished(later, item.business_id);
        }
    }
    return finished;
}

void consumer_group::check_order(const std::string& key, std::int64_t offset) {
    if (order_.finished(key, offset)) events_.on_order_violation(stage_.name);
}

}  // namespace asyncbench
