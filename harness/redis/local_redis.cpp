#include "harness/redis/local_redis.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <variant>

#include "harness/core/child_process.hpp"
#include "harness/redis/redis_client.hpp"

namespace asyncbench {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr auto start_timeout = 10s;
constexpr auto stop_grace = 5s;
constexpr auto poll_interval = 50ms;
constexpr auto ping_timeout = 500ms;
// A port found free can be taken by someone else before redis-server binds it; such a start
// is retried on a new port, and only that failure is.
constexpr int port_attempts = 3;
constexpr int log_tail_lines = 30;  // as many as scripts/redis/start.sh shows

constexpr std::string_view accepted_forms =
    "embedded (a throwaway redis-server for the run), HOST:PORT or redis://HOST[:PORT][/DB] "
    "(e.g. --redis 127.0.0.1:6379 or --redis redis://10.0.0.5:6379/2)";

// The option as messages may quote it: text with '@' may hold a password.
std::string quotable(std::string_view text) {
    return text.find('@') == std::string_view::npos ? "'" + std::string(text) + "'"
                                                    : "a URL with a user or password";
}

// posix_spawn needs a path, and a missing program deserves the install hint rather than
// spawn_child's "No such file or directory".
std::optional<fs::path> find_on_path(std::string_view program) {
    const char* path = std::getenv("PATH");
    std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
    while (true) {
        const auto colon = dirs.find(':');
        const std::string_view dir = dirs.substr(0, colon);
        fs::path candidate = fs::path(dir.empty() ? "." : dir) / program;
        if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) {
            return candidate;
        }
        if (colon == std::string_view::npos) return std::nullopt;
        dirs.remove_prefix(colon + 1);
    }
}

// A loopback port the kernel considers free right now (bound to port 0, then released).
std::uint16_t free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        throw std::runtime_error(std::string("cannot find a free port for redis-server: socket: ") +
                                 std::strerror(errno));
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    const int saved_errno = errno;
    ::close(fd);
    if (!ok) {
        throw std::runtime_error(std::string("cannot find a free port for redis-server: ") +
                                 std::strerror(saved_errno));
    }
    return ntohs(address.sin_port);
}

// The last `count` lines of `file` from byte `from` on (what this start attempt wrote).
std::string log_tail(const fs::path& file, std::streamoff from, int count) {
    std::ifstream in(file);
    if (!in) return fmt::format("(no log at {})", file.string());
    in.seekg(from);
    std::deque<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        lines.push_back(std::move(line));
        if (lines.size() > static_cast<std::size_t>(count)) lines.pop_front();
    }
    if (lines.empty()) return fmt::format("({} is empty)", file.string());
    std::string text = "--- " + file.string();
    for (const auto& line : lines) text += "\n" + line;
    return text;
}

std::streamoff file_size_or_zero(const fs::path& file) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    return ec ? 0 : static_cast<std::streamoff>(size);
}

// A value for redis.conf: quoted, so that a folder with spaces stays one argument.
std::string conf_string(const fs::path& path) {
    std::string quoted = "\"";
    for (const char c : path.string()) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
    }
    return quoted + "\"";
}

// The settings of scripts/redis/start.sh without --persist, except that the server stays in
// the foreground as our child, so the run stops it by pid instead of through the pid file.
// The pid file, port and url.txt are still written, so scripts/redis/stop.sh --dir can stop a
// server that a crashed run left behind.
void write_config(const fs::path& dir, std::uint16_t port) {
    std::ofstream conf(dir / "redis.conf", std::ios::trunc);
    conf << "# Written by asyncbench run (harness/redis/local_redis.cpp) with the settings of\n"
            "# scripts/redis/start.sh; everything else keeps Redis's defaults.\n"
         << "bind 127.0.0.1\n"
         << "port " << port << "\n"
         << "protected-mode yes\n"
         << "daemonize no\n"
         << "pidfile " << conf_string(dir / "redis.pid") << "\n"
         << "logfile " << conf_string(dir / "server.log") << "\n"
         << "dir " << conf_string(dir) << "\n"
         << "# No snapshots or append-only file: nothing may fsync during a measured run.\n"
            "save \"\"\n"
            "appendonly no\n";
    conf.close();
    std::ofstream(dir / "port", std::ios::trunc) << port << "\n";
    if (!conf) {
        throw std::runtime_error(fmt::format("cannot write {}: {}", (dir / "redis.conf").string(),
                                             std::strerror(errno)));
    }
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) return fmt::format("exit code {}", WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
    return fmt::format("wait status {}", status);
}

