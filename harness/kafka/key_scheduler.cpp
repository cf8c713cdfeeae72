#include "harness/kafka/key_scheduler.hpp"

#include <algorithm>

namespace asyncbench {

bool key_scheduler::offer(const std::string& key, std::uint64_t ticket) {
    auto [it, idle] = keys_.try_emplace(key);
    if (!idle) it->second.push_back(ticket);
    return idle;
}

std::optional<std::uint64_t> key_scheduler::finish(const std::string& key) {
    auto it = keys_.find(key);
    if (it == keys_.end()) return std::nullopt;
    if (it->second.empty()) {
        keys_.erase(it);
        return std::nullopt;
    }
    const auto next = it->second.front();
    it->second.pop_front();
    return next;
}

std::vector<std::uint64_t> key_scheduler::drop_waiting(
    const std::function<bool(std::uint64_t)>& drop) {
    std::vector<std::uint64_t> dropped;
    for (auto& [key, waiting] : keys_) {
        auto kept = std::stable_partition(waiting.begin(), waiting.end(),
                                          [&](std::uint64_t ticket) { return !drop(ticket); });
        dropped.insert(dropped.end(), kept, waiting.end());
        waiting.erase(kept, waiting.end());
    }
    return dropped;
}

std::size_t key_scheduler::waiting() const {
    std::size_t n = 0;
    for (const auto& [key, waiting] : keys_) n += waiting.size();
    return n;
}

bool key_order_checker::finished(const std::string& key, std::int64_t offset) {
    const std::lock_guard lock(mutex_);
    auto& seen = finished_[key];
    const bool again = !seen.insert(offset).second;  // a redelivery finishing once more
    if (again || *seen.rbegin() == offset) return false;
    ++violations_;
    return true;
}

std::uint64_t key_order_checker::violations() const {
    const std::lock_guard lock(mutex_);
    return violations_;
}

}  // namespace asyncbench
