#pragma once
// stats-stream (seed 000): the operating service receives business events, POST /events:
//   {"event_id": "evt-00000042", "kind": "order", "amount": 120}
// It stores each in its `events` table (both modes). The statistics system aggregates them
// into `stats_by_kind` (events and amount per kind): as-is by polling the service's read API,
// to-be from a Kafka topic the service also produces to (stats-stream.yaml). This plugin
// generates and validates the events and checks afterwards that the statistics equal the
// events the service stored.
#include <array>
#include <cstdint>
#include <string_view>

#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {

namespace stats_stream {

// The kinds of events the load sends, in a fixed deterministic mix.
inline constexpr std::array<std::string_view, 6> kinds{"page_view", "search",  "signup",
                                                       "order",     "payment", "refund"};
inline constexpr std::int64_t max_amount = 1'000'000;

}  // namespace stats_stream

class stats_stream_plugin final : public scenario_plugin {
  public:
    std::string_view api_path() const override;
    generated_request make_request(std::uint64_t seq) const override;
    std::variant<parsed_request, std::string> parse_request(std::string_view body) const override;
    std::vector<std::string> invariant_names() const override;
    std::vector<std::string> metric_names() const override;
    scenario_checks check(scenario_state& state) const override;
};

}  // namespace asyncbench