// A started redis-server: stopped (SIGTERM, then SIGKILL) and reaped when destroyed, so no
// failure between spawning and readiness leaves one running.
class owned_child {
  public:
    explicit owned_child(pid_t pid) : pid_(pid) {}
    owned_child(const owned_child&) = delete;
    owned_child& operator=(const owned_child&) = delete;
    ~owned_child() { stop(); }

    pid_t pid() const { return pid_; }

    // How it ended when it has exited (and is now reaped); nullopt while it runs.
    std::optional<std::string> exited() {
        if (pid_ == 0) return "already reaped";
        int status = 0;
        pid_t done = 0;
        while ((done = ::waitpid(pid_, &status, WNOHANG)) < 0 && errno == EINTR) {
        }
        if (done != pid_) return std::nullopt;
        pid_ = 0;
        return describe_status(status);
    }

    void stop() {
        if (pid_ == 0 || exited()) return;
        const pid_t pid = pid_;
        ::kill(pid, SIGTERM);
        const auto deadline = std::chrono::steady_clock::now() + stop_grace;
        while (std::chrono::steady_clock::now() < deadline) {
            if (exited()) return;
            std::this_thread::sleep_for(20ms);
        }
        spdlog::warn("redis-server (pid {}) did not exit within {} s of SIGTERM; killing it", pid,
                     stop_grace.count());
        kill();
    }

    // SIGKILL, and returns once it is reaped.
    void kill() {
        if (pid_ == 0 || exited()) return;
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = 0;
    }

  private:
    pid_t pid_;
};

// A client when the server answers PING with PONG; nullopt while it does not (yet).
std::optional<redis_client> try_ping(const std::string& url, std::chrono::milliseconds timeout) {
    try {
        auto client = redis_client::connect(url, timeout);
        const auto reply = client.command({"PING"});
        if (reply.kind == redis_reply::type::status && reply.str == "PONG") return client;
    } catch (const redis_error&) {
        // Not listening yet, or gone: the caller decides by its deadline and the process state.
    }
    return std::nullopt;
}

// redis_version from INFO server, or nullopt when the server hides it (INFO renamed or
// disabled on a managed server).
std::optional<std::string> server_version(redis_client& client) {
    try {
        const auto reply = client.command({"INFO", "server"});
        if (reply.kind != redis_reply::type::string) return std::nullopt;
        constexpr std::string_view key = "redis_version:";
        const auto at = reply.str.find(key);
        if (at == std::string::npos) return std::nullopt;
        const auto start = at + key.size();
        const auto end = reply.str.find_first_of("\r\n", start);
        return reply.str.substr(start, end == std::string::npos ? end : end - start);
    } catch (const redis_error&) {
        return std::nullopt;
    }
}

// A redis-server started with `dir`/redis.conf (written by write_config), its early output
// appended to server.log.
struct spawned_server {
    std::unique_ptr<owned_child> child;
    std::streamoff log_start = 0;  // where this start's lines begin in server.log
};

spawned_server spawn_server(const fs::path& program, const fs::path& dir) {
    const fs::path log = dir / "server.log";
    spawned_server server;
    server.log_start = file_size_or_zero(log);
    // Redis writes to server.log once it has read its config; what it says before that
    // (a config it refuses) goes to stdout and stderr, appended to the same file.
    const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) {
        throw std::runtime_error(
            fmt::format("cannot open {}: {}", log.string(), std::strerror(errno)));
    }
    child_stdio stdio;
    stdio.stdout_fd = log_fd;
    // Ctrl-C on the terminal must not stop Redis under a run that is still draining: the run
    // stops it at its end.
    stdio.own_process_group = true;
    pid_t pid = 0;
    try {
        pid = spawn_child({program.string(), (dir / "redis.conf").string()}, stdio);
    } catch (...) {
        ::close(log_fd);
        throw;
    }
    ::close(log_fd);
    server.child = std::make_unique<owned_child>(pid);
    return server;
}

// Waits for `server` to answer PING on 127.0.0.1:`port`: returns a client once it does, or how
// the process ended (it is reaped) when it exited first. Throws, having stopped it, when neither
// happened within start_timeout.
std::variant<redis_client, std::string> await_ready(spawned_server& server, const fs::path& dir,
                                                    std::uint16_t port) {
    const std::string url = fmt::format("redis://127.0.0.1:{}", port);
    const auto deadline = std::chrono::steady_clock::now() + start_timeout;
    while (true) {
        if (auto client = try_ping(url, ping_timeout)) return std::move(*client);
        if (auto how = server.child->exited()) return std::move(*how);
        if (std::chrono::steady_clock::now() >= deadline) {
            server.child->stop();
            throw std::runtime_error(fmt::format(
                "redis-server gave no PONG on 127.0.0.1:{} within {} s (stopped it); last lines "
                "of its log:\n{}",
                port, start_timeout.count(),
                log_tail(dir / "server.log", server.log_start, log_tail_lines)));
        }
        std::this_thread::sleep_for(poll_interval);
    }
}

