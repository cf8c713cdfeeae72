#include "harness/stats/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace asyncbench {

// Layout (HdrHistogram's, reduced to one formula): values below S = 2^precision_bits get a
// bucket each, so they are exact. A value v >= S with k = floor(log2 v) keeps its top
// precision_bits + 1 bits: it lands in bucket (k - p) * S + (v >> (k - p)). Each power of two
// therefore holds S buckets of width 2^(k - p), and the width over the value is below 2^-p.
namespace {

constexpr int min_precision_bits = 1;
// 2^16 buckets per power of two is already far finer than any latency needs; the cap keeps a
// typo from allocating gigabytes.
constexpr int max_precision_bits = 16;

}  // namespace

histogram::histogram(std::uint64_t max_trackable_us, int precision_bits)
    : max_trackable_(max_trackable_us), precision_bits_(precision_bits) {
    if (precision_bits < min_precision_bits || precision_bits > max_precision_bits) {
        throw std::invalid_argument("histogram: precision_bits must be in [1, 16], got " +
                                    std::to_string(precision_bits));
    }
    if (max_trackable_us == 0) {
        throw std::invalid_argument("histogram: max_trackable_us must be at least 1");
    }
    counts_.assign(bucket_index(max_trackable_) + 1, 0);
}

std::size_t histogram::bucket_index(std::uint64_t value) const {
    const std::uint64_t sub_buckets = std::uint64_t{1} << precision_bits_;
    if (value < sub_buckets) {
        return static_cast<std::size_t>(value);
    }
    const int shift = static_cast<int>(std::bit_width(value)) - 1 - precision_bits_;
    return static_cast<std::size_t>(static_cast<std::uint64_t>(shift) * sub_buckets +
                                    (value >> shift));
}

std::uint64_t histogram::bucket_highest_value(std::size_t index) const {
    const std::uint64_t sub_buckets = std::uint64_t{1} << precision_bits_;
    if (index < sub_buckets) {
        return index;
    }
    const std::uint64_t shift = index / sub_buckets - 1;
    const std::uint64_t top_bits = index - shift * sub_buckets;  // in [S, 2S)
    // Computed as lowest + (width - 1) so the top bucket near 2^64 cannot overflow.
    return (top_bits << shift) + ((std::uint64_t{1} << shift) - 1);
}

void histogram::record(std::uint64_t value_us, std::uint64_t count) {
    if (count == 0) {
        return;
    }
    if (value_us > max_trackable_) {
        value_us = max_trackable_;
        clamped_ += count;
    }
    counts_[bucket_index(value_us)] += count;
    count_ += count;
    min_ = std::min(min_, value_us);
    max_ = std::max(max_, value_us);
    sum_ += static_cast<long double>(value_us) * static_cast<long double>(count);
}

void histogram::merge(const histogram& other) {
    if (other.max_trackable_ != max_trackable_ || other.precision_bits_ != precision_bits_) {
        // Merging differently shaped histograms would silently misplace every sample.
        throw std::invalid_argument("histogram::merge: max_trackable and precision must match");
    }
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        counts_[i] += other.counts_[i];
    }
    count_ += other.count_;
    clamped_ += other.clamped_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
}

void histogram::reset() {
    std::fill(counts_.begin(), counts_.end(), 0);
    count_ = 0;
    clamped_ = 0;
    min_ = UINT64_MAX;
    max_ = 0;
    sum_ = 0;
}

std::uint64_t histogram::min() const { return count_ == 0 ? 0 : min_; }

std::uint64_t histogram::max() const { return count_ == 0 ? 0 : max_; }

double histogram::mean() const {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::uint64_t histogram::value_at_percentile(double percentile) const {
    if (count_ == 0) {
        return 0;
    }
    // NaN falls to 0 with the lower clamp, which std::clamp would not guarantee.
    percentile = percentile > 100.0 ? 100.0 : (percentile >= 0.0 ? percentile : 0.0);
    // "At least percentile% of samples" is a ceiling; the small epsilon keeps a product such as
    // 0.99 * 100000 = 99000.0000001 from asking for one sample more than intended.
    const long double wanted =
        static_cast<long double>(percentile) / 100.0L * static_cast<long double>(count_);
    std::uint64_t rank = static_cast<std::uint64_t>(std::ceil(wanted - 1e-9L));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);

    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            return std::min(bucket_highest_value(i), max_);
        }
    }
    return max_;  // unreachable while counts_ and count_ agree
}

}  // namespace asyncbench
