#pragma once
// The key_ordered consumer model (async.consumer_model, the default): per group and process,
// one Kafka client, polled by one thread, feeds a pool of workers (this process's share of
// consumers_per_group). Messages with one key (business id) run one at a time, in offset
// order; different keys run in parallel (key_scheduler.hpp). Offsets are stored up to the
// lowest message not yet finished (offset_tracker.hpp): a crash re-delivers, never skips.
// When sixteen messages per worker (at least 2,000) are in hand the client pauses its partitions
// and keeps polling (so max.poll.interval.ms holds); it resumes at half (flow_control).
// On a revocation, waiting messages of the revoked partitions are dropped (their next owner
// reads them from the committed offset), running ones finish, and their offsets are committed
// before the partitions go. Concurrency thus costs a thread, not a Kafka client.
//
// Thread-safety: start/stop from one thread; the rest runs on the poll and worker threads.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "harness/kafka/consumer_group.hpp"
#include "harness/kafka/key_scheduler.hpp"
#include "harness/kafka/offset_tracker.hpp"

namespace asyncbench {

class key_ordered_group final : public consumer_group {
  public:
    // With static assignment the client reads partitions p with p % environment.processes ==
    // environment.process and commits without joining (no rebalancing); otherwise it subscribes.
    key_ordered_group(const group_environment& environment, const stage_spec& stage,
                      stage_wiring wiring, std::string group_id, std::vector<int> members);
    ~key_ordered_group() override { stop(); }

    void start() override;
    void stop() override;
    void set_paused(bool paused) override;

  private:
    struct in_hand {
        rd_kafka_message_t* message = nullptr;  // owned until the ticket is erased
        std::string key;
        std::int32_t partition = 0;
        std::int64_t offset = 0;
    };

    void poll_loop();
    bool join(rd_kafka_t* consumer);
    void dispatch(rd_kafka_message_t* message);
    void work(int index);
    // The ticket's work ended: finished (its offset may be committed past) or not (left for a
    // redelivery). Starts the key's next message.
    void release(std::uint64_t ticket, bool finished);
    void store_offsets(rd_kafka_t* consumer);
    void apply_flow_control(rd_kafka_t* consumer);
    void revoke(rd_kafka_t* consumer, rd_kafka_topic_partition_list_t* partitions);
    static void on_rebalance(rd_kafka_t* consumer, rd_kafka_resp_err_t err,
                             rd_kafka_topic_partition_list_t* partitions, void* opaque);
    // Removes a ticket that will not run (revoked, or shutting down): the head of its key
    // (ready; the key's later messages go with it) or one waiting behind a running message.
    void discard_locked(std::uint64_t ticket, bool head_of_key);

    flow_control flow_;
    std::mutex mutex_;
    std::condition_variable ready_cv_;  // a ticket became ready, or stopping
    std::condition_variable idle_cv_;   // a ticket was released
    offset_tracker offsets_;
    key_scheduler keys_;
    std::unordered_map<std::uint64_t, in_hand> tickets_;  // every message in hand
    std::deque<std::uint64_t> ready_;                     // may start now
    std::uint64_t next_ticket_ = 0;
    std::map<std::int32_t, std::int64_t> stored_;  // offsets last stored, per partition
    bool paused_ = false;
    bool assigned_ = false;
    std::atomic<bool> poll_stop_{false};
    std::thread poller_;
    std::vector<std::thread> workers_;
};

}  // namespace asyncbench
