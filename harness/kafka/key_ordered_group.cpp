#include "harness/kafka/key_ordered_group.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "harness/core/thread_name.hpp"

namespace asyncbench {
namespace {

// How long a revocation waits for the running messages of its partitions to finish before it
// lets them go (their offsets stay uncommitted: the next owner runs them again).
constexpr std::chrono::seconds revoke_wait{30};

using partition_list = std::unique_ptr<rd_kafka_topic_partition_list_t,
                                       decltype(&rd_kafka_topic_partition_list_destroy)>;

partition_list new_list(int size) {
    return {rd_kafka_topic_partition_list_new(size), &rd_kafka_topic_partition_list_destroy};
}

}  // namespace

key_ordered_group::key_ordered_group(const group_environment& environment, const stage_spec& stage,
                                     stage_wiring wiring, std::string group_id,
                                     std::vector<int> members)
    : consumer_group(environment, stage, std::move(wiring), std::move(group_id),
                     std::move(members)),
      flow_(flow_control::for_workers(std::max<std::size_t>(members_.size(), 1))) {}

void key_ordered_group::start() {
    if (members_.empty()) return;
    poller_ = std::thread([this] {
        name_this_thread(poll_thread_prefix);
        poll_loop();
    });
    for (int member : members_) {
        workers_.emplace_back([this, member] {
            name_this_thread(consumer_thread_prefix);
            work(member);
        });
    }
}

void key_ordered_group::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    ready_cv_.notify_all();
    // Workers first: they finish the message in hand; then the poller stores and commits.
    for (auto& worker : workers_) {
        if (worker.joinable()) worker.join();
    }
    workers_.clear();
    poll_stop_ = true;
    if (poller_.joinable()) poller_.join();
}

bool key_ordered_group::join(rd_kafka_t* consumer) {
    const auto& topic = wiring_.input_topic;
    auto partitions = new_list(scenario_.async.partitions);
    if (static_assignment_) {
        const int processes = std::max(environment_.processes, 1);
        for (int p = environment_.process; p < scenario_.async.partitions; p += processes) {
            rd_kafka_topic_partition_list_add(partitions.get(), topic.c_str(), p);
        }
    } else {
        rd_kafka_topic_partition_list_add(partitions.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
    }
    auto err = static_assignment_ ? rd_kafka_assign(consumer, partitions.get())
                                  : rd_kafka_subscribe(consumer, partitions.get());
    if (err) {
        spdlog::error("stage {}: cannot {} {}: {}", stage_.name,
                      static_assignment_ ? "assign partitions of" : "subscribe to", topic,
                      rd_kafka_err2str(err));
        return false;
    }
    if (static_assignment_) {
        events_.on_partitions_assigned(partitions->cnt);
        events_.on_member_assigned(1);
    }
    return true;
}

void key_ordered_group::poll_loop() {
    auto conf = consumer_conf();
    if (!static_assignment_) {
        rd_kafka_conf_set_rebalance_cb(conf.get(), on_rebalance);
        rd_kafka_conf_set_opaque(conf.get(), this);
    }
    kafka_handle consumer;
    try {
        consumer = make_kafka_client(RD_KAFKA_CONSUMER, std::move(conf));
    } catch (const std::exception& e) {
        spdlog::error("stage {}: {}", stage_.name, e.what());
        return;
    }
    rd_kafka_poll_set_consumer(consumer.get());
    if (!join(consumer.get())) return;
    while (!poll_stop_.load()) {
        if (rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer.get(), 50)) {
            if (message->err) {
                if (message->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
                    events_.on_offset_reset();
                }
                spdlog::warn("stage {}: {}", stage_.name, rd_kafka_message_errstr(message));
                rd_kafka_message_destroy(message);
            } else {
                dispatch(message);
            }
        }
        store_offsets(consumer.get());
        apply_flow_control(consumer.get());
    }
    {
        // Whatever never started is left for a redelivery.
        const std::lock_guard lock(mutex_);
        while (!ready_.empty()) discard_locked(ready_.front(), true);
        for (auto ticket : keys_.drop_waiting([](std::uint64_t) { return true; })) {
            discard_locked(ticket, false);
        }
    }
    store_offsets(consumer.get());
    if (auto err = rd_kafka_commit(consumer.get(), nullptr, 0);
        err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        spdlog::warn("stage {}: final commit failed: {}", stage_.name, rd_kafka_err2str(err));
    }
    rd_kafka_consumer_close(consumer.get());  // leaves the group
}

