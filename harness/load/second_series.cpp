#include "harness/load/second_series.hpp"

#include <algorithm>

namespace asyncbench {

namespace {

std::int64_t second_of(std::chrono::nanoseconds since_t0) {
    return std::max<std::int64_t>(
        0, std::chrono::duration_cast<std::chrono::seconds>(since_t0).count());
}

}  // namespace

second_sample& second_series::at(std::int64_t second) {
    while (static_cast<std::int64_t>(samples_.size()) <= second) {
        second_sample s;
        s.t_s = static_cast<std::int64_t>(samples_.size());
        samples_.push_back(s);
    }
    return samples_[static_cast<std::size_t>(second)];
}

void second_series::close_current() {
    if (current_latency_us_.count() == 0) {
        return;
    }
    second_sample& s = at(current_second_);
    s.p50_us = static_cast<double>(current_latency_us_.value_at_percentile(50));
    s.p99_us = static_cast<double>(current_latency_us_.value_at_percentile(99));
}

void second_series::on_sent(std::chrono::nanoseconds since_t0) { ++at(second_of(since_t0)).sent; }

void second_series::on_completed(std::chrono::nanoseconds since_t0, request_outcome outcome,
                                 std::uint64_t latency_us) {
    const std::int64_t second = second_of(since_t0);
    if (second > current_second_) {
        close_current();
        current_latency_us_.reset();
        current_second_ = second;
    }
    second_sample& s = at(second);
    if (outcome == request_outcome::ok) {
        ++s.ok;
        current_latency_us_.record(latency_us);
    } else if (outcome != request_outcome::rejected) {
        ++s.errors;
    }
}

std::vector<second_sample> second_series::build() const {
    // Copy, then fill in the open second without disturbing the builder.
    std::vector<second_sample> out = samples_;
    if (current_latency_us_.count() > 0) {
        second_sample& s = out[static_cast<std::size_t>(current_second_)];
        s.p50_us = static_cast<double>(current_latency_us_.value_at_percentile(50));
        s.p99_us = static_cast<double>(current_latency_us_.value_at_percentile(99));
    }
    return out;
}

}  // namespace asyncbench
