#include "mocks/call_counter.hpp"

namespace asyncbench {

void call_counter::count(const std::string& operation, const std::string& business_id) {
    std::lock_guard lock(mutex_);
    ++calls_[operation][business_id];
    ++total_;
}

call_log call_counter::snapshot() const {
    std::lock_guard lock(mutex_);
    return calls_;
}

std::uint64_t call_counter::total() const {
    std::lock_guard lock(mutex_);
    return total_;
}

void call_counter::reset() {
    std::lock_guard lock(mutex_);
    calls_.clear();
    total_ = 0;
}

}  // namespace asyncbench