void key_ordered_group::dispatch(rd_kafka_message_t* message) {
    std::string key;
    if (message->key) key.assign(static_cast<const char*>(message->key), message->key_len);
    std::unique_lock lock(mutex_);
    if (stopping_.load()) {  // never handed out: not tracked, so its offset is not passed
        lock.unlock();
        rd_kafka_message_destroy(message);
        return;
    }
    const auto ticket = next_ticket_++;
    offsets_.dispatched(message->partition, message->offset);
    tickets_.emplace(ticket, in_hand{message, key, message->partition, message->offset});
    if (keys_.offer(key, ticket)) {
        ready_.push_back(ticket);
        lock.unlock();
        ready_cv_.notify_one();
    }
}

void key_ordered_group::set_paused(bool paused) {
    {
        std::lock_guard lock(mutex_);  // so a waiting worker cannot miss the resume
        work_paused_ = paused;
    }
    ready_cv_.notify_all();
}

void key_ordered_group::work(int index) {
    workflow_executor executor(scenario_, environment_.db, environment_.systems, &events_,
                               environment_.redis);
    while (true) {
        std::uint64_t ticket = 0;
        rd_kafka_message_t* message = nullptr;
        {
            std::unique_lock lock(mutex_);
            ready_cv_.wait(lock, [&] {
                return stopping_.load() || (!work_paused_.load() && !ready_.empty());
            });
            if (stopping_.load()) return;
            ticket = ready_.front();
            ready_.pop_front();
            message = tickets_.at(ticket).message;
        }
        const auto item = work_item_of(message);
        const auto run = executor.run_stage(stage_, item, scenario_.async.max_attempts,
                                            scenario_.async.backoff_initial,
                                            scenario_.async.backoff_max, stopping_);
        if (finish(executor, message, item, run)) {
            check_order(item.business_id, message->offset);
            events_.on_stage_finished(stage_.name, item.business_id);
            release(ticket, true);
            continue;
        }
        if (stopping_.load()) {
            release(ticket, false);
            return;
        }
        // The outcome could not be recorded (the database failed): try the message again,
        // its key still held so nothing of the key overtakes it.
        spdlog::debug("stage {} worker {}: {} not finished, again", stage_.name, index,
                      item.business_id);
        std::this_thread::sleep_for(scenario_.async.backoff_initial);
        {
            const std::lock_guard lock(mutex_);
            ready_.push_front(ticket);
        }
        ready_cv_.notify_one();
    }
}

void key_ordered_group::release(std::uint64_t ticket, bool finished) {
    {
        const std::lock_guard lock(mutex_);
        auto found = tickets_.find(ticket);
        if (found == tickets_.end()) return;
        const auto held = found->second;
        if (finished) offsets_.finished(held.partition, held.offset);
        tickets_.erase(found);
        rd_kafka_message_destroy(held.message);
        if (auto next = keys_.finish(held.key)) {
            if (stopping_.load()) {
                discard_locked(*next, true);
            } else {
                ready_.push_back(*next);
            }
        }
    }
    ready_cv_.notify_one();
    idle_cv_.notify_all();
}

void key_ordered_group::discard_locked(std::uint64_t ticket, bool head_of_key) {
    auto found = tickets_.find(ticket);
    if (found == tickets_.end()) return;
    const auto held = found->second;
    tickets_.erase(found);
    rd_kafka_message_destroy(held.message);
    std::erase(ready_, ticket);
    if (!head_of_key) return;  // a waiting one: the key's running message still holds the key
    // Its key's later messages must not run before it: drop them too (same partition).
    while (auto next = keys_.finish(held.key)) {
        auto later = tickets_.find(*next);
        if (later == tickets_.end()) continue;
        rd_kafka_message_destroy(later->second.message);
        tickets_.erase(later);
    }
}

