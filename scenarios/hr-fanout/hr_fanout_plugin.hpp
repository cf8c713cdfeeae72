#pragma once
#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {

// Records alternate between employees and teams, so 20,000 requests carry 10,000 of each:
// {"record_id": "emp-00000042", "type": "employee", "name": "...", "team_id": "team-00000007"}
// {"record_id": "team-00000043", "type": "team", "name": "...", "parent_id": "team-00000001"}
class hr_fanout_plugin final : public scenario_plugin {
  public:
    std::string_view api_path() const override;
    generated_request make_request(std::uint64_t seq) const override;
    std::variant<parsed_request, std::string> parse_request(std::string_view body) const override;
};

}  // namespace asyncbench
