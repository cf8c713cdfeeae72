#pragma once
// The real asyncbench binary run as a user runs it: its output (stdout and stderr) and exit
// code. ASYNCBENCH_EXE names the binary (tests/CMakeLists.txt defines it).
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#ifndef ASYNCBENCH_EXE
#error "ASYNCBENCH_EXE must name the asyncbench binary (tests/CMakeLists.txt defines it)"
#endif

namespace asyncbench::test {

struct command_result {
    int exit_code = -1;
    std::string output;  // stdout and stderr
};

inline command_result run_cli(const std::string& arguments) {
    command_result result;
    const std::string command = std::string(ASYNCBENCH_EXE) + " " + arguments + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return result;
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe)) result.output += buffer.data();
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

}  // namespace asyncbench::test
