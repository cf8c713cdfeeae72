#pragma once
// Redis for one run, for scenarios that declare Redis keys (scenario_config::uses_redis()):
// either a throwaway redis-server (Debian's package) started as our child process and stopped
// when the run ends, or a server the user names with --redis that is used as it is and left
// running. The settings of the throwaway server are those of scripts/redis/start.sh (loopback
// only, no persistence), so a run and the scripts' servers measure the same thing.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace asyncbench {

struct redis_choice {
    enum class kind { embedded, external };
    kind type = kind::embedded;
    std::string url;  // external: redis://HOST:PORT[/DB], the bare HOST:PORT form normalised
};

// "embedded" | "HOST:PORT" | "redis://HOST[:PORT][/DB]" (checked with parse_redis_url). Returns
// an error text naming the accepted forms otherwise; it never repeats a password.
std::variant<redis_choice, std::string> parse_redis_option(std::string_view text);

// A Redis server the run's modes may use. url() and description() return values fixed at
// construction (a restart keeps them), so they may be called from any thread; take_down() and
// bring_up() may be called from any thread too (a fault's), and wait for each other; destruction
// is not thread-safe.
class redis_service {
  public:
    // How a redis_down fault takes the server away: `stop` is a clean shutdown without saving
    // (SHUTDOWN NOSAVE, as an operator's restart), `kill` is SIGKILL (a crash). Either way the
    // server holds no persistence, so every key is gone when it comes back.
    enum class stop_kind { stop, kill };

    virtual ~redis_service();
    // redis://HOST:PORT[/DB], what redis_client::connect takes.
    virtual std::string url() const = 0;
    // One line for the reports: which server, its version, where, and who started it.
    virtual std::string description() const = 0;

    // Whether this run owns the server and can stop and restart it (embedded: yes; external: no).
    virtual bool can_restart() const = 0;
    // Takes the server down; returns once it no longer accepts connections (the process reaped).
    // Clients' connections break (redis_client's next command throws or reconnects and fails;
    // redis_subscriber::next throws). Does nothing when already down. Throws std::runtime_error
    // when !can_restart().
    virtual void take_down(stop_kind how) = 0;
    // Starts it again on the same port and directory with the same config, so url() stays valid
    // and clients reconnect to it; returns once it answers PING (within 10 s). Does nothing when
    // it is up. Throws std::runtime_error with the last lines of its log when it does not come
    // back (it is then down), and when !can_restart().
    virtual void bring_up() = 0;
};

// Starts redis-server (found on PATH) on 127.0.0.1 and a free port, without persistence
// (save "", appendonly no), its redis.conf, pid file, log (server.log) and working files in
// `dir` (created when missing), and returns once it answers PING (within 10 s). The returned
// object owns the process: a redis_down fault may take it down and bring it up again (on the
// same port), and the destructor sends SIGTERM and, after 5 s, SIGKILL. Should the
// harness die first, scripts/redis/stop.sh --dir `dir` stops the server. Throws
// std::runtime_error saying how to install redis-server when it is not on PATH, and with the
// last lines of its log when it does not start.
std::unique_ptr<redis_service> start_embedded_redis(const std::filesystem::path& dir);

// A running server at `url` (redis://..., as parse_redis_option returns), used as it is and
// never stopped (can_restart() is false: redis_down faults need the embedded server). `timeout`
// bounds the connect and the PING. Throws std::runtime_error naming the address when the server
// does not answer PING.
std::unique_ptr<redis_service> connect_external_redis(const std::string& url,
                                                      std::chrono::seconds timeout);

}  // namespace asyncbench
