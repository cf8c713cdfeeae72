// Beast client templates for workflow calls live here only.
#include "harness/http/blocking_http_client.hpp"

#include <fmt/format.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>

namespace asyncbench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

struct connection {
    explicit connection(asio::io_context& ioc) : stream(ioc) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    bool used = false;  // has carried a request: may have been closed by the server since
};

http_call_result failure(http_call_result::outcome outcome, const boost::system::error_code& ec) {
    http_call_result result;
    result.result = outcome;
    result.error = ec.message();
    return result;
}

}  // namespace

// Each call runs Beast's asynchronous operations on a private io_context until they finish,
// because tcp_stream deadlines only exist for asynchronous operations and every workflow call
// needs one.
struct blocking_http_client::impl {
    asio::io_context ioc;
    std::map<std::string, std::unique_ptr<connection>> connections;

    // Runs the io_context until `done`; returns the operation's error code.
    template <typename Start>
    boost::system::error_code run(Start&& start) {
        boost::system::error_code result;
        bool done = false;
        start([&](boost::system::error_code ec, auto&&...) {
            result = ec;
            done = true;
        });
        ioc.restart();
        while (!done && ioc.run_one() > 0) {
        }
        return result;
    }

    http_call_result attempt(connection& conn, const tcp::endpoint& endpoint,
                             const http::request<http::string_body>& request,
                             clock_type::time_point deadline, bool& stale) {
        stale = false;
        if (!conn.stream.socket().is_open()) {
            conn.stream.expires_at(deadline);
            auto ec = run([&](auto handler) { conn.stream.async_connect(endpoint, handler); });
            if (ec == beast::error::timeout) return failure(http_call_result::outcome::timeout, ec);
            if (ec) return failure(http_call_result::outcome::connect_error, ec);
            conn.stream.socket().set_option(tcp::no_delay(true), ec);
            conn.buffer.clear();
            conn.used = false;
        }
        const bool reused = conn.used;
        conn.used = true;
        conn.stream.expires_at(deadline);
        auto ec = run([&](auto handler) { http::async_write(conn.stream, request, handler); });
        if (!ec) {
            http::response_parser<http::string_body> parser;
            parser.body_limit(16 * 1024 * 1024);
            ec = run(
                [&](auto handler) { http::async_read(conn.stream, conn.buffer, parser, handler); });
            if (!ec) {
                http_call_result result;
                result.result = http_call_result::outcome::ok;
                result.status = static_cast<int>(parser.get().result_int());
                result.body = std::move(parser.get().body());
                if (!parser.get().keep_alive()) close(conn);
                return result;
            }
        }
        close(conn);
        if (ec == beast::error::timeout) return failure(http_call_result::outcome::timeout, ec);
        // The server closed an idle keep-alive connection before reading our request: the
        // request never reached it, so one retry on a fresh connection cannot duplicate it.
        stale =
            reused && (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                       ec == asio::error::broken_pipe || ec == asio::error::eof);
        return failure(http_call_result::outcome::io_error, ec);
    }

    static void close(connection& conn) {
        boost::system::error_code ignored;
        conn.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        conn.stream.socket().close(ignored);
    }
};

blocking_http_client::blocking_http_client() : impl_(std::make_unique<impl>()) {}
blocking_http_client::~blocking_http_client() = default;

http_call_result blocking_http_client::request(std::string_view method, std::string_view host,
                                               std::uint16_t port, std::string_view target,
                                               const header_list& headers, std::string_view body,
                                               std::chrono::milliseconds timeout) {
    const auto deadline = clock_type::now() + timeout;
    boost::system::error_code ec;
    auto address = asio::ip::make_address(std::string(host), ec);
    if (ec) {
        http_call_result result;
        result.result = http_call_result::outcome::connect_error;
        result.error = fmt::format("'{}' is not an IP address", host);
        return result;
    }
    const tcp::endpoint endpoint(address, port);
    auto& slot = impl_->connections[fmt::format("{}:{}", host, port)];
    if (!slot) slot = std::make_unique<connection>(impl_->ioc);

    http::request<http::string_body> request;
    request.method_string(method);
    request.target(target);
    request.version(11);
    request.set(http::field::host, host);
    request.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::string(body);
    request.keep_alive(true);
    request.prepare_payload();

    bool stale = false;
    auto result = impl_->attempt(*slot, endpoint, request, deadline, stale);
    if (stale) result = impl_->attempt(*slot, endpoint, request, deadline, stale);
    return result;
}

}  // namespace asyncbench
