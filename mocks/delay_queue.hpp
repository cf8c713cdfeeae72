#pragma once
// Runs tasks when they fall due, on one thread of its own: how the mock answers after a
// service time without blocking the HTTP server's I/O thread (and without Asio timers, which
// would tie the mock to the server's internals).
//
// Thread-safe: post_after/post_at/stop may be called from any thread, including from a task.
// Tasks run one at a time, in due order (ties in posting order), with no lock held, so a task
// may post further tasks. A task must not throw and should be quick: a slow task delays the
// ones behind it.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace asyncbench {

class delay_queue {
  public:
    using clock = std::chrono::steady_clock;
    using task = std::function<void()>;

    delay_queue();   // starts the thread
    ~delay_queue();  // stop()
    delay_queue(const delay_queue&) = delete;
    delay_queue& operator=(const delay_queue&) = delete;

    void post_at(clock::time_point due, task work);
    void post_after(std::chrono::microseconds delay, task work);  // delay <= 0: as soon as possible

    // Joins the thread. Tasks not yet run are destroyed without running, and tasks posted
    // afterwards are destroyed at once: after stop() nothing runs. Idempotent. Must not be
    // called from a task.
    void stop();

    std::size_t pending() const;

  private:
    struct entry {
        clock::time_point due;
        std::uint64_t sequence;  // keeps equal due times in posting order
        task work;
    };
    struct later_first {
        bool operator()(const entry& a, const entry& b) const {
            return a.due != b.due ? a.due > b.due : a.sequence > b.sequence;
        }
    };

    void run();

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::priority_queue<entry, std::vector<entry>, later_first> entries_;
    std::uint64_t next_sequence_ = 0;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace asyncbench
