// The warnings a mode's front door earns (declared in system_under_test.hpp): both modes serve
// through the same front door, so both add the same lines.
#include <fmt/format.h>

#include "harness/api/front_door.hpp"
#include "harness/core/descriptor_limit.hpp"
#include "harness/run/system_under_test.hpp"

namespace asyncbench {
namespace {

std::optional<std::string> thread_exhaustion_note(const front_door& api) {
    if (api.refused_busy() == 0) return std::nullopt;
    return fmt::format(
        "{} requests were rejected with 503 because all {} worker threads were busy and the "
        "accept queue was full (thread exhaustion)",
        api.refused_busy(), api.threads());
}

}  // namespace

std::optional<std::string> connection_cap_note(std::uint64_t refused, int max_connections,
                                               std::uint64_t descriptor_soft_limit) {
    if (refused == 0) return std::nullopt;
    return fmt::format(
        "{} connections to the API were closed unserved: it holds at most {} open at once "
        "(api_connections), and this process may open {} file descriptors in all",
        refused, max_connections, descriptor_soft_limit);
}

std::vector<std::string> front_door_notes(const front_door& api) {
    std::vector<std::string> notes;
    if (auto note = thread_exhaustion_note(api)) notes.push_back(std::move(*note));
    if (auto note = connection_cap_note(api.refused_connections(), api.max_connections(),
                                        current_descriptor_limit().soft)) {
        notes.push_back(std::move(*note));
    }
    return notes;
}

}  // namespace asyncbench
