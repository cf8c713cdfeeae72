#pragma once
// A fixed pool of blocking worker threads with a bounded queue in front of it: the shape of a
// servlet container (maxThreads + acceptCount). When every thread is busy, requests wait in the
// queue; when the queue is full they are rejected. This is what makes thread exhaustion visible
// in the sync baseline.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asyncbench {

class worker_pool {
  public:
    // A job receives its thread's index in [0, threads), to reach per-thread state.
    using job = std::function<void(int thread_index)>;

    // The threads are named `thread_name` (at most 15 characters kept), so the cost sampler can
    // attribute their CPU (harness/core/thread_name.hpp).
    worker_pool(int threads, int queue_capacity, std::string thread_name);
    ~worker_pool();  // stop()

    // false when the queue is full (the caller answers 503). Thread-safe.
    bool submit(job work);
    // Lets queued jobs finish, then joins. Idempotent.
    void stop();

    int busy() const { return busy_.load(); }
    int queued() const;
    int threads() const { return thread_count_; }  // as configured, also after stop()

  private:
    void run(int index);

    const int thread_count_;
    const std::size_t capacity_;
    const std::string thread_name_;
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<job> queue_;
    bool stopping_ = false;
    std::atomic<int> busy_{0};
    std::vector<std::thread> threads_;
};

}  // namespace asyncbench
