#include "harness/run/progress_line.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

namespace asyncbench {

progress_line::progress_line(std::string mode, const load_progress& load,
                             std::chrono::nanoseconds total, std::function<std::int64_t()> backlog,
                             std::function<std::string()> status)
    : mode_(std::move(mode)),
      load_(load),
      total_(total),
      backlog_(std::move(backlog)),
      status_(std::move(status)),
      terminal_(::isatty(STDERR_FILENO) == 1) {
    thread_ = std::thread([this] { run(); });
}

progress_line::~progress_line() { stop(); }

void progress_line::set_phase(std::string phase) {
    std::lock_guard lock(mutex_);
    phase_ = std::move(phase);
}

void progress_line::stop() {
    if (stopping_.exchange(true)) return;
    if (thread_.joinable()) thread_.join();
    print(true);
}

std::vector<std::int64_t> progress_line::backlog_samples() const {
    std::lock_guard lock(mutex_);
    return samples_;
}

void progress_line::run() {
    int ticks = 0;
    while (!stopping_.load()) {
        // Sleep in small steps so stop() returns promptly.
        for (int i = 0; i < 10 && !stopping_.load(); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        if (stopping_.load()) break;
        const auto ok = load_.ok.load();
        {
            std::lock_guard lock(mutex_);
            samples_.push_back(backlog_());
            rate_ = static_cast<double>(ok - last_ok_);
            last_ok_ = ok;
        }
        ++ticks;
        if (terminal_ || ticks % 5 == 0) print(false);
    }
}

void progress_line::print(bool final_line) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string line;
    {
        std::lock_guard lock(mutex_);
        std::string_view phase = phase_;
        if (phase_ == "load") {
            static constexpr std::array<std::string_view, 4> load_phases{"setup", "warm-up",
                                                                         "measure", "done"};
            phase = load_phases[std::clamp(load_.phase.load(), 0, 3)];
        }
        line = fmt::format(
            "[{}] {:<9} {:6.1f}s/{:.0f}s  sent {}  ok {} ({:.1f}/s)  errors {}  "
            "in flight {}  backlog {}  {}",
            mode_, phase, elapsed, std::chrono::duration<double>(total_).count(), load_.sent.load(),
            load_.ok.load(), rate_, load_.errors.load(), load_.in_flight.load(),
            samples_.empty() ? 0 : samples_.back(), status_());
    }
    if (terminal_) {
        std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final_line ? "\n" : "");
    } else {
        std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
}

}  // namespace asyncbench