class embedded_redis final : public redis_service {
  public:
    embedded_redis(fs::path program, fs::path dir, std::uint16_t port,
                   std::unique_ptr<owned_child> child, const std::string& version)
        : program_(std::move(program)),
          dir_(std::move(dir)),
          port_(port),
          url_(fmt::format("redis://127.0.0.1:{}", port)),
          description_(fmt::format("redis-server {} started for this run at 127.0.0.1:{} (no "
                                   "persistence)",
                                   version, port)),
          child_(std::move(child)) {}
    ~embedded_redis() override {
        const std::lock_guard lock(mutex_);
        if (!child_) return;
        const pid_t pid = child_->pid();
        child_->stop();
        spdlog::debug("redis-server (pid {}) at {} stopped", pid, url_);
    }

    std::string url() const override { return url_; }
    std::string description() const override { return description_; }
    bool can_restart() const override { return true; }

    void take_down(stop_kind how) override {
        const std::lock_guard lock(mutex_);
        if (!child_) return;
        const pid_t pid = child_->pid();
        if (how == stop_kind::kill) {
            child_->kill();
        } else {
            // SIGTERM makes Redis shut down as SHUTDOWN does, saving only when snapshots are
            // configured, and ours has none (save ""): this is SHUTDOWN NOSAVE, without needing
            // a connection to a server that may be wedged, and with SIGKILL after stop_grace.
            child_->stop();
        }
        child_.reset();
        spdlog::info("redis-server (pid {}) at 127.0.0.1:{} {}", pid, port_,
                     how == stop_kind::kill ? "killed (SIGKILL)" : "stopped (SIGTERM)");
    }

    void bring_up() override {
        const std::lock_guard lock(mutex_);
        if (child_ && !child_->exited()) return;
        child_.reset();
        // The same redis.conf, hence the same port, directory and settings. No other port is
        // tried: clients hold url(). Redis binds with SO_REUSEADDR, so the old server's
        // connections in TIME_WAIT do not stand in the way.
        auto server = spawn_server(program_, dir_);
        auto ready = await_ready(server, dir_, port_);
        if (const auto* how = std::get_if<std::string>(&ready)) {
            throw std::runtime_error(fmt::format(
                "redis-server exited while restarting ({}) on 127.0.0.1:{}; last lines of its "
                "log:\n{}",
                *how, port_, log_tail(dir_ / "server.log", server.log_start, log_tail_lines)));
        }
        child_ = std::move(server.child);
        spdlog::info("redis-server at 127.0.0.1:{} restarted as pid {}", port_, child_->pid());
    }

  private:
    const fs::path program_;
    const fs::path dir_;
    const std::uint16_t port_;
    const std::string url_;
    const std::string description_;
    std::mutex mutex_;                    // guards child_
    std::unique_ptr<owned_child> child_;  // nullptr while taken down
};

class external_redis final : public redis_service {
  public:
    external_redis(std::string url, std::string address, std::string description)
        : url_(std::move(url)),
          address_(std::move(address)),
          description_(std::move(description)) {}
    std::string url() const override { return url_; }
    std::string description() const override { return description_; }
    bool can_restart() const override { return false; }
    void take_down(stop_kind) override { throw not_ours(); }
    void bring_up() override { throw not_ours(); }

  private:
    std::runtime_error not_ours() const {
        return std::runtime_error(fmt::format(
            "redis_down needs the Redis the harness starts (--redis embedded): Redis at {} was "
            "given with --redis, and the harness never stops or restarts a server it does not own",
            address_));
    }

    std::string url_;
    std::string address_;
    std::string description_;
};

// One attempt on one port. Returns the running server, or nullptr when the port was taken in
// the meantime (worth another port) and this is not the last attempt. Throws otherwise.
std::unique_ptr<redis_service> start_on_port(const fs::path& program, const fs::path& dir,
                                             std::uint16_t port, bool last_attempt) {
    write_config(dir, port);
    auto server = spawn_server(program, dir);
    auto ready = await_ready(server, dir, port);
    if (auto* client = std::get_if<redis_client>(&ready)) {
        const auto version = server_version(*client).value_or("(version unknown)");
        std::ofstream(dir / "url.txt", std::ios::trunc)
            << fmt::format("redis://127.0.0.1:{}", port) << "\n";
        return std::make_unique<embedded_redis>(program, dir, port, std::move(server.child),
                                                version);
    }
    const auto tail = log_tail(dir / "server.log", server.log_start, log_tail_lines);
    if (!last_attempt && tail.find("Address already in use") != std::string::npos) {
        spdlog::debug("port {} was taken before redis-server bound it; trying another", port);
        return nullptr;
    }
    throw std::runtime_error(
        fmt::format("redis-server exited during startup ({}) on 127.0.0.1:{}; last lines "
                    "of its log:\n{}",
                    std::get<std::string>(ready), port, tail));
}

}  // namespace

