#pragma once
// Why workflow steps failed, counted where every step runs (workflow_executor), so a workflow
// that can never succeed says why ("UNIQUE constraint failed ..." x 2,000) instead of only
// "the drain timed out". Both modes report into a step_error_sink; worker processes forward
// each failure to the harness over their event pipe (harness/run/worker_protocol.hpp).
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "harness/result/run_result.hpp"

namespace asyncbench {

// Receives one call per failed step attempt. Implementations are thread-safe: every worker
// thread calls them.
class step_error_sink {
  public:
    virtual ~step_error_sink() = default;
    virtual void on_step_failed(const std::string& stage, const std::string& step,
                                const std::string& error) = 0;
};

// The grouping key of an error message: its first line, with every run of 4 or more digits
// replaced by "N" (business ids, offsets, pids), so "lp.LPRUN answered 503" keeps its status
// while "duplicate key lp-000123" and "duplicate key lp-000124" fall in one group.
std::string step_error_key(std::string_view message);

// Counts failures by (stage, step, key) and keeps the first message of each group as its
// example. Thread-safe. Holds at most `max_groups` groups; failures of further groups are
// counted in one "(other errors)" group per stage and step, so a storm of distinct messages
// cannot grow it without bound.
class step_error_tally final : public step_error_sink {
  public:
    explicit step_error_tally(std::size_t max_groups = 1000) : max_groups_(max_groups) {}

    void on_step_failed(const std::string& stage, const std::string& step,
                        const std::string& error) override;
    // The `limit` largest groups, most frequent first (ties by stage, step, key).
    std::vector<step_error_count> most_frequent(std::size_t limit = 10) const;
    std::uint64_t total() const;

  private:
    using group_key = std::tuple<std::string, std::string, std::string>;  // stage, step, key
    struct group {
        std::string example;
        std::uint64_t count = 0;
    };
    const std::size_t max_groups_;
    mutable std::mutex mutex_;
    std::map<group_key, group> groups_;
};

}  // namespace asyncbench
