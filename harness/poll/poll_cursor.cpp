#include "harness/poll/poll_cursor.hpp"

#include <algorithm>
#include <charconv>

namespace asyncbench {

poll_cursor::poll_cursor(std::string cursor_column, std::string key_column,
                         std::chrono::microseconds reread, cursor_values values)
    : cursor_column_(std::move(cursor_column)),
      key_column_(std::move(key_column)),
      reread_us_(reread.count()),
      unique_(values == cursor_values::unique) {}

std::int64_t poll_cursor::round_start() const {
    const std::int64_t window_start = std::max<std::int64_t>(0, highest_ - reread_us_);
    // Without a window a round resumes past what it knows it has taken: else a round bounded
    // to one page (`pages: 1`) of one row (a queue read one member at a time) would read that
    // row again every round and never move on.
    return reread_us_ == 0 ? std::max(window_start, resume_) : window_start;
}

std::optional<std::int64_t> poll_cursor::cursor_of(const row_values& row) const {
    const auto found = row.find(cursor_column_);
    if (found == row.end()) return std::nullopt;
    std::int64_t value = 0;
    const auto& text = found->second;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

poll_cursor::page poll_cursor::take(const std::vector<row_values>& rows, std::int64_t since,
                                    int limit) {
    page result;
    std::int64_t last = since;
    for (const auto& row : rows) {
        const auto key = row.find(key_column_);
        const auto cursor = cursor_of(row);
        if (key == row.end() || !cursor) {
            ++result.malformed;
            continue;
        }
        last = std::max(last, *cursor);
        highest_ = std::max(highest_, *cursor);
        if (unique_) resume_ = std::max(resume_, *cursor + 1);
        if (seen_.insert(key->second).second) {
            result.fresh.push_back(&row);
        } else {
            ++result.refetched;
        }
    }
    if (static_cast<int>(rows.size()) >= limit) {
        // A full page: more may follow. When every row shared the `since` value, `>=` would
        // return the same page forever: step past it (rows beyond `limit` at one microsecond
        // are then skipped, a limit no real table reaches).
        if (unique_) {
            result.next_since = last + 1;  // no other row shares `last`
        } else {
            result.next_since = last > since ? last : since + 1;
            if (last == since) resume_ = std::max(resume_, since + 1);
        }
    }
    return result;
}

void poll_cursor::forget(const row_values& row) {
    const auto key = row.find(key_column_);
    if (key != row.end()) seen_.erase(key->second);
    // The next round must reach it again, whatever the window.
    if (const auto cursor = cursor_of(row)) {
        highest_ = std::min(highest_, *cursor);
        resume_ = std::min(resume_, *cursor);
    }
}

std::chrono::microseconds next_poll_delay(std::chrono::microseconds every, double jitter,
                                          std::mt19937_64& rng) {
    std::uniform_real_distribution<double> factor(1.0 - jitter, 1.0 + jitter);
    return std::chrono::microseconds(
        static_cast<std::int64_t>(static_cast<double>(every.count()) * factor(rng)));
}

}  // namespace asyncbench
