#pragma once
// A log-linear latency histogram in the spirit of HdrHistogram (no C/C++ HdrHistogram is
// packaged for Debian 12, so we keep our own, small and tested against known distributions).
//
// Values are non-negative integers in microseconds. Every value in [0, max_trackable] is
// recorded with a relative error below 2^-precision_bits (default 7 bits: < 0.8%); larger
// values are clamped to max_trackable and counted in clamped(). Not thread-safe: each thread
// owns its histograms and they are merged at the end (merge() is exact).
#include <cstdint>
#include <vector>

namespace asyncbench {

class histogram {
  public:
    // max_trackable_us: largest distinct value (default one hour).
    explicit histogram(std::uint64_t max_trackable_us = 3'600'000'000ULL, int precision_bits = 7);

    void record(std::uint64_t value_us, std::uint64_t count = 1);
    void merge(const histogram& other);  // same max_trackable and precision required
    void reset();

    std::uint64_t count() const { return count_; }
    std::uint64_t clamped() const { return clamped_; }
    std::uint64_t min() const;  // 0 when empty
    std::uint64_t max() const;  // 0 when empty; exact
    double mean() const;        // 0 when empty; exact (from the recorded sum)
    // Smallest recorded value v such that at least `percentile`% of samples are <= v, reported
    // as the highest value equivalent to its bucket (as HdrHistogram does). percentile in
    // [0, 100]; 0 when empty.
    std::uint64_t value_at_percentile(double percentile) const;

    // Calls f(value_us, count) for every non-empty bucket in value order, value_us being the
    // highest value equivalent to the bucket (capped at max(), as value_at_percentile reports
    // it). For exporters that need the whole distribution (harness/stats/hgrm.hpp).
    template <typename F>
    void for_each_bucket(F&& f) const {
        for (std::size_t i = 0; i < counts_.size(); ++i) {
            if (counts_[i] == 0) continue;
            const std::uint64_t highest = bucket_highest_value(i);
            f(highest < max_ ? highest : max_, counts_[i]);
        }
    }
    // Buckets per power of two (2^precision_bits) and buckets in all, for the .hgrm footer.
    std::uint64_t sub_buckets() const { return std::uint64_t{1} << precision_bits_; }
    std::size_t buckets() const { return counts_.size(); }

  private:
    std::size_t bucket_index(std::uint64_t value) const;
    std::uint64_t bucket_highest_value(std::size_t index) const;

    std::uint64_t max_trackable_;
    int precision_bits_;
    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    std::uint64_t clamped_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
    long double sum_ = 0;
};

}  // namespace asyncbench
