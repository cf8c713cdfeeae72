#pragma once
// A thin, blocking Redis client on hiredis's synchronous API, for scenarios that keep state in
// Redis (order-events rankings, coupon-rush "one per user", incident-alert dedup).
//
// Why blocking: the harness runs workflow steps on blocking threads in both modes (the sync
// baseline's worker pool and the Kafka pipeline's consumer workers, each holding one
// workflow_executor; see harness/workflow/workflow_executor.hpp), so one blocking connection
// per thread is the harness's I/O model, as for the PostgreSQL store and blocking_http_client.
// hiredis also ships no Boost.Asio adapter, and writing one would buy nothing on these threads.
//
// Thread-safety: none. One redis_client per thread; it may be moved to another thread between
// calls. hiredis itself stays out of this header.
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;

namespace asyncbench {

// Thrown for failures outside Redis's own error replies: a bad URL, no connection, a broken
// connection, a timeout. `kind` lets the hot path count failures by kind instead of parsing
// messages; what() always names host:port and the reason.
class redis_error : public std::runtime_error {
  public:
    enum class kind { bad_url, connect, io, timeout, protocol };

    redis_error(kind k, const std::string& message) : std::runtime_error(message), kind_(k) {}
    kind error_kind() const { return kind_; }

  private:
    kind kind_;
};

// One reply, copied out of hiredis (so it owns its bytes and outlives the client). `str` is
// binary-safe: it may hold NULs.
struct redis_reply {
    enum class type { string, integer, array, nil, status, error };

    type kind = type::nil;
    std::string str;                    // string, status ("OK") or error ("ERR ...") text
    std::int64_t integer = 0;           // integer replies
    std::vector<redis_reply> elements;  // array replies, in order; nil elements stay nil

    bool is_error() const { return kind == type::error; }
    bool is_nil() const { return kind == type::nil; }
};

// Where a redis:// URL points. Accepted: redis://HOST[:PORT][/DB], HOST an IPv4 address, a name
// or [IPv6]; PORT defaults to 6379, DB (0..) to 0. User names and passwords are rejected: the
// throwaway servers of scripts/redis have none, and a password must not end up in messages.
struct redis_endpoint {
    std::string host;
    std::uint16_t port = 6379;
    int db = 0;

    std::string address() const;  // "host:port", for messages
};

// Throws redis_error(kind::bad_url) saying what is wrong with `url`.
redis_endpoint parse_redis_url(std::string_view url);

class redis_client {
  public:
    // Connects (and SELECTs the URL's database when not 0). `timeout` bounds the TCP connect and,
    // separately, each command's send and each reply's receive. Throws redis_error naming
    // host:port and the reason (e.g. "Connection refused").
    static redis_client connect(const std::string& url, std::chrono::milliseconds timeout);

    redis_client(redis_client&&) noexcept;
    redis_client& operator=(redis_client&&) noexcept;
    ~redis_client();

    // Sends one command, arguments binary-safe (redisCommandArgv), and waits for its reply.
    // Redis's error replies ("WRONGTYPE ...", "ERR ...") come back as type::error, not thrown.
    //
    // A connection the server closed while idle (a restart, idle timeout) is noticed before
    // sending and replaced once, counted in reconnects(). A failure while a command is in flight
    // (I/O error, timeout) throws redis_error and drops the connection, so the next command
    // reconnects: the command is never resent, because it may already have been applied and an
    // INCR applied twice is a wrong count, not a retry. Throws when reconnecting fails.
    redis_reply command(std::initializer_list<std::string_view> args);
    redis_reply command(std::span<const std::string_view> args);
    redis_reply command(std::span<const std::string> args);

    // Connections made after the first one (by command()), since construction.
    std::uint64_t reconnects() const { return reconnects_; }
    const redis_endpoint& endpoint() const { return endpoint_; }

  private:
    struct context_deleter {
        void operator()(redisContext* context) const;
    };
    using context_ptr = std::unique_ptr<redisContext, context_deleter>;

    redis_client(redis_endpoint endpoint, std::chrono::milliseconds timeout);
    void open();
    void ensure_connected();
    redis_reply send(int argc, const char** argv, const std::size_t* lengths);

    redis_endpoint endpoint_;
    std::chrono::milliseconds timeout_;
    context_ptr context_;
    std::uint64_t reconnects_ = 0;
};

}  // namespace asyncbench
