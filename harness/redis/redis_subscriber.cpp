#include "harness/redis/redis_subscriber.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string_view>
#include <utility>

#include "harness/redis/hiredis_support.hpp"

namespace asyncbench {
namespace {

using hiredis::reply_ptr;
using hiredis::to_timeval;

// The next complete reply in hiredis's buffer, without touching the socket; nullptr when none
// is complete yet. Sets `broken` when the buffered bytes are not RESP (context->errstr says why).
reply_ptr take_buffered(redisContext* context, bool& broken) {
    void* raw = nullptr;
    broken = redisGetReplyFromReader(context, &raw) != REDIS_OK;
    return reply_ptr(static_cast<redisReply*>(raw));
}

// An array reply whose first element is the string `kind` ("message", "subscribe", ...).
bool is_push(const redisReply& reply, std::string_view kind, std::size_t elements) {
    if (reply.type != REDIS_REPLY_ARRAY || reply.elements != elements) return false;
    const redisReply& first = *reply.element[0];
    return first.type == REDIS_REPLY_STRING && std::string_view(first.str, first.len) == kind;
}

}  // namespace

void redis_subscriber::context_deleter::operator()(redisContext* context) const {
    redisFree(context);
}

redis_subscriber::redis_subscriber(redis_endpoint endpoint, std::string channel)
    : endpoint_(std::move(endpoint)), channel_(std::move(channel)) {}

redis_subscriber::redis_subscriber(redis_subscriber&&) noexcept = default;
redis_subscriber& redis_subscriber::operator=(redis_subscriber&&) noexcept = default;
redis_subscriber::~redis_subscriber() = default;

redis_subscriber redis_subscriber::subscribe(const std::string& url, const std::string& channel,
                                             std::chrono::milliseconds timeout) {
    redis_subscriber subscriber(parse_redis_url(url), channel);
    const std::string where = "redis " + subscriber.endpoint_.address();
    context_ptr context(hiredis::connect(subscriber.endpoint_, timeout));
    // A send timeout only: reads always wait in poll(2) first (see the header), and a server
    // that does not even take our SUBSCRIBE must not block the thread forever.
    const timeval send_timeout = to_timeval(timeout);
    if (::setsockopt(context->fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout) !=
        0) {
        throw redis_error(redis_error::kind::connect,
                          where + ": cannot set the send timeout: " + std::strerror(errno));
    }
    subscriber.context_ = std::move(context);
    redisContext* c = subscriber.context_.get();
    const std::string quoted = "'" + channel + "'";

    const char* argv[] = {"SUBSCRIBE", channel.empty() ? "" : channel.data()};
    const std::size_t lengths[] = {9, channel.size()};
    if (redisAppendCommandArgv(c, 2, argv, lengths) != REDIS_OK) {
        subscriber.fail(redis_error::kind::protocol,
                        "cannot encode SUBSCRIBE " + quoted + ": " + c->errstr);
    }
    for (int done = 0; done == 0;) {
        errno = 0;
        if (redisBufferWrite(c, &done) != REDIS_OK) {
            const bool timed_out = errno == EAGAIN || errno == EWOULDBLOCK;
            subscriber.fail(timed_out ? redis_error::kind::timeout : redis_error::kind::io,
                            "cannot send SUBSCRIBE " + quoted +
                                (timed_out ? " within " + std::to_string(timeout.count()) + " ms"
                                           : std::string(": ") + c->errstr));
        }
    }

    // Redis answers SUBSCRIBE before delivering any message on the channel, so the first reply
    // is the confirmation or a refusal.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        bool broken = false;
        if (auto reply = take_buffered(c, broken)) {
            if (is_push(*reply, "subscribe", 3)) return subscriber;
            const std::string text =
                reply->type == REDIS_REPLY_ERROR || reply->type == REDIS_REPLY_STATUS
                    ? std::string(reply->str, reply->len)
                    : "a reply of type " + std::to_string(reply->type);
            subscriber.fail(redis_error::kind::protocol,
                            "SUBSCRIBE " + quoted + " answered with " + text);
        }
        if (broken) subscriber.fail(redis_error::kind::protocol, c->errstr);
        if (!subscriber.receive_until(deadline)) {
            subscriber.fail(redis_error::kind::timeout,
                            "no confirmation of SUBSCRIBE " + quoted + " within " +
                                std::to_string(timeout.count()) + " ms");
        }
    }
}

std::optional<std::string> redis_subscriber::next(std::chrono::milliseconds wait) {
    if (!context_) {
        throw redis_error(redis_error::kind::io, "redis " + endpoint_.address() +
                                                     ": the subscriber to channel '" + channel_ +
                                                     "' is closed");
    }
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (true) {
        // Replies already buffered first: one read may have brought several messages, and the
        // socket would not show them as readable.
        bool broken = false;
        while (auto reply = take_buffered(context_.get(), broken)) {
            if (is_push(*reply, "message", 3)) {
                const redisReply& payload = *reply->element[2];
                if (payload.type == REDIS_REPLY_STRING)
                    return std::string(payload.str, payload.len);
            }
        }
        if (broken) fail(redis_error::kind::protocol, context_->errstr);
        if (!receive_until(deadline)) return std::nullopt;
    }
}

void redis_subscriber::close() { context_.reset(); }

bool redis_subscriber::receive_until(std::chrono::steady_clock::time_point deadline) {
    while (true) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const int wait_ms =
            left.count() <= 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), INT_MAX));
        pollfd entry{context_->fd, POLLIN, 0};
        const int ready = ::poll(&entry, 1, wait_ms);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) {
            fail(redis_error::kind::io, std::string("poll: ") + std::strerror(errno));
        }
        if (ready == 0) return false;
        // Readable, or a hang-up or error: the read below returns at once either way, with data,
        // EOF ("Server closed the connection") or the socket's error.
        if (redisBufferRead(context_.get()) != REDIS_OK) {
            const bool gone = context_->err == REDIS_ERR_EOF || context_->err == REDIS_ERR_IO;
            fail(gone ? redis_error::kind::io : redis_error::kind::protocol,
                 "subscription to channel '" + channel_ + "' broken (" + context_->errstr + ")");
        }
        return true;
    }
}

void redis_subscriber::fail(redis_error::kind kind, const std::string& reason) {
    close();
    throw redis_error(kind, "redis " + endpoint_.address() + ": " + reason);
}

}  // namespace asyncbench
