#include "harness/load/request_outcome.hpp"

#include <boost/beast/core/error.hpp>

namespace asyncbench {

request_outcome classify_outcome(exchange_stage stage, const boost::system::error_code& ec,
                                 int status) noexcept {
    if (stage == exchange_stage::connect) {
        return request_outcome::connect_error;
    }
    if (stage != exchange_stage::done || ec) {
        return ec == boost::beast::error::timeout ? request_outcome::timeout
                                                  : request_outcome::io_error;
    }
    if (status >= 200 && status < 300) {
        return request_outcome::ok;
    }
    if (status == 409) {
        return request_outcome::rejected;
    }
    if (status >= 400 && status < 500) {
        return request_outcome::status_4xx;
    }
    if (status >= 500 && status < 600) {
        return request_outcome::status_5xx;
    }
    return request_outcome::io_error;
}

void count_outcome(error_counts& errors, request_outcome outcome) noexcept {
    switch (outcome) {
        case request_outcome::ok:
        case request_outcome::rejected:
            break;
        case request_outcome::status_4xx:
            ++errors.status_4xx;
            break;
        case request_outcome::status_5xx:
            ++errors.status_5xx;
            break;
        case request_outcome::connect_error:
            ++errors.connect;
            break;
        case request_outcome::timeout:
            ++errors.timeout;
            break;
        case request_outcome::io_error:
            ++errors.io;
            break;
    }
}

bool needs_reconnect(request_outcome outcome) noexcept {
    return outcome == request_outcome::connect_error || outcome == request_outcome::timeout ||
           outcome == request_outcome::io_error;
}

}  // namespace asyncbench
