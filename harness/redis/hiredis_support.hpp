#pragma once
// What redis_client and redis_subscriber share on top of hiredis: owning its replies, its
// timeouts, and a connection made or refused with one wording. Internal to harness/redis:
// include it only from harness/redis/*.cpp (it brings hiredis in). Thread-safety: none needed
// (free functions, no state).
#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <chrono>
#include <memory>

#include "harness/redis/redis_client.hpp"

namespace asyncbench::hiredis {

struct reply_deleter {
    void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

// At least 1 ms: hiredis reads a zero timeout as "none".
timeval to_timeval(std::chrono::milliseconds timeout);

// A connected context the caller owns (redisFree), `timeout` bounding the TCP connect. Throws
// redis_error(kind::connect) naming host:port and hiredis's reason (e.g. "Connection refused").
redisContext* connect(const redis_endpoint& endpoint, std::chrono::milliseconds timeout);

}  // namespace asyncbench::hiredis
