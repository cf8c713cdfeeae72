#include "harness/core/child_process.hpp"

#include <fcntl.h>
#include <spawn.h>

#include <cstring>
#include <stdexcept>

extern char** environ;

namespace asyncbench {

pid_t spawn_child(const std::vector<std::string>& argv, const child_stdio& stdio) {
    if (argv.empty()) throw std::runtime_error("spawn_child: no program given");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (stdio.stdin_fd >= 0) {
        posix_spawn_file_actions_adddup2(&actions, stdio.stdin_fd, 0);
    } else {
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    }
    posix_spawn_file_actions_adddup2(&actions, stdio.stdout_fd, 1);
    if (stdio.stderr_path.empty()) {
        posix_spawn_file_actions_adddup2(&actions, stdio.stdout_fd, 2);
    } else {
        posix_spawn_file_actions_addopen(&actions, 2, stdio.stderr_path.c_str(),
                                         O_WRONLY | O_CREAT | O_APPEND, 0644);
    }
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    if (stdio.own_process_group) {
        posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
        posix_spawnattr_setpgroup(&attributes, 0);
    }
    std::vector<std::string> args = argv;
    std::vector<char*> pointers;
    for (auto& arg : args) pointers.push_back(arg.data());
    pointers.push_back(nullptr);
    pid_t pid = 0;
    const int rc =
        ::posix_spawn(&pid, args[0].c_str(), &actions, &attributes, pointers.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (rc != 0) {
        throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(rc));
    }
    return pid;
}

}  // namespace asyncbench
