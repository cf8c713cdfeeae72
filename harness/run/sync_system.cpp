#include <fmt/format.h>

#include "harness/api/front_door.hpp"
#include "harness/run/system_under_test.hpp"

namespace asyncbench {
namespace {

// The as-is system: the front door runs every stage inline and answers when all are done.
class sync_system final : public system_under_test {
  public:
    explicit sync_system(const system_context& context)
        : api_(context.scenario, context.plugin, context.db, context.systems,
               front_door_options{mode::sync, {}, nullptr, context.redis, 0}) {
        api_.start();
    }
    std::uint16_t port() const override { return api_.port(); }
    void wait_ready(std::chrono::seconds) override {}  // listening since construction
    std::int64_t backlog() const override { return api_.busy_threads() + api_.queued(); }
    std::string status() const override {
        return fmt::format("threads {}/{} busy, queue {}", api_.busy_threads(), api_.threads(),
                           api_.queued());
    }
    void stop() override { api_.stop(); }
    std::vector<std::string> warnings() const override {
        std::vector<std::string> notes;
        if (auto note = thread_exhaustion_note(api_)) notes.push_back(*note);
        return notes;
    }
    std::vector<step_error_count> step_errors(std::size_t limit) const override {
        return api_.step_errors().most_frequent(limit);
    }

  private:
    front_door api_;
};

}  // namespace

std::optional<std::string> thread_exhaustion_note(const front_door& api) {
    if (api.refused_busy() == 0) return std::nullopt;
    return fmt::format(
        "{} requests were rejected with 503 because all {} worker threads were busy and the "
        "accept queue was full (thread exhaustion)",
        api.refused_busy(), api.threads());
}

std::unique_ptr<system_under_test> start_sync_system(const system_context& context) {
    return std::make_unique<sync_system>(context);
}

}  // namespace asyncbench
