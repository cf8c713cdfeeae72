#pragma once
// Counts calls per operation and business id, so duplicate deliveries to a downstream system
// are visible. Thread-safe: one mutex; a count is a map lookup, cheap next to an HTTP request.
#include <cstdint>
#include <mutex>
#include <string>

#include "mocks/mock_system.hpp"

namespace asyncbench {

class call_counter {
  public:
    void count(const std::string& operation, const std::string& business_id);
    call_log snapshot() const;
    std::uint64_t total() const;
    void reset();

  private:
    mutable std::mutex mutex_;
    call_log calls_;
    std::uint64_t total_ = 0;
};

}  // namespace asyncbench
