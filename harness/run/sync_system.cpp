#include <fmt/format.h>

#include "harness/run/system_under_test.hpp"
#include "harness/sync/sync_api.hpp"

namespace asyncbench {
namespace {

class sync_system final : public system_under_test {
  public:
    explicit sync_system(const system_context& context)
        : api_(context.scenario, context.plugin, context.db, context.systems),
          threads_(context.scenario.sync.worker_threads) {
        api_.start();
    }
    std::uint16_t port() const override { return api_.port(); }
    void wait_ready(std::chrono::seconds) override {}  // listening since construction
    std::int64_t backlog() const override { return api_.busy_threads() + api_.queued(); }
    std::string status() const override {
        return fmt::format("threads {}/{} busy, queue {}", api_.busy_threads(), threads_,
                           api_.queued());
    }
    void stop() override { api_.stop(); }
    std::vector<std::string> warnings() const override {
        std::vector<std::string> notes;
        if (api_.rejected() > 0) {
            notes.push_back(fmt::format(
                "{} requests were rejected with 503 because all {} worker threads were busy and "
                "the accept queue was full (thread exhaustion)",
                api_.rejected(), threads_));
        }
        return notes;
    }
    std::vector<step_error_count> step_errors(std::size_t limit) const override {
        return api_.step_errors().most_frequent(limit);
    }

  private:
    sync_api api_;
    int threads_;
};

}  // namespace

std::unique_ptr<system_under_test> start_sync_system(const system_context& context) {
    return std::make_unique<sync_system>(context);
}

}  // namespace asyncbench
