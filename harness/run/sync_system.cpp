#include <fmt/format.h>

#include "harness/api/front_door.hpp"
#include "harness/poll/poll_group.hpp"
#include "harness/run/system_under_test.hpp"

namespace asyncbench {
namespace {

// The as-is system: the front door runs the inline stages and answers when they are done;
// stages placed poll are run by pollers that find the rows the inline stages wrote.
class sync_system final : public system_under_test {
  public:
    explicit sync_system(const system_context& context)
        : api_(context.scenario, context.plugin, context.db, context.systems,
               front_door_options{mode::sync, {}, nullptr, context.redis, 0}) {
        api_.start();
        pollers_ = make_poll_groups(
            poll_environment{context.scenario, context.db, context.systems, context.redis,
                             network_endpoint{"127.0.0.1", api_.port()}, &api_.error_sink()},
            mode::sync);
        for (auto& group : pollers_) group->start();
    }
    std::uint16_t port() const override { return api_.port(); }
    void wait_ready(std::chrono::seconds) override {}  // listening since construction
    std::int64_t backlog() const override {
        return api_.busy_threads() + api_.queued() + poll_backlog(pollers_, api_.handed_on());
    }
    std::string status() const override {
        auto text = fmt::format("threads {}/{} busy, queue {}", api_.busy_threads(), api_.threads(),
                                api_.queued());
        if (!pollers_.empty()) {
            text += fmt::format(", not yet polled {}", poll_backlog(pollers_, api_.handed_on()));
        }
        return text;
    }
    void stop() override {
        for (auto& group : pollers_) group->stop();  // first: they read through the API
        api_.stop();
    }
    bool set_stage_paused(const std::string& stage, bool paused) override {
        return set_poll_stage_paused(pollers_, stage, paused);
    }
    std::vector<scenario_metric> pipeline_metrics() const override {
        return poll_metrics(pollers_);
    }
    std::vector<std::string> warnings() const override { return front_door_notes(api_); }
    std::vector<step_error_count> step_errors(std::size_t limit) const override {
        return api_.step_errors().most_frequent(limit);
    }

  private:
    front_door api_;
    std::vector<std::unique_ptr<poll_group>> pollers_;
};

}  // namespace

std::unique_ptr<system_under_test> start_sync_system(const system_context& context) {
    return std::make_unique<sync_system>(context);
}

}  // namespace asyncbench
