#include "harness/kafka/offset_tracker.hpp"

#include <algorithm>

namespace asyncbench {

void offset_tracker::dispatched(std::int32_t partition, std::int64_t offset) {
    auto& state = partitions_[partition];
    state.unfinished.insert(offset);
    state.next = std::max(state.next, offset + 1);
}

void offset_tracker::finished(std::int32_t partition, std::int64_t offset) {
    auto found = partitions_.find(partition);
    if (found != partitions_.end()) found->second.unfinished.erase(offset);
}

std::optional<std::int64_t> offset_tracker::commit_position(std::int32_t partition) const {
    auto found = partitions_.find(partition);
    if (found == partitions_.end() || found->second.next < 0) return std::nullopt;
    const auto& state = found->second;
    return state.unfinished.empty() ? state.next : *state.unfinished.begin();
}

void offset_tracker::forget(std::int32_t partition) { partitions_.erase(partition); }

std::size_t offset_tracker::unfinished() const {
    std::size_t n = 0;
    for (const auto& [partition, state] : partitions_) n += state.unfinished.size();
    return n;
}

std::size_t offset_tracker::unfinished(std::int32_t partition) const {
    auto found = partitions_.find(partition);
    return found == partitions_.end() ? 0 : found->second.unfinished.size();
}

std::set<std::int32_t> offset_tracker::partitions() const {
    std::set<std::int32_t> out;
    for (const auto& [partition, state] : partitions_) out.insert(partition);
    return out;
}

}  // namespace asyncbench
