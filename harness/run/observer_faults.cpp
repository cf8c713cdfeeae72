// The faults of what lies beside the workflow: the Redis server going away (redis_down) and
// watchers losing their connections (watcher_disconnect).
#include <fmt/format.h>

#include <cmath>

#include "harness/run/fault_timeline.hpp"

namespace asyncbench {
namespace {

// Redis stopped or killed, then started again on the same port. It keeps no persistence, so
// it comes back empty: whatever state lived only in Redis is gone, which the checks then show
// (a finding about the design, not a harness failure).
class redis_down_action final : public fault_action {
  public:
    redis_down_action(const fault_spec& fault, redis_service& redis)
        : fault_(fault), redis_(redis) {}

    std::string apply() override {
        const bool kill = fault_.how == fault_spec::takedown::kill;
        redis_.take_down(kill ? redis_service::stop_kind::kill : redis_service::stop_kind::stop);
        return kill ? "redis-server killed (SIGKILL)" : "redis-server shut down (SHUTDOWN NOSAVE)";
    }

    std::string revert() override {
        redis_.bring_up();
        return "redis-server started again, empty (no persistence)";
    }

    std::string target() const override { return "redis"; }

  private:
    const fault_spec& fault_;
    redis_service& redis_;
};

class watcher_disconnect_action final : public fault_action {
  public:
    watcher_disconnect_action(const fault_spec& fault, watcher_group& watchers)
        : fault_(fault), watchers_(watchers) {}

    std::string apply() override {
        const int dropped = watchers_.disconnect(fault_.share);
        return fmt::format("{} watchers disconnected", dropped);
    }

    std::string revert() override {
        watchers_.reconnect();
        return "watchers reconnecting";
    }

    std::string target() const override { return "watchers"; }

  private:
    const fault_spec& fault_;
    watcher_group& watchers_;
};

}  // namespace

std::unique_ptr<fault_action> make_redis_down_action(const fault_spec& fault, redis_service* redis,
                                                     std::string& why) {
    if (redis == nullptr || !redis->can_restart()) {
        why =
            "redis_down needs the Redis the harness starts (--redis embedded): it stops and "
            "restarts that server";
        return nullptr;
    }
    return std::make_unique<redis_down_action>(fault, *redis);
}

std::unique_ptr<fault_action> make_watcher_disconnect_action(const fault_spec& fault,
                                                             watcher_group* watchers,
                                                             std::string& why) {
    if (watchers == nullptr) {
        why = "no watchers in this mode";
        return nullptr;
    }
    return std::make_unique<watcher_disconnect_action>(fault, *watchers);
}

}  // namespace asyncbench
