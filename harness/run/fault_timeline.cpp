#include "harness/run/fault_timeline.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace asyncbench {
namespace {

using steady = std::chrono::steady_clock;

struct timeline_event {
    steady::time_point when;
    std::size_t fault;
    bool apply;
};

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
    if (!faults.empty()) thread_ = std::thread([this] { run(); });
}

fault_timeline::~fault_timeline() { finish(); }

double fault_timeline::seconds_since_t0() const {
    return std::chrono::duration<double>(steady::now() - t0_).count();
}

void fault_timeline::run() {
    const auto& faults = context_.scenario.faults;
    const auto measure_start = t0_ + std::chrono::duration_cast<steady::duration>(
                                         context_.scenario.load.warmup);
    std::vector<timeline_event> events;
    for (std::size_t i = 0; i < faults.size(); ++i) {
        if (!actions_[i]) continue;
        const auto start = measure_start + std::chrono::duration_cast<steady::duration>(faults[i].at);
        events.push_back({start, i, true});
        events.push_back(
            {start + std::chrono::duration_cast<steady::duration>(faults[i].duration), i, false});
    }
    std::stable_sort(events.begin(), events.end(),
                     [](const timeline_event& a, const timeline_event& b) { return a.when < b.when; });
    for (const auto& event : events) {
        {
            std::unique_lock lock(mutex_);
            if (wake_.wait_until(lock, event.when, [this] { return finishing_; })) return;
        }
        auto& record = records_[event.fault];
        auto& action = *actions_[event.fault];
        if (event.apply) {
            calls_at_start_[event.fault] = action.call_counts();
            record.start_s = seconds_since_t0();
            try {
                record.action = action.apply();
                record.applied = true;
                std::lock_guard lock(mutex_);
                active_[event.fault] = true;
            } catch (const std::exception& e) {
                record.action = std::string("could not apply: ") + e.what();
                spdlog::warn("[{}] fault '{}' could not be applied: {}", context_.mode,
                             record.name, e.what());
                continue;
            }
            spdlog::info("[{}] fault '{}' at {:.1f}s: {}", context_.mode, record.name,
                         record.start_s, record.action);
        } else {
            bool was_active = false;
            {
                std::lock_guard lock(mutex_);
                was_active = active_[event.fault];
                active_[event.fault] = false;
            }
            if (!was_active) continue;
            record.end_s = seconds_since_t0();
            record.calls_during = difference(action.call_counts(), calls_at_start_[event.fault]);
            try {
                record.action += "; then " + action.revert();
            } catch (const std::exception& e) {
                record.action += std::string("; revert failed: ") + e.what();
            }
            spdlog::info("[{}] fault '{}' ended at {:.1f}s", context_.mode, record.name,
                         record.end_s);
        }
    }
}

std::vector<fault_record> fault_timeline::finish() {
    {
        std::lock_guard lock(mutex_);
        finishing_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    for (std::size_t i = 0; i < active_.size(); ++i) {
        if (!active_[i]) continue;
        active_[i] = false;
        auto& record = records_[i];
        record.end_s = seconds_since_t0();
        record.calls_during = difference(actions_[i]->call_counts(), calls_at_start_[i]);
        try {
            record.action += "; reverted at the end of the run: " + actions_[i]->revert();
        } catch (const std::exception& e) {
            record.action += std::string("; revert failed: ") + e.what();
        }
    }
    return records_;
}

}  // namespace asyncbench
