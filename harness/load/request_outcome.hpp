#pragma once
// How one request ended, classified the way wrk counts errors (connect, timeout, read/write,
// status). Pure: the load generator passes in what its socket reported, so every rule here is
// tested without sockets.
#include <boost/system/error_code.hpp>

#include "harness/result/run_result.hpp"

namespace asyncbench {

// `rejected` is a 409: the workflow refused the request as a business answer (out of stock).
// It is a correct, final answer, counted apart from the errors and never retried.
enum class request_outcome {
    ok,
    rejected,
    status_4xx,
    status_5xx,
    connect_error,
    timeout,
    io_error
};

// Where the exchange was when it ended; `done` means a whole response was read.
enum class exchange_stage { connect, write, read, done };

// Rules, first match wins:
//  - any error while connecting (refused, unreachable, or its deadline) -> connect_error: no
//    connection was ever usable, which is what error_counts::connect means;
//  - beast::error::timeout on write or read -> timeout;
//  - any other write/read error (reset, EOF, parse error) -> io_error;
//  - a complete response: 2xx -> ok, 409 -> rejected, other 4xx -> status_4xx, 5xx -> status_5xx.
//  Any other status
//    (1xx, 3xx, out of range) is not an answer an API client can use and error_counts has no
//    slot for it, so it counts as io_error.
// Never throws.
request_outcome classify_outcome(exchange_stage stage, const boost::system::error_code& ec,
                                 int status) noexcept;

// Adds one to the matching counter of `errors`; ok changes nothing.
void count_outcome(error_counts& errors, request_outcome outcome) noexcept;

// Whether the connection must be closed and reopened before the next request: after any
// transport failure the stream's state is unknown.
bool needs_reconnect(request_outcome outcome) noexcept;

}  // namespace asyncbench
