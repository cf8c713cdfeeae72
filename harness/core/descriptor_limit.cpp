#include "harness/core/descriptor_limit.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace asyncbench {

namespace {

descriptor_limit limits_of(const rlimit& limit) {
    return {static_cast<std::uint64_t>(limit.rlim_cur), static_cast<std::uint64_t>(limit.rlim_max)};
}

}  // namespace

descriptor_limit raise_descriptor_limit(std::uint64_t ceiling) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
    const rlim_t wanted =
        limit.rlim_max == RLIM_INFINITY ? ceiling : std::min<rlim_t>(limit.rlim_max, ceiling);
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
        rlimit raised = limit;
        raised.rlim_cur = wanted;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    return limits_of(limit);
}

descriptor_limit current_descriptor_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
    return limits_of(limit);
}

}  // namespace asyncbench
