#pragma once
// Serialises work on one business id: a second request for an id already being processed
// waits until the first is done, as a servlet holding a row lock (SELECT ... FOR UPDATE)
// would. The workflow's "already applied?" check and its record around a downstream call are
// not one atomic step, so two threads running the same id at once could both make the call.
// Thread-safe.
#include <condition_variable>
#include <mutex>
#include <string>
#include <unordered_set>

namespace asyncbench {

class id_claims {
  public:
    class claim {
      public:
        claim(id_claims& owner, std::string id) : owner_(owner), id_(std::move(id)) {
            std::unique_lock lock(owner_.mutex_);
            owner_.released_.wait(lock, [&] { return !owner_.held_.contains(id_); });
            owner_.held_.insert(id_);
        }
        ~claim() {
            {
                std::lock_guard lock(owner_.mutex_);
                owner_.held_.erase(id_);
            }
            owner_.released_.notify_all();
        }
        claim(const claim&) = delete;
        claim& operator=(const claim&) = delete;

      private:
        id_claims& owner_;
        std::string id_;
    };

  private:
    std::mutex mutex_;
    std::condition_variable released_;
    std::unordered_set<std::string> held_;
};

}  // namespace asyncbench
