#include "harness/run/environment.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <spdlog/version.h>
#include <sqlite3.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <boost/version.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

namespace asyncbench {
namespace {

std::string command_output(const std::string& command) {
    std::string text;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        std::array<char, 256> buffer{};
        while (std::fgets(buffer.data(), buffer.size(), pipe)) text += buffer.data();
        ::pclose(pipe);
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

std::string cpu_model() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("model name", 0) == 0) {
            auto colon = line.find(':');
            if (colon != std::string::npos) return line.substr(colon + 2);
        }
    }
    return "unknown";
}

}  // namespace

environment_info describe_environment() {
    environment_info info;
    info.asyncbench_version = ASYNCBENCH_VERSION;
    info.git_commit = command_output(
        fmt::format("git -C '{}' rev-parse --short=12 HEAD 2>/dev/null", ASYNCBENCH_SOURCE_DIR));
    if (info.git_commit.empty()) info.git_commit = "unknown";
    if (!command_output(fmt::format("git -C '{}' status --porcelain --untracked-files=no "
                                    "2>/dev/null",
                                    ASYNCBENCH_SOURCE_DIR))
             .empty()) {
        info.git_commit += "-dirty";
    }
    std::array<char, 256> host{};
    ::gethostname(host.data(), host.size() - 1);
    info.host = host.data();
    info.cpu = cpu_model();
    info.cores = static_cast<int>(std::thread::hardware_concurrency());
    struct utsname uts {};
    if (::uname(&uts) == 0)
        info.os = fmt::format("{} {} {}", uts.sysname, uts.release, uts.machine);
    info.libraries = {
        {"librdkafka", rd_kafka_version_str()},
        {"boost", fmt::format("{}.{}.{}", BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000,
                              BOOST_VERSION % 100)},
        {"sqlite", sqlite3_libversion()},
        {"spdlog", fmt::format("{}.{}.{}", SPDLOG_VER_MAJOR, SPDLOG_VER_MINOR, SPDLOG_VER_PATCH)},
        {"compiler", __VERSION__},
    };
    info.started_at = fmt::format(
        "{:%Y-%m-%dT%H:%M:%SZ}",
        fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
    return info;
}

}  // namespace asyncbench
