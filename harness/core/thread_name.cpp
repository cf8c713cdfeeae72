#include "harness/core/thread_name.hpp"

#include <pthread.h>

#include <string>

namespace asyncbench {

void name_this_thread(std::string_view name) {
    // The kernel's limit is 16 bytes with the terminating NUL; pthread_setname_np refuses
    // (ERANGE) rather than cuts, so cut here.
    constexpr std::size_t max_length = 15;
    const std::string cut(name.substr(0, max_length));
    pthread_setname_np(pthread_self(), cut.c_str());
}

}  // namespace asyncbench
