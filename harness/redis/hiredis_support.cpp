#include "harness/redis/hiredis_support.hpp"

#include <string>

namespace asyncbench::hiredis {

timeval to_timeval(std::chrono::milliseconds timeout) {
    const auto ms = timeout.count() > 0 ? timeout.count() : 1;
    return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

redisContext* connect(const redis_endpoint& endpoint, std::chrono::milliseconds timeout) {
    const std::string where = "redis " + endpoint.address();
    redisContext* context =
        redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, to_timeval(timeout));
    if (context == nullptr) {
        throw redis_error(redis_error::kind::connect, where + ": cannot allocate a connection");
    }
    if (context->err != 0) {
        // hiredis reports a connect timeout as an I/O error with errno's text.
        const std::string reason = context->errstr;
        redisFree(context);
        throw redis_error(redis_error::kind::connect, where + ": cannot connect: " + reason +
                                                          " (connect timeout " +
                                                          std::to_string(timeout.count()) + " ms)");
    }
    return context;
}

}  // namespace asyncbench::hiredis
