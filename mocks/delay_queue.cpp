#include "mocks/delay_queue.hpp"

#include "harness/core/thread_name.hpp"

namespace asyncbench {

delay_queue::delay_queue() : thread_([this] { run(); }) {}

delay_queue::~delay_queue() { stop(); }

void delay_queue::post_at(clock::time_point due, task work) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;  // `work` is destroyed here, outside the lock
        const bool new_front = entries_.empty() || due < entries_.top().due;
        entries_.push(entry{due, next_sequence_++, std::move(work)});
        if (!new_front) return;  // the thread already waits for an earlier entry
    }
    wake_.notify_one();
}

void delay_queue::post_after(std::chrono::microseconds delay, task work) {
    post_at(clock::now() + delay, std::move(work));
}

void delay_queue::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
    // Destroyed outside the lock: a task's captures may post to this queue when destroyed.
    decltype(entries_) dropped;
    {
        std::lock_guard lock(mutex_);
        std::swap(dropped, entries_);
    }
}

std::size_t delay_queue::pending() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

void delay_queue::run() {
    name_this_thread(mock_delay_thread);
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (entries_.empty()) {
            wake_.wait(lock);
            continue;
        }
        const auto due = entries_.top().due;
        if (clock::now() < due) {
            wake_.wait_until(lock, due);
            continue;  // re-check: an earlier entry or stop() may have arrived
        }
        // priority_queue::top() is const; the entry is popped right after, so moving is safe.
        task work = std::move(const_cast<entry&>(entries_.top()).work);
        entries_.pop();
        lock.unlock();
        work();
        work = nullptr;  // captures (e.g. a respond_fn) released before taking the lock again
        lock.lock();
    }
}

}  // namespace asyncbench
