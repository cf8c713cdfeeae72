#pragma once
// Starting a child process that inherits nothing but its three standard streams. A child holding
// a copy of one of our listening sockets (a mock system's, an API's) would keep that port
// listening after we close it, so a mock's "refuse" outage would make connections hang instead
// of being refused; Kafka JVMs and worker processes both outlive the moment they were started.
#include <sys/types.h>

#include <string>
#include <vector>

namespace asyncbench {

struct child_stdio {
    int stdin_fd = -1;               // our descriptor to become the child's stdin; -1: /dev/null
    int stdout_fd = -1;              // our descriptor to become the child's stdout (required)
    std::string stderr_path;         // appended to as the child's stderr; empty: same as stdout
    bool own_process_group = false;  // Ctrl-C on our terminal then does not reach the child
};

// Runs argv[0] (a path) with `argv`, our environment and `stdio`; every other descriptor is
// closed in the child. Returns its pid. Throws std::runtime_error naming argv[0] and the reason.
// Thread-safe (posix_spawn).
pid_t spawn_child(const std::vector<std::string>& argv, const child_stdio& stdio);

}  // namespace asyncbench
