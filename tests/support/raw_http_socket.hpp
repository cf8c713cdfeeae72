#pragma once
// Plain blocking sockets for tests that hold thousands of connections at once, more than an
// HTTP client library would let a test open and keep idle: connect, then send one request and
// tell an answer from a connection the server closed unserved. Linux only; header-only.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string_view>

namespace asyncbench::test {

// A blocking socket connected to 127.0.0.1:port with a 10 s receive timeout; -1 on failure
// (errno says why). The caller closes it.
inline int connect_client(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

enum class reply { answered, closed, timed_out };

// Sends `request` (a whole HTTP/1.1 request); a failure (the server closed the connection)
// shows in the reply read next.
inline void send_request(int fd, std::string_view request) {
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
}

// Reads the start of the answer: `answered` when it begins with `expected` (by default any
// HTTP/1.1 status line; "HTTP/1.1 200" to insist on a status), `closed` for anything else, the
// end of the stream or a reset (the server closed the connection unserved), `timed_out` for
// nothing within the receive timeout.
inline reply read_reply(int fd, std::string_view expected = "HTTP/1.1 ") {
    char buffer[64];
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
        return std::string_view(buffer, static_cast<std::size_t>(n)).starts_with(expected)
                   ? reply::answered
                   : reply::closed;
    }
    return n == 0 || errno == ECONNRESET ? reply::closed : reply::timed_out;
}

inline reply ask(int fd, std::string_view request, std::string_view expected = "HTTP/1.1 ") {
    send_request(fd, request);
    return read_reply(fd, expected);
}

}  // namespace asyncbench::test
