#include "harness/core/script_runner.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "harness/core/child_process.hpp"

namespace asyncbench {

script_result run_script(const std::string& command) {
    script_result result;
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return result;
    child_stdio stdio;  // stdin /dev/null, stdout and stderr to our pipe
    stdio.stdout_fd = out[1];
    pid_t pid = 0;
    try {
        pid = spawn_child({"/bin/sh", "-c", command}, stdio);
    } catch (const std::exception& e) {
        ::close(out[0]);
        ::close(out[1]);
        result.output = e.what();
        return result;
    }
    ::close(out[1]);
    std::array<char, 4096> buffer{};
    for (ssize_t n; (n = ::read(out[0], buffer.data(), buffer.size())) != 0;) {
        if (n < 0) {
            if (errno == EINTR) continue;
            break;
        }
        result.output.append(buffer.data(), static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

std::string last_line(const std::string& text) {
    auto end = text.find_last_not_of("\r\n");
    if (end == std::string::npos) return {};
    auto start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1,
                       end - (start == std::string::npos ? 0 : start + 1) + 1);
}

std::filesystem::path scripts_dir(const std::string& name) {
    return std::filesystem::path(ASYNCBENCH_SOURCE_DIR) / "scripts" / name;
}

}  // namespace asyncbench
