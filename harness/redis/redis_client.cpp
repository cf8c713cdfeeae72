#include "harness/redis/redis_client.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/time.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

#include "harness/redis/hiredis_support.hpp"

namespace asyncbench {
namespace {

using hiredis::reply_ptr;
using hiredis::to_timeval;

redis_reply convert(const redisReply& raw) {
    redis_reply reply;
    switch (raw.type) {
        case REDIS_REPLY_STRING:
            reply.kind = redis_reply::type::string;
            reply.str.assign(raw.str, raw.len);
            break;
        case REDIS_REPLY_STATUS:
            reply.kind = redis_reply::type::status;
            reply.str.assign(raw.str, raw.len);
            break;
        case REDIS_REPLY_ERROR:
            reply.kind = redis_reply::type::error;
            reply.str.assign(raw.str, raw.len);
            break;
        case REDIS_REPLY_INTEGER:
            reply.kind = redis_reply::type::integer;
            reply.integer = raw.integer;
            break;
        case REDIS_REPLY_ARRAY:
            reply.kind = redis_reply::type::array;
            reply.elements.reserve(raw.elements);
            for (std::size_t i = 0; i < raw.elements; ++i) {
                reply.elements.push_back(convert(*raw.element[i]));
            }
            break;
        default:  // REDIS_REPLY_NIL; hiredis 0.14 speaks RESP2 only, so nothing else arrives
            reply.kind = redis_reply::type::nil;
            break;
    }
    return reply;
}

redis_error bad_url(std::string_view url, std::string_view why) {
    return redis_error(redis_error::kind::bad_url, "redis URL '" + std::string(url) +
                                                       "': " + std::string(why) +
                                                       " (expected redis://HOST[:PORT][/DB])");
}

// True when the idle connection has something to read or a hang-up: outside pub/sub the
// server never speaks first, so that means it closed the connection (EOF) or reset it.
bool closed_while_idle(int fd) {
    pollfd entry{fd, POLLIN, 0};
    const int ready = ::poll(&entry, 1, 0);
    return ready != 0;  // -1 (an unusable fd) counts as closed too
}

}  // namespace

std::string redis_endpoint::address() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

redis_endpoint parse_redis_url(std::string_view url) {
    constexpr std::string_view scheme = "redis://";
    if (!url.starts_with(scheme)) throw bad_url(url, "not a redis:// URL");
    std::string_view rest = url.substr(scheme.size());
    if (const auto at = rest.find('@'); at != std::string_view::npos) {
        // Not quoted whole: what precedes '@' may be a password.
        throw redis_error(redis_error::kind::bad_url,
                          "redis URL 'redis://...@" + std::string(rest.substr(at + 1)) +
                              "': user names and passwords are not supported");
    }
    if (rest.find_first_of("?#") != std::string_view::npos) {
        throw bad_url(url, "query parameters are not supported");
    }
    redis_endpoint endpoint;
    std::string_view authority = rest.substr(0, rest.find('/'));
    std::string_view path =
        authority.size() < rest.size() ? rest.substr(authority.size() + 1) : std::string_view{};

    std::string_view port_text;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) throw bad_url(url, "unclosed '[' in the host");
        endpoint.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (!after.starts_with(':')) throw bad_url(url, "unexpected text after ']'");
            port_text = after.substr(1);
            if (port_text.empty()) throw bad_url(url, "empty port");
        }
    } else {
        const auto colon = authority.find(':');
        endpoint.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.empty()) throw bad_url(url, "empty port");
        }
    }
    if (endpoint.host.empty()) throw bad_url(url, "no host");
    if (!port_text.empty()) {
        unsigned port = 0;
        auto [end, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
            port > 65535) {
            throw bad_url(url, "port must be a number from 1 to 65535");
        }
        endpoint.port = static_cast<std::uint16_t>(port);
    }
    if (!path.empty()) {
        auto [end, ec] = std::from_chars(path.data(), path.data() + path.size(), endpoint.db);
        if (ec != std::errc{} || end != path.data() + path.size() || endpoint.db < 0) {
            throw bad_url(url, "the path must be a database number (0, 1, ...)");
        }
    }
    return endpoint;
}

