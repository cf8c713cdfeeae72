#pragma once
// A blocking HTTP/1.1 client for workflow steps, which run on blocking threads in both modes
// (sync worker pool, consumer workers). Keeps one keep-alive connection per endpoint and
// enforces a deadline on connect, write and read. One instance per thread; not thread-safe.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "harness/http/http_types.hpp"

namespace asyncbench {

struct http_call_result {
    enum class outcome { ok, connect_error, timeout, io_error };
    outcome result = outcome::io_error;
    int status = 0;  // when result == ok
    std::string body;
    std::string error;  // when result != ok
};

class blocking_http_client {
  public:
    blocking_http_client();
    ~blocking_http_client();
    blocking_http_client(const blocking_http_client&) = delete;
    blocking_http_client& operator=(const blocking_http_client&) = delete;

    http_call_result request(std::string_view method, std::string_view host, std::uint16_t port,
                             std::string_view target, const header_list& headers,
                             std::string_view body, std::chrono::milliseconds timeout);

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace asyncbench
