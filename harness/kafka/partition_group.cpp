#include "harness/kafka/partition_group.hpp"

#include <spdlog/spdlog.h>

#include <thread>

#include "harness/core/thread_name.hpp"

namespace asyncbench {

void partition_group::start() {
    committed_ = std::make_unique<std::latch>(static_cast<std::ptrdiff_t>(members_.size()));
    for (int member : members_) {
        workers_.emplace_back([this, member] {
            name_this_thread(consumer_thread_prefix);
            work(member);
        });
    }
}

void partition_group::stop() {
    stopping_ = true;
    for (auto& worker : workers_) {
        if (worker.joinable()) worker.join();
    }
    workers_.clear();
}

bool partition_group::join(rd_kafka_t* consumer, int index) {
    const auto& topic = wiring_.input_topic;
    const int workers = scenario_.async.consumers_per_group;
    auto* partitions = rd_kafka_topic_partition_list_new(scenario_.async.partitions);
    if (static_assignment_) {
        for (int p = index; p < scenario_.async.partitions; p += workers) {
            rd_kafka_topic_partition_list_add(partitions, topic.c_str(), p);
        }
    } else {
        rd_kafka_topic_partition_list_add(partitions, topic.c_str(), RD_KAFKA_PARTITION_UA);
    }
    auto err = static_assignment_ ? rd_kafka_assign(consumer, partitions)
                                  : rd_kafka_subscribe(consumer, partitions);
    if (!err && static_assignment_) {
        events_.on_partitions_assigned(partitions->cnt);
        events_.on_member_assigned(1);
    }
    rd_kafka_topic_partition_list_destroy(partitions);
    if (err) {
        spdlog::error("stage {} worker {}: cannot {} {}: {}", stage_.name, index,
                      static_assignment_ ? "assign partitions of" : "subscribe to", topic,
                      rd_kafka_err2str(err));
    }
    return !err;
}

void partition_group::work(int index) {
    auto conf = consumer_conf();
    rebalance_counter context{&events_};
    if (!static_assignment_) {
        rd_kafka_conf_set_rebalance_cb(conf.get(), count_rebalance);
        rd_kafka_conf_set_opaque(conf.get(), &context);
    }
    kafka_handle consumer;
    try {
        consumer = make_kafka_client(RD_KAFKA_CONSUMER, std::move(conf));
    } catch (const std::exception& e) {
        spdlog::error("stage {} worker {}: {}", stage_.name, index, e.what());
        committed_->count_down();
        return;
    }
    rd_kafka_poll_set_consumer(consumer.get());
    if (!join(consumer.get(), index)) {
        committed_->count_down();
        return;
    }

    workflow_executor executor(scenario_, environment_.db, environment_.systems, &events_,
                               environment_.redis);
    while (!stopping_.load()) {
        if (work_paused_.load()) {
            // Not polling meanwhile: fine for a pause well under max.poll.interval.ms (5 min).
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            continue;
        }
        rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer.get(), 100);
        if (!message) continue;
        if (message->err) {
            if (message->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) events_.on_offset_reset();
            spdlog::warn("stage {} worker {}: {}", stage_.name, index,
                         rd_kafka_message_errstr(message));
            rd_kafka_message_destroy(message);
            continue;
        }
        auto item = work_item_of(message);
        auto run = executor.run_stage(stage_, item, scenario_.async.max_attempts,
                                      scenario_.async.backoff_initial, scenario_.async.backoff_max,
                                      stopping_);
        if (!finish(executor, message, item, run)) {
            // Interrupted by shutdown, or the outcome could not be recorded: leave the offset
            // unstored so the message is delivered again (to this worker after a seek back,
            // or to whichever worker owns the partition next).
            if (!stopping_.load()) {
                rd_kafka_seek(message->rkt, message->partition, message->offset, 1000);
                std::this_thread::sleep_for(scenario_.async.backoff_initial);
            }
            rd_kafka_message_destroy(message);
            continue;
        }
        check_order(item.business_id, message->offset);
        events_.on_stage_finished(stage_.name, item.business_id);
        auto* position = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(position, rd_kafka_topic_name(message->rkt),
                                          message->partition)
            ->offset = message->offset + 1;
        rd_kafka_offsets_store(consumer.get(), position);  // fails harmlessly if revoked
        rd_kafka_topic_partition_list_destroy(position);
        rd_kafka_message_destroy(message);
    }
    if (auto err = rd_kafka_commit(consumer.get(), nullptr, 0);
        err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        spdlog::warn("stage {} worker {}: final commit failed: {}", stage_.name, index,
                     rd_kafka_err2str(err));
    }
    committed_->arrive_and_wait();
    rd_kafka_consumer_close(consumer.get());  // leaves the group
}

}  // namespace asyncbench
