#include "harness/store/local_postgres.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "harness/core/script_runner.hpp"
#include "harness/store/pg_connection_pool.hpp"
#include "harness/store/store.hpp"

namespace asyncbench {
namespace {

std::filesystem::path postgres_script(const char* name) { return scripts_dir("postgres") / name; }

// A new, empty folder the postgres system user can enter (start.sh hands it to that user when
// we run as root). mkdtemp(3): std::filesystem has no way to make a unique folder.
std::filesystem::path make_temp_folder() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = (std::filesystem::path(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") /
                           "asyncbench-pg.XXXXXX")
                              .string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) {
        throw std::runtime_error(fmt::format("--db local: cannot make a folder like {}", pattern));
    }
    ::chmod(buffer.data(), 0755);
    return buffer.data();
}

std::string server_version(const std::string& url) {
    try {
        auto conn = pg_connect(parse_pg_target(url));
        const char* version = PQparameterStatus(conn.get(), "server_version");
        return version != nullptr ? version : "?";
    } catch (const store_error&) {
        return "?";
    }
}

}  // namespace

local_postgres::local_postgres(std::filesystem::path log_copy)
    : dir_(make_temp_folder()), log_copy_(std::move(log_copy)) {
    spdlog::info("starting PostgreSQL (scripts/postgres/start.sh) in {}", dir_.string());
    auto started = run_script(
        fmt::format("bash '{}' --dir '{}'", postgres_script("start.sh").string(), dir_.string()));
    url_ = last_line(started.output);
    if (started.exit_code != 0 || !url_.starts_with("postgres://")) {
        stop_and_remove();
        throw std::runtime_error(
            fmt::format("--db local: scripts/postgres/start.sh failed (exit {}):\n{}",
                        started.exit_code, started.output));
    }
    const auto at = url_.find('@');
    const auto slash = url_.rfind('/');
    description_ = fmt::format(
        "PostgreSQL {} on {}, started for this run by scripts/postgres/start.sh (--db local)",
        server_version(url_), url_.substr(at + 1, slash - at - 1));
}

local_postgres::~local_postgres() { stop_and_remove(); }

std::string local_postgres::take_down(stop_kind how) {
    std::lock_guard lock(mutex_);
    const bool kill = how == stop_kind::kill;
    auto stopped =
        run_script(fmt::format("bash '{}' --dir '{}'{}", postgres_script("stop.sh").string(),
                               dir_.string(), kill ? " --kill" : ""));
    if (stopped.exit_code != 0) {
        throw std::runtime_error(fmt::format("scripts/postgres/stop.sh{} failed (exit {}): {}",
                                             kill ? " --kill" : "", stopped.exit_code,
                                             stopped.output));
    }
    return kill ? "PostgreSQL killed (kill -9 of its whole process group: a crash)"
                : "PostgreSQL stopped (pg_ctl stop -m fast: sessions ended, a clean shutdown)";
}

std::string local_postgres::bring_up() {
    std::lock_guard lock(mutex_);
    const auto began = std::chrono::steady_clock::now();
    auto started = run_script(
        fmt::format("bash '{}' --dir '{}'", postgres_script("start.sh").string(), dir_.string()));
    if (started.exit_code != 0) {
        throw std::runtime_error(
            fmt::format("scripts/postgres/start.sh did not bring PostgreSQL back (exit {}):\n{}",
                        started.exit_code, started.output));
    }
    return fmt::format(
        "PostgreSQL started again from its data (accepting connections after {:.1f} s)",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
}

void local_postgres::stop_and_remove() noexcept {
    try {
        std::error_code ec;
        if (!log_copy_.empty() && std::filesystem::exists(dir_ / "server.log", ec)) {
            std::filesystem::copy_file(dir_ / "server.log", log_copy_,
                                       std::filesystem::copy_options::overwrite_existing, ec);
        }
        auto stopped = run_script(fmt::format("bash '{}' --dir '{}' --clean",
                                              postgres_script("stop.sh").string(), dir_.string()));
        if (stopped.exit_code != 0) {
            spdlog::warn("scripts/postgres/stop.sh --clean failed (exit {}): {}", stopped.exit_code,
                         stopped.output);
        }
    } catch (const std::exception& e) {
        spdlog::warn("stopping the run's PostgreSQL in {}: {}", dir_.string(), e.what());
    }
}

}  // namespace asyncbench
