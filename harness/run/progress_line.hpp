#pragma once
// The live line a user watches during a long run: mode, phase, elapsed/total, achieved rate,
// errors and backlog. Redrawn in place on a terminal; on a pipe (CI logs) one line every
// 5 seconds instead, so logs stay readable. Also samples the backlog once a second for the
// report's time series.
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness/load/load_generator.hpp"

namespace asyncbench {

class progress_line {
  public:
    // `status` is called once a second from the progress thread: it must be thread-safe.
    progress_line(std::string mode, const load_progress& load, std::chrono::nanoseconds total,
                  std::function<std::int64_t()> backlog, std::function<std::string()> status);
    ~progress_line();  // stop()

    void set_phase(std::string phase);
    void stop();
    // Backlog sampled once a second since construction.
    std::vector<std::int64_t> backlog_samples() const;

  private:
    void run();
    void print(bool final_line);

    std::string mode_;
    const load_progress& load_;
    std::chrono::nanoseconds total_;
    std::function<std::int64_t()> backlog_;
    std::function<std::string()> status_;
    const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    const bool terminal_;
    mutable std::mutex mutex_;
    std::string phase_ = "setup";
    std::vector<std::int64_t> samples_;
    std::uint64_t last_ok_ = 0;
    double rate_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace asyncbench
