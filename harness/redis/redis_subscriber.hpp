#pragma once
// A blocking Redis Pub/Sub subscriber on hiredis's synchronous API, for scenarios whose watchers
// follow state changes published on a channel (incident-alert's watchers of incident states).
//
// Why its own class and not redis_client: a subscribed connection accepts no ordinary commands,
// the server speaks first, and waiting for the next message must not ruin the connection. A
// blocking hiredis context whose socket read timeout expires is left with `err` set and cannot
// be used again, so waits are done with poll(2) on the socket and hiredis only ever reads data
// that is already there.
//
// Why blocking: as for redis_client (see redis_client.hpp), the harness's steps and watchers run
// on blocking threads, one connection per thread.
//
// Thread-safety: none. One redis_subscriber per thread; it may be moved to another thread between
// calls. hiredis itself stays out of this header.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "harness/redis/redis_client.hpp"

struct redisContext;

namespace asyncbench {

class redis_subscriber {
  public:
    // Connects to `url` (redis://HOST:PORT[/DB]; Pub/Sub channels are server-wide, so DB does not
    // matter and is not SELECTed), SUBSCRIBEs to `channel` (binary-safe) and waits for the
    // server's confirmation, so no message published after this returns is missed. `timeout`
    // bounds the TCP connect and, separately, sending SUBSCRIBE and receiving the confirmation.
    // Throws redis_error naming host:port and the reason: kind::bad_url, kind::connect,
    // kind::timeout (no confirmation in time), kind::io (the connection broke) or kind::protocol
    // (the server refused SUBSCRIBE, e.g. for ACLs).
    static redis_subscriber subscribe(const std::string& url, const std::string& channel,
                                      std::chrono::milliseconds timeout);

    redis_subscriber(redis_subscriber&&) noexcept;
    redis_subscriber& operator=(redis_subscriber&&) noexcept;
    ~redis_subscriber();

    // The payload (binary-safe) of the next message published on the channel, in publishing
    // order, waiting at most `wait` (0: only what has already arrived). nullopt when none came in
    // time; the connection stays usable. Other replies (subscribe confirmations) are skipped.
    // Throws redis_error(kind::io) when the server closed the connection or it broke, and
    // redis_error(kind::protocol) when the server sent what is not RESP; either way the
    // subscriber is closed (is_open() false) and must be replaced: messages published while no
    // subscriber listens are lost, which is Pub/Sub's contract. Also throws kind::io when called
    // on a closed subscriber.
    std::optional<std::string> next(std::chrono::milliseconds wait);

    // Closes the connection at once (a watcher that disconnects); the server drops the
    // subscription. Idempotent.
    void close();
    bool is_open() const { return context_ != nullptr; }

    const redis_endpoint& endpoint() const { return endpoint_; }
    const std::string& channel() const { return channel_; }

  private:
    struct context_deleter {
        void operator()(redisContext* context) const;
    };
    using context_ptr = std::unique_ptr<redisContext, context_deleter>;

    redis_subscriber(redis_endpoint endpoint, std::string channel);
    // Waits in poll(2) until the socket is readable, then hands what it holds to hiredis's
    // reader and returns true; false when `deadline` passed first. Throws (closing) when the
    // connection broke.
    bool receive_until(std::chrono::steady_clock::time_point deadline);
    [[noreturn]] void fail(redis_error::kind kind, const std::string& reason);

    redis_endpoint endpoint_;
    std::string channel_;
    context_ptr context_;
};

}  // namespace asyncbench
