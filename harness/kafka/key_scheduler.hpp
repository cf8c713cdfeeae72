#pragma once
// Hands out a consumer's messages to a pool of workers so that messages with one key (the
// business id) run one at a time, in the order they arrived, while different keys run in
// parallel: Kafka's per-partition order, kept per key instead, as Confluent's Parallel Consumer
// does. Messages are known by a ticket the caller assigns. Also the flow-control rule: how
// many messages may be in hand before the consumer pauses its partitions.
//
// Not thread-safe: the key-ordered consumer guards it with its own lock.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace asyncbench {

class key_scheduler {
  public:
    // True when `ticket` may start now (no other ticket of its key is running); otherwise it
    // waits behind the key's earlier tickets.
    bool offer(const std::string& key, std::uint64_t ticket);
    // The running ticket of `key` finished: the key's next ticket, which may start now.
    std::optional<std::uint64_t> finish(const std::string& key);
    // Removes waiting (not running) tickets for which `drop` is true, e.g. those of revoked
    // partitions; returns them. Running tickets stay.
    std::vector<std::uint64_t> drop_waiting(const std::function<bool(std::uint64_t)>& drop);
    std::size_t waiting() const;
    std::size_t running() const { return keys_.size(); }

  private:
    // Keys with a running ticket -> the tickets waiting behind it, oldest first.
    std::unordered_map<std::string, std::deque<std::uint64_t>> keys_;
};

// When a consumer stops fetching: messages in hand (running and waiting) at or above `high`
// pause its partitions; at or below `low` they resume. Between the two nothing changes, so the
// consumer does not flap. Polling continues while paused, so max.poll.interval.ms holds.
struct flow_control {
    std::size_t high = 0;
    std::size_t low = 0;
    // Sixteen messages per worker in hand, and at least 2,000: pausing purges librdkafka's
    // prefetched messages and a resumed partition takes a fetch round trip (up to
    // fetch.wait.max.ms) before messages flow again, so a small buffer starves the workers (2
    // workers paused at 4 ran ~8 messages/s; hr-fanout's 32 per group paused at 256 drained
    // at 40% of ERP's capacity). Resumed at half. Messages in hand but not started are not
    // re-run after a crash (their offsets were never passed), so the bound costs memory
    // (~2,000 x the message size), not redeliveries.
    static flow_control for_workers(std::size_t workers) {
        const std::size_t high = std::max<std::size_t>(16 * workers, min_high);
        return {high, high / 2};
    }
    static constexpr std::size_t min_high = 2000;
    bool should_pause(bool paused, std::size_t in_hand) const { return !paused && in_hand >= high; }
    bool should_resume(bool paused, std::size_t in_hand) const { return paused && in_hand <= low; }
};

// Counts messages of one key that finished out of offset order: two messages with one key
// (and so one partition) where the later offset finished first. A message finishing again (a
// redelivery after a crash or rebalance) is not one. Zero for a consumer that keeps order; the
// harness checks it instead of assuming it. Memory: the finished offsets of every key seen.
// Thread-safe.
class key_order_checker {
  public:
    // True when this finish is a violation (a later offset of the key finished before).
    bool finished(const std::string& key, std::int64_t offset);
    std::uint64_t violations() const;

  private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::set<std::int64_t>> finished_;
    std::uint64_t violations_ = 0;
};

}  // namespace asyncbench
