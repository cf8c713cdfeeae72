#include "harness/core/mode.hpp"

#include <algorithm>

namespace asyncbench {
namespace {

// Adding a mode touches this table (and the system it starts, in harness/run/).
constexpr std::array<mode_traits, 2> table{{
    {mode::sync, "sync", true, false, "#d95f02"},
    {mode::async, "async", false, true, "#1b9e77"},
}};

}  // namespace

const mode_traits& traits_of(mode m) { return table[static_cast<std::size_t>(m)]; }

std::optional<mode> mode_from_name(std::string_view name) {
    for (const auto& traits : table) {
        if (traits.name == name) return traits.id;
    }
    return std::nullopt;
}

std::vector<std::string> in_report_order(const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const mode m : all_modes) {
        if (std::find(names.begin(), names.end(), traits_of(m).name) != names.end()) {
            out.push_back(mode_name(m));
        }
    }
    for (const auto& name : names) {
        if (!mode_from_name(name)) out.push_back(name);
    }
    return out;
}

}  // namespace asyncbench
