#pragma once
// Which offset a consumer may commit for each partition when its messages finish out of order
// (a pool of workers, one key at a time): the lowest offset still unfinished, or one past the
// highest offset handed out when none is. A crash then re-delivers finished messages above it,
// never skips an unfinished one below it. Offsets need not be contiguous (compaction,
// transaction markers): only the offsets handed out count.
//
// Not thread-safe: the key-ordered consumer guards it with its own lock.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>

namespace asyncbench {

class offset_tracker {
  public:
    // A message at `offset` was handed to a worker. Offsets of one partition arrive in order.
    void dispatched(std::int32_t partition, std::int64_t offset);
    // Its work is done (completed, dead-lettered or rejected): it may be committed past.
    void finished(std::int32_t partition, std::int64_t offset);
    // The offset to commit (the next one to read after a restart); nullopt when nothing of
    // the partition was handed out since it was assigned.
    std::optional<std::int64_t> commit_position(std::int32_t partition) const;
    // The partition was revoked: its state goes (whatever was unfinished is re-delivered to
    // the next owner from the last commit).
    void forget(std::int32_t partition);
    std::size_t unfinished() const;
    std::size_t unfinished(std::int32_t partition) const;
    // Partitions with any state, for committing them all.
    std::set<std::int32_t> partitions() const;

  private:
    struct partition_state {
        std::set<std::int64_t> unfinished;
        std::int64_t next = -1;  // one past the highest offset handed out
    };
    std::map<std::int32_t, partition_state> partitions_;
};

}  // namespace asyncbench
