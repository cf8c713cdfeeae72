// Thousands of clients at once at one server: it serves up to max_connections of them and
// closes the rest at once, so none hangs in the backlog and the server keeps serving.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>
#include <thread>
#include <vector>

#include "harness/core/descriptor_limit.hpp"
#include "harness/http/http_server.hpp"
#include "tests/support/raw_http_socket.hpp"

namespace asyncbench {
namespace {

using namespace std::chrono_literals;

using test::ask;
using test::connect_client;
using test::reply;

// Every request the tests send, and the answer that counts: the server below answers any
// request with 200.
constexpr std::string_view ping = "GET /ping HTTP/1.1\r\nHost: test\r\n\r\n";
constexpr std::string_view ok = "HTTP/1.1 200";

TEST(http_server, thousands_of_clients_are_served_or_refused_cleanly) {
    constexpr int clients = 3000;
    constexpr std::size_t most = 1000;
    // Both ends of every connection live in this process.
    if (raise_descriptor_limit().soft < 2 * clients + 200) {
        GTEST_SKIP() << "the descriptor limit (ulimit -Hn) is below " << 2 * clients + 200;
    }
    http_server_options options;
    options.max_connections = most;
    options.io_threads = 2;
    http_server server(options, [](http_request, respond_fn respond) {
        respond(http_response{200, "text/plain", {}, "pong"});
    });
    server.start();

    std::vector<int> fds;
    for (int i = 0; i < clients; ++i) {
        const int fd = connect_client(server.port());
        ASSERT_GE(fd, 0) << "connection " << i << ": " << std::strerror(errno);
        fds.push_back(fd);
    }
    // All of them idle and open; the server has taken `most` and closed the rest.
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (server.refused_connections() < clients - most &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(server.refused_connections(), clients - most);

    // Then all of them send at once: the ones taken are answered, the others read the end.
    std::size_t answered = 0, closed = 0, timed_out = 0;
    for (int fd : fds) {
        switch (ask(fd, ping, ok)) {
            case reply::answered:
                ++answered;
                break;
            case reply::closed:
                ++closed;
                break;
            case reply::timed_out:
                ++timed_out;
                break;
        }
    }
    EXPECT_EQ(answered, most);
    EXPECT_EQ(closed, clients - most);
    EXPECT_EQ(timed_out, 0u);
    for (int fd : fds) ::close(fd);

    // With its clients gone the server takes new ones again.
    reply again = reply::closed;
    for (int attempt = 0; attempt < 100 && again != reply::answered; ++attempt) {
        const int fd = connect_client(server.port());
        ASSERT_GE(fd, 0);
        again = ask(fd, ping, ok);
        ::close(fd);
        if (again != reply::answered) std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(again, reply::answered);
    server.stop();
}

}  // namespace
}  // namespace asyncbench
