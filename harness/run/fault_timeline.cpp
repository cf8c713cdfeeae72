#include "harness/run/fault_timeline.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace asyncbench {
namespace {

using steady = std::chrono::steady_clock;

std::map<std::string, std::uint64_t> difference(const std::map<std::string, std::uint64_t>& end,
                                                const std::map<std::string, std::uint64_t>& start) {
    std::map<std::string, std::uint64_t> out;
    for (const auto& [key, count] : end) {
        const auto found = start.find(key);
        const std::uint64_t before = found == start.end() ? 0 : found->second;
        out[key] = count >= before ? count - before : 0;
    }
    return out;
}

}  // namespace

fault_timeline::fault_timeline(fault_context context, steady::time_point t0)
    : context_(std::move(context)), t0_(t0) {
    const auto& faults = context_.scenario.faults;
    records_.resize(faults.size());
    active_.assign(faults.size(), false);
    calls_at_start_.resize(faults.size());
    for (std::size_t i = 0; i < faults.size(); ++i) {
        auto& record = records_[i];
        record.name = faults[i].name;
        record.kind = fault_kind_name(faults[i].type);
        std::string why;
        actions_.push_back(make_fault_action(faults[i], context_, why));
        record.applied = false;
        if (actions_.back()) {
            record.target = actions_.back()->target();
            record.action = "not reached: the run ended before it was due";
        } else {
            record.action = why;
        }
    }
    for (std::size_t i = 0; i < faults.size(); ++i) {
        if (actions_[i]) threads_.emplace_back([this, i] { run(i); });
    }
}

fault_timeline::~fault_timeline() { finish(); }

double fault_timeline::seconds_since_t0() const {
    return std::chrono::duration<double>(steady::now() - t0_).count();
}

// One thread per fault, so a slow revert (a worker restart waits for its consumers, a Kafka
// node restart for the node) never delays the next fault past its planned window.
void fault_timeline::run(std::size_t index) {
    const auto& fault = context_.scenario.faults[index];
    const auto start = t0_ + std::chrono::duration_cast<steady::duration>(
                                 context_.scenario.load.warmup + fault.at);
    const auto end = start + std::chrono::duration_cast<steady::duration>(fault.duration);
    auto& record = records_[index];
    auto& action = *actions_[index];
    {
        std::unique_lock lock(mutex_);
        if (wake_.wait_until(lock, start, [this] { return finishing_; })) return;
    }
    calls_at_start_[index] = action.call_counts();
    record.start_s = seconds_since_t0();
    try {
        record.action = action.apply();
        record.applied = true;
    } catch (const std::exception& e) {
        record.action = std::string("could not apply: ") + e.what();
        spdlog::warn("[{}] fault '{}' could not be applied: {}", mode_name(context_.mode_id),
                     record.name, e.what());
        return;
    }
    spdlog::info("[{}] fault '{}' at {:.1f}s: {}", mode_name(context_.mode_id), record.name,
                 record.start_s, record.action);
    {
        std::unique_lock lock(mutex_);
        active_[index] = true;
        // Cut short by finish(): it reverts whatever is still active.
        if (wake_.wait_until(lock, end, [this] { return finishing_; })) return;
        active_[index] = false;
    }
    revert(index, "; then ");
    spdlog::info("[{}] fault '{}' ended at {:.1f}s", mode_name(context_.mode_id), record.name,
                 record.end_s);
}

void fault_timeline::revert(std::size_t index, const std::string& joiner) {
    auto& record = records_[index];
    record.end_s = seconds_since_t0();
    record.calls_during = difference(actions_[index]->call_counts(), calls_at_start_[index]);
    try {
        record.action += joiner + actions_[index]->revert();
    } catch (const std::exception& e) {
        record.action += std::string("; revert failed: ") + e.what();
    }
    actions_[index]->record_ground_truth(record);
}

std::vector<fault_record> fault_timeline::finish() {
    {
        std::lock_guard lock(mutex_);
        finishing_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
    threads_.clear();
    for (std::size_t i = 0; i < active_.size(); ++i) {
        if (!active_[i]) continue;
        active_[i] = false;
        revert(i, "; reverted at the end of the run: ");
    }
    return records_;
}

}  // namespace asyncbench