void key_ordered_group::store_offsets(rd_kafka_t* consumer) {
    auto list = new_list(8);
    {
        const std::lock_guard lock(mutex_);
        for (const auto partition : offsets_.partitions()) {
            const auto position = offsets_.commit_position(partition);
            if (!position) continue;
            auto& stored = stored_[partition];
            if (stored == *position) continue;
            stored = *position;
            rd_kafka_topic_partition_list_add(list.get(), wiring_.input_topic.c_str(), partition)
                ->offset = *position;
        }
    }
    if (list->cnt > 0) rd_kafka_offsets_store(consumer, list.get());  // fails harmlessly if revoked
}

void key_ordered_group::apply_flow_control(rd_kafka_t* consumer) {
    bool pause = false;
    bool resume = false;
    {
        const std::lock_guard lock(mutex_);
        pause = flow_.should_pause(paused_, tickets_.size());
        resume = flow_.should_resume(paused_, tickets_.size());
        if (pause) paused_ = true;
        if (resume) paused_ = false;
    }
    if (!pause && !resume) return;
    rd_kafka_topic_partition_list_t* assigned = nullptr;
    if (rd_kafka_assignment(consumer, &assigned) != RD_KAFKA_RESP_ERR_NO_ERROR || !assigned) return;
    const auto err = pause ? rd_kafka_pause_partitions(consumer, assigned)
                           : rd_kafka_resume_partitions(consumer, assigned);
    spdlog::debug("stage {}: {} {} partitions at {} messages in hand: {}", stage_.name,
                  pause ? "paused" : "resumed", assigned->cnt, pause ? flow_.high : flow_.low,
                  rd_kafka_err2str(err));
    rd_kafka_topic_partition_list_destroy(assigned);
}

void key_ordered_group::revoke(rd_kafka_t* consumer, rd_kafka_topic_partition_list_t* partitions) {
    std::set<std::int32_t> revoked;
    for (int i = 0; i < partitions->cnt; ++i) revoked.insert(partitions->elems[i].partition);
    auto in_revoked = [&](std::uint64_t ticket) {
        auto found = tickets_.find(ticket);
        return found != tickets_.end() && revoked.contains(found->second.partition);
    };
    std::unique_lock lock(mutex_);
    // Not started yet: their next owner reads them from the committed offset.
    for (auto ticket : keys_.drop_waiting(in_revoked)) discard_locked(ticket, false);
    std::vector<std::uint64_t> ready_revoked;
    for (auto ticket : ready_) {
        if (in_revoked(ticket)) ready_revoked.push_back(ticket);
    }
    for (auto ticket : ready_revoked) discard_locked(ticket, true);
    // Running: let them finish, so their offsets move before the partitions go.
    idle_cv_.wait_for(lock, revoke_wait, [&] {
        return std::none_of(tickets_.begin(), tickets_.end(), [&](const auto& entry) {
            return revoked.contains(entry.second.partition);
        });
    });
    auto positions = new_list(partitions->cnt);
    for (const auto partition : revoked) {
        if (auto position = offsets_.commit_position(partition)) {
            rd_kafka_topic_partition_list_add(positions.get(), wiring_.input_topic.c_str(),
                                              partition)
                ->offset = *position;
        }
        offsets_.forget(partition);
        stored_.erase(partition);
    }
    lock.unlock();
    if (positions->cnt > 0) {
        if (auto err = rd_kafka_commit(consumer, positions.get(), 0)) {
            spdlog::warn("stage {}: commit on revocation failed: {}", stage_.name,
                         rd_kafka_err2str(err));
        }
    }
}

void key_ordered_group::on_rebalance(rd_kafka_t* consumer, rd_kafka_resp_err_t err,
                                     rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* self = static_cast<key_ordered_group*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        rd_kafka_assign(consumer, partitions);
        bool paused = false;
        {
            const std::lock_guard lock(self->mutex_);
            paused = self->paused_;
        }
        if (paused) rd_kafka_pause_partitions(consumer, partitions);
        self->events_.on_partitions_assigned(partitions->cnt);
        if (!self->assigned_) self->events_.on_member_assigned(1);
        self->assigned_ = true;
        return;
    }
    self->revoke(consumer, partitions);
    rd_kafka_assign(consumer, nullptr);
    self->events_.on_partitions_assigned(-partitions->cnt);
    if (self->assigned_) self->events_.on_member_assigned(-1);
    self->assigned_ = false;
}

}  // namespace asyncbench
