#pragma once
// The scenario's lookups (lookup_spec) beside the main load: an open-loop GET <api path>/<id>
// load at lookups.rate for the main load's warm-up and measured phase, on its own generator
// (harness/load), each for an entity of a request the main load has already sent, picked by
// a fixed mix of the lookup's sequence number, so both modes look up alike.
//
// Thread-safety: construct, then finish() from the same thread; the generator runs on a
// thread of its own meanwhile.
#include <atomic>
#include <cstdint>
#include <thread>

#include "harness/config/scenario_config.hpp"
#include "harness/load/load_generator.hpp"
#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {

class lookup_load {
  public:
    // Starts at once. `writes` is the main load's progress (how many requests it has sent);
    // it, the scenario, the plugin and `cancel` must outlive this object.
    lookup_load(const scenario_config& scenario, const scenario_plugin& plugin,
                std::uint16_t api_port, const load_progress& writes,
                const std::atomic<bool>& cancel);
    ~lookup_load();
    lookup_load(const lookup_load&) = delete;
    lookup_load& operator=(const lookup_load&) = delete;

    // Waits for the lookups to end (with the main load's schedule) and returns their report.
    load_report finish();

  private:
    load_progress progress_;
    load_report report_;
    std::thread thread_;
};

}  // namespace asyncbench
