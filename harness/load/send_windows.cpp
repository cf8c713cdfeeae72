#include "harness/load/send_windows.hpp"

namespace asyncbench {

void send_windows::add(std::chrono::nanoseconds start, std::chrono::nanoseconds end) {
    window_tally window;
    window.start = start;
    window.end = end;
    windows_.push_back(std::move(window));
}

void send_windows::record(std::chrono::nanoseconds intended_since_t0, request_outcome outcome,
                          std::uint64_t latency_us, int status) {
    for (auto& window : windows_) {
        if (intended_since_t0 < window.start || intended_since_t0 >= window.end) continue;
        ++window.requests;
        if (status == 503) ++window.rejected_503;
        if (outcome == request_outcome::rejected) ++window.rejected_409;
        window.latency_all_us.record(latency_us);
        if (outcome == request_outcome::ok) {
            ++window.ok;
            window.latency_2xx_us.record(latency_us);
        }
    }
}

}  // namespace asyncbench
