#pragma once
// What the Kafka pipeline has acknowledged and finished, shared by the producing API and the
// consumer workers, for the progress line, the drain and the embedded broker's retention check.
// The database stays the source of truth for reconciliation; this is the live view.
// Thread-safe.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "harness/kafka/consumer_events.hpp"
#include "harness/kafka/topic_offsets.hpp"

namespace asyncbench {

class pipeline_tracker final : public consumer_events {
  public:
    explicit pipeline_tracker(std::vector<std::string> stages);

    // The broker stored `business_id`'s message at `position` (its delivery report).
    void on_acked(const std::string& business_id, message_position position, std::size_t bytes);
    void on_stage_finished(const std::string& stage, const std::string& business_id) override;
    void on_partitions_assigned(int delta) override { assigned_partitions_ += delta; }
    void on_member_assigned(int delta) override { assigned_members_ += delta; }
    void on_offset_reset() override { ++offset_resets_; }
    void on_order_violation(const std::string& /*stage*/) override { ++order_violations_; }
    void on_step_failed(const std::string& stage, const std::string& step,
                        const std::string& error) override {
        step_errors_.on_step_failed(stage, step, error);
    }
    const step_error_tally& step_errors() const { return step_errors_; }
    void on_backpressure() { ++backpressure_; }
    void on_unknown_delivery() { ++unknown_deliveries_; }

    bool acked(const std::string& business_id) const;
    std::uint64_t acked_count() const;
    // Where each acknowledged message was stored.
    std::unordered_map<std::string, message_position> positions() const;
    // Acknowledged ids that some stage has not finished yet, with those stages.
    struct unfinished_message {
        std::string business_id;
        message_position position;
        std::set<std::string> stages;
    };
    std::vector<unfinished_message> unfinished() const;
    // Accepted but not yet finished by the slowest stage (its consumer group's lag).
    std::int64_t backlog() const;
    int assigned_partitions() const { return assigned_partitions_.load(); }
    int assigned_members() const { return assigned_members_.load(); }
    std::uint64_t offset_resets() const { return offset_resets_.load(); }
    std::uint64_t order_violations() const { return order_violations_.load(); }
    std::uint64_t backpressure() const { return backpressure_.load(); }
    std::uint64_t unknown_deliveries() const { return unknown_deliveries_.load(); }

    // Warnings for partitions that received more than the given share of the embedded
    // broker's per-partition retention (bytes or message count): data could have been dropped
    // before a consumer read it.
    std::vector<std::string> retention_warnings(std::size_t retention_bytes,
                                                std::size_t retention_messages,
                                                double share = 0.8) const;

  private:
    struct partition_volume {
        std::size_t bytes = 0;
        std::size_t messages = 0;
    };
    mutable std::mutex mutex_;
    std::unordered_map<std::string, message_position> acked_;
    std::map<std::string, std::unordered_set<std::string>> finished_;  // stage -> ids
    std::map<std::int32_t, partition_volume> partitions_;
    std::atomic<int> assigned_partitions_{0};
    std::atomic<int> assigned_members_{0};
    std::atomic<std::uint64_t> offset_resets_{0};
    std::atomic<std::uint64_t> order_violations_{0};
    std::atomic<std::uint64_t> backpressure_{0};
    std::atomic<std::uint64_t> unknown_deliveries_{0};
    step_error_tally step_errors_;
};

}  // namespace asyncbench