redis_service::~redis_service() = default;

std::variant<redis_choice, std::string> parse_redis_option(std::string_view text) {
    redis_choice choice;
    if (text == "embedded") return choice;
    std::string url;
    if (text.starts_with("redis://")) {
        url = std::string(text);
    } else if (text.find("://") != std::string_view::npos) {
        return fmt::format(
            "--redis: {} is not a redis:// URL (TLS and Unix sockets are not "
            "supported); give {}",
            quotable(text), accepted_forms);
    } else {
        // HOST:PORT with the port spelled out: a typo such as "embeded" must not become a host
        // on Redis's default port.
        const auto colon = text.rfind(':');
        const auto bracket = text.rfind(']');
        const bool host_port =
            colon != std::string_view::npos && colon > 0 && colon + 1 < text.size() &&
            (bracket == std::string_view::npos || bracket < colon) &&
            text.find_first_not_of("0123456789", colon + 1) == std::string_view::npos &&
            text.find_first_of("/@") == std::string_view::npos;
        if (!host_port) return fmt::format("--redis: {} is not {}", quotable(text), accepted_forms);
        url = "redis://" + std::string(text);
    }
    try {
        parse_redis_url(url);
    } catch (const redis_error& e) {
        // Its own hint names the URL form only; the message ends with all the forms instead.
        std::string_view why = e.what();
        constexpr std::string_view url_hint = " (expected redis://HOST[:PORT][/DB])";
        if (why.ends_with(url_hint)) why.remove_suffix(url_hint.size());
        return fmt::format("--redis: {}; give {}", why, accepted_forms);
    }
    choice.type = redis_choice::kind::external;
    choice.url = std::move(url);
    return choice;
}

std::unique_ptr<redis_service> start_embedded_redis(const std::filesystem::path& dir) {
    const auto program = find_on_path("redis-server");
    if (!program) {
        throw std::runtime_error(
            "this scenario uses Redis, and no redis-server is on PATH to start one: install it "
            "with `apt-get install -y redis-server` (or scripts/install-deps.sh), or give a "
            "running server with --redis HOST:PORT");
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    // Absolute: redis-server changes into `dir`, and its config names the log and pid file.
    const fs::path where = ec ? dir : fs::absolute(dir, ec);
    if (ec) {
        throw std::runtime_error(
            fmt::format("cannot create {} for redis-server: {}", dir.string(), ec.message()));
    }
    for (int attempt = 1; attempt <= port_attempts; ++attempt) {
        const auto port = free_loopback_port();
        spdlog::debug("starting {} on 127.0.0.1:{} in {}", program->string(), port, where.string());
        if (auto service = start_on_port(*program, where, port, attempt == port_attempts)) {
            return service;
        }
    }
    // start_on_port throws on its last attempt rather than returning nullptr.
    throw std::logic_error("start_embedded_redis: no attempt left");
}

std::unique_ptr<redis_service> connect_external_redis(const std::string& url,
                                                      std::chrono::seconds timeout) {
    redis_endpoint endpoint;
    try {
        endpoint = parse_redis_url(url);
    } catch (const redis_error& e) {
        throw std::runtime_error(std::string("--redis: ") + e.what());
    }
    const std::string address = endpoint.address();
    const std::string context = fmt::format("cannot use Redis at {} (given with --redis)", address);
    try {
        auto client = redis_client::connect(url, timeout);
        const auto pong = client.command({"PING"});
        if (pong.kind != redis_reply::type::status || pong.str != "PONG") {
            throw std::runtime_error(
                fmt::format("{}: it answered PING with '{}', not PONG", context, pong.str));
        }
        const auto version = server_version(client);
        std::string description =
            version ? fmt::format("Redis {} at {}", *version, address) : "Redis at " + address;
        if (endpoint.db != 0) description += fmt::format(", database {}", endpoint.db);
        description += " (given with --redis)";
        return std::make_unique<external_redis>(url, address, std::move(description));
    } catch (const redis_error& e) {
        // redis_error's text starts with "redis HOST:PORT: ", which `context` says already.
        std::string_view reason = e.what();
        const std::string prefix = "redis " + address + ": ";
        if (reason.starts_with(prefix)) reason.remove_prefix(prefix.size());
        throw std::runtime_error(fmt::format("{}: {}", context, reason));
    }
}

}  // namespace asyncbench