void redis_client::context_deleter::operator()(redisContext* context) const { redisFree(context); }

redis_client::redis_client(redis_endpoint endpoint, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {}

redis_client::redis_client(redis_client&&) noexcept = default;
redis_client& redis_client::operator=(redis_client&&) noexcept = default;
redis_client::~redis_client() = default;

redis_client redis_client::connect(const std::string& url, std::chrono::milliseconds timeout) {
    redis_client client(parse_redis_url(url), timeout);
    client.open();
    return client;
}

void redis_client::open() {
    context_.reset();
    const std::string where = "redis " + endpoint_.address();
    context_ptr context(hiredis::connect(endpoint_, timeout_));
    // The connect timeout does not cover later reads and writes; without this a stalled
    // server would block the worker thread forever.
    if (redisSetTimeout(context.get(), to_timeval(timeout_)) != REDIS_OK) {
        throw redis_error(redis_error::kind::connect,
                          where + ": cannot set the command timeout: " + context->errstr);
    }
    context_ = std::move(context);
    if (endpoint_.db != 0) {
        const std::string db = std::to_string(endpoint_.db);
        const char* argv[] = {"SELECT", db.c_str()};
        const std::size_t lengths[] = {6, db.size()};
        redis_reply reply = send(2, argv, lengths);
        if (reply.is_error()) {
            context_.reset();
            throw redis_error(redis_error::kind::connect,
                              where + ": SELECT " + db + " failed: " + reply.str);
        }
    }
}

void redis_client::ensure_connected() {
    if (context_ && !closed_while_idle(context_->fd)) return;
    // Either the last command broke the connection (and dropped it) or the server closed it
    // while idle: one new connection, and open() throws if that fails too.
    ++reconnects_;
    open();
}

redis_reply redis_client::send(int argc, const char** argv, const std::size_t* lengths) {
    errno = 0;
    reply_ptr reply(
        static_cast<redisReply*>(redisCommandArgv(context_.get(), argc, argv, lengths)));
    if (reply) return convert(*reply);

    // The connection is now in an unknown state (a late reply could be read as the answer to
    // the next command), so it is dropped whatever went wrong.
    const int saved_errno = errno;
    const int err = context_->err;
    const std::string reason = context_->errstr;
    context_.reset();
    const std::string where = "redis " + endpoint_.address() + ": ";
    // hiredis 0.14 reports SO_RCVTIMEO expiring as an I/O error with EAGAIN's text.
    const bool timed_out =
        saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || reason == std::strerror(EAGAIN);
    if (err == REDIS_ERR_IO && timed_out) {
        throw redis_error(redis_error::kind::timeout,
                          where + "no reply within " + std::to_string(timeout_.count()) +
                              " ms; the command may or may not have been applied");
    }
    if (err == REDIS_ERR_PROTOCOL || err == REDIS_ERR_OOM) {
        throw redis_error(redis_error::kind::protocol, where + reason);
    }
    throw redis_error(redis_error::kind::io, where + "connection broken (" +
                                                 (reason.empty() ? "EOF" : reason) +
                                                 "); the command may or may not have been applied");
}

redis_reply redis_client::command(std::span<const std::string_view> args) {
    if (args.empty()) {
        throw redis_error(redis_error::kind::protocol, "redis: command() needs a command name");
    }
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (std::string_view arg : args) {
        argv.push_back(arg.empty() ? "" : arg.data());  // never hand hiredis a null pointer
        lengths.push_back(arg.size());
    }
    ensure_connected();
    return send(static_cast<int>(args.size()), argv.data(), lengths.data());
}

redis_reply redis_client::command(std::initializer_list<std::string_view> args) {
    return command(std::span<const std::string_view>(args.begin(), args.size()));
}

redis_reply redis_client::command(std::span<const std::string> args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    return command(std::span<const std::string_view>(views));
}

}  // namespace asyncbench
