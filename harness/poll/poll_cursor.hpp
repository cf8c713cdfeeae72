#pragma once
// What one poller remembers between polls: how far it has read (the highest cursor value it
// took) and which rows it has already seen, so a window read again yields only the new rows and
// the rows read again are counted. Pure logic, no I/O; not thread-safe (one per poller).
//
// A round starts `reread` behind the highest cursor value seen (0: at it, or just past it when
// nothing else can be at it) and pages forward with `cursor >= since`: `>=` so rows sharing the
// last page's cursor value are not skipped, at the price of reading those again (counted as
// refetched, like the window's). Where no two rows share a value (a queue's positions) each
// page and round starts just past the last value taken, and nothing is read twice.
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "harness/store/store.hpp"

namespace asyncbench {

// Whether rows of a source can share a cursor value: a written_at time can (two rows in one
// microsecond), a queue position cannot.
enum class cursor_values { may_repeat, unique };

class poll_cursor {
  public:
    // `cursor_column` and `key_column` name the source table's columns; `reread` >= 0.
    poll_cursor(std::string cursor_column, std::string key_column, std::chrono::microseconds reread,
                cursor_values values = cursor_values::may_repeat);

    // Where a round's first page starts.
    std::int64_t round_start() const;

    struct page {
        std::vector<const row_values*> fresh;  // rows not seen before, in page order
        std::size_t refetched = 0;             // rows of the page seen before
        std::size_t malformed = 0;             // rows without a key or an integer cursor
        // Where the next page starts; nullopt when this page was the round's last (short).
        std::optional<std::int64_t> next_since;
    };
    // Takes a page fetched with `since` and `limit`. Rows stay owned by the caller; `fresh`
    // points into `rows`. A fresh row counts as seen from now on: call forget() for one that
    // was not finished (and end the round), so the next round starts at it and takes it again.
    page take(const std::vector<row_values>& rows, std::int64_t since, int limit);
    void forget(const row_values& row);

    std::int64_t highest() const { return highest_; }

  private:
    std::optional<std::int64_t> cursor_of(const row_values& row) const;

    std::string cursor_column_;
    std::string key_column_;
    std::int64_t reread_us_;
    std::int64_t highest_ = 0;
    bool unique_;
    // Where a round without a window starts at the earliest: past the last unique value taken,
    // or past v when a full page was all at v; pulled back by forget().
    std::int64_t resume_ = 0;
    std::unordered_set<std::string> seen_;
};

// The wait before the next poll: `every` scaled by a factor drawn uniformly in
// [1 - jitter, 1 + jitter] (jitter in [0, 1)), so pollers started together drift apart.
std::chrono::microseconds next_poll_delay(std::chrono::microseconds every, double jitter,
                                          std::mt19937_64& rng);

}  // namespace asyncbench
