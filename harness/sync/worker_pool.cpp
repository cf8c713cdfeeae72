#include "harness/sync/worker_pool.hpp"

#include "harness/core/thread_name.hpp"

namespace asyncbench {

worker_pool::worker_pool(int threads, int queue_capacity, std::string thread_name)
    : thread_count_(threads),
      capacity_(static_cast<std::size_t>(queue_capacity)),
      thread_name_(std::move(thread_name)) {
    threads_.reserve(static_cast<std::size_t>(threads));
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this, i] { run(i); });
}

worker_pool::~worker_pool() { stop(); }

bool worker_pool::submit(job work) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return false;
        // An idle thread takes the job at once; only jobs beyond the idle threads queue.
        const auto idle = static_cast<std::size_t>(thread_count_ - busy_.load());
        if (queue_.size() >= idle + capacity_) return false;
        queue_.push_back(std::move(work));
    }
    ready_.notify_one();
    return true;
}

int worker_pool::queued() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(queue_.size());
}

void worker_pool::run(int index) {
    name_this_thread(thread_name_);
    for (;;) {
        job work;
        {
            std::unique_lock lock(mutex_);
            ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and nothing left
            work = std::move(queue_.front());
            queue_.pop_front();
            ++busy_;
        }
        work(index);
        --busy_;
    }
}

void worker_pool::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && threads_.empty()) return;
        stopping_ = true;
    }
    ready_.notify_all();
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
    threads_.clear();
}

}  // namespace asyncbench
