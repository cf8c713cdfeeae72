#pragma once
#include "scenarios/scenario_plugin.hpp"

namespace asyncbench {

// Requests: {"report_id": "rpt-00000042", "lp_code": "LP007", "period": "2026-03", "rows": 420}
class lp_report_plugin final : public scenario_plugin {
  public:
    std::string_view api_path() const override;
    generated_request make_request(std::uint64_t seq) const override;
    std::variant<parsed_request, std::string> parse_request(std::string_view body) const override;
};

}  // namespace asyncbench
