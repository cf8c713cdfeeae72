#include "harness/kafka/pipeline_tracker.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace asyncbench {

// Per-record overhead in a v2 record batch (varint lengths, attributes, deltas): an estimate,
// used only to decide whether to warn.
constexpr std::size_t record_overhead_bytes = 20;

pipeline_tracker::pipeline_tracker(std::vector<std::string> stages) {
    for (auto& stage : stages) finished_[stage];
}

void pipeline_tracker::on_acked(const std::string& business_id, message_position position,
                                std::size_t bytes) {
    std::lock_guard lock(mutex_);
    acked_[business_id] = position;  // a resubmitted id keeps its latest message
    auto& volume = partitions_[position.partition];
    volume.bytes += bytes + record_overhead_bytes;
    ++volume.messages;
}

void pipeline_tracker::on_stage_finished(const std::string& stage, const std::string& business_id) {
    std::lock_guard lock(mutex_);
    finished_[stage].insert(business_id);
}

bool pipeline_tracker::acked(const std::string& business_id) const {
    std::lock_guard lock(mutex_);
    return acked_.contains(business_id);
}

std::uint64_t pipeline_tracker::acked_count() const {
    std::lock_guard lock(mutex_);
    return acked_.size();
}

std::unordered_map<std::string, message_position> pipeline_tracker::positions() const {
    std::lock_guard lock(mutex_);
    return acked_;
}

std::vector<pipeline_tracker::unfinished_message> pipeline_tracker::unfinished() const {
    std::lock_guard lock(mutex_);
    std::vector<unfinished_message> out;
    for (const auto& [id, position] : acked_) {
        unfinished_message message{id, position, {}};
        for (const auto& [stage, ids] : finished_) {
            if (!ids.contains(id)) message.stages.insert(stage);
        }
        if (!message.stages.empty()) out.push_back(std::move(message));
    }
    return out;
}

std::int64_t pipeline_tracker::backlog() const {
    std::lock_guard lock(mutex_);
    std::int64_t worst = 0;
    for (const auto& [stage, ids] : finished_) {
        worst = std::max(worst, static_cast<std::int64_t>(acked_.size()) -
                                    static_cast<std::int64_t>(ids.size()));
    }
    return worst;
}

std::vector<std::string> pipeline_tracker::retention_warnings(std::size_t retention_bytes,
                                                              std::size_t retention_messages,
                                                              double share) const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> warnings;
    for (const auto& [partition, volume] : partitions_) {
        // Each message may be its own message set (no batching), so messages bound sets.
        if (volume.bytes > share * retention_bytes ||
            volume.messages > share * retention_messages) {
            warnings.push_back(fmt::format(
                "partition {} received about {:.1f} MiB in {} messages, near or past the "
                "embedded broker's retention of {} MiB / {} message sets per partition: "
                "messages could have been dropped before every consumer read them",
                partition, volume.bytes / 1048576.0, volume.messages, retention_bytes / 1048576,
                retention_messages));
        }
    }
    if (offset_resets_ > 0) {
        warnings.push_back(fmt::format(
            "{} consumer offset reset(s): a consumer's position fell off the log", offset_resets_));
    }
    return warnings;
}

}  // namespace asyncbench
