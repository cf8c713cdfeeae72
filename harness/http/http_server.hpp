#pragma once
// An HTTP/1.1 server on Boost.Beast with C++20 coroutines: one coroutine per connection,
// keep-alive, a deadline on every read, a body limit, and a handler deadline. Handlers get
// plain http_request values (harness/http/http_types.hpp) and answer through respond_fn from
// any thread. Malformed HTTP gets 400, an over-limit body 413, a handler that never answers
// within handler_timeout 504; the server keeps serving in all cases. Beyond max_connections
// open at once, a new connection is accepted and closed at once (the client reads end of
// stream before any answer): refused cleanly and counted, never left hanging in the backlog.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "harness/http/http_types.hpp"

namespace asyncbench {

struct http_server_options {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;  // 0 = any free port; see http_server::port()
    std::size_t body_limit_bytes = 64 * 1024;
    std::chrono::milliseconds read_timeout{10000};  // per request head+body
    std::chrono::milliseconds handler_timeout{120000};
    int io_threads = 1;
    // Connections open at once; each costs a descriptor, so thousands of idle clients cannot
    // starve the process of them (raise_descriptor_limit() gives it room for this many).
    std::size_t max_connections = 10'000;
    std::string name = "http";  // used in error messages
    // The I/O threads' name (at most 15 characters are kept): the cost sampler tells the front
    // door's threads from the mocks' by it (harness/core/thread_name.hpp).
    std::string thread_name = "http-io";
};

class http_server {
  public:
    // Binds and listens immediately. Throws std::runtime_error naming the address and port
    // when the port is in use or cannot be bound.
    http_server(http_server_options options, http_handler handler);
    ~http_server();  // stop()
    http_server(const http_server&) = delete;
    http_server& operator=(const http_server&) = delete;

    std::uint16_t port() const;
    // Connections closed unserved because max_connections were open, or the process had no
    // descriptor left to accept them with. Thread-safe.
    std::uint64_t refused_connections() const;
    void start();  // starts the I/O threads; returns at once
    void stop();   // closes the listener and every connection, joins the threads; idempotent

    // false: close the listening socket so new connections are refused (an outage);
    // true: listen again on the same port. Established connections are closed too when false.
    void set_accepting(bool accepting);

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace asyncbench
