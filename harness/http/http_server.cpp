// The only translation unit with Beast server templates (compile time on 2 cores).
#include "harness/http/http_server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "harness/core/thread_name.hpp"

namespace asyncbench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// One accepted connection. The stream lives on its own strand; everything touching it,
// including a forced close from stop() or an outage, runs on that strand.
struct connection {
    explicit connection(tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
};

// Where a handler's answer lands. respond_fn may run on any thread: it posts to the
// connection's strand and wakes the waiting coroutine by cancelling the timer.
struct response_slot {
    explicit response_slot(asio::any_io_executor executor) : wake(executor) {}
    asio::steady_timer wake;
    std::optional<http_response> response;
    std::atomic<bool> answered{false};
};

// A parse error means the client sent something that is not HTTP/1.1: it deserves a 400.
// End of stream, a partial message (client gave up) or a timeout get no answer.
bool is_malformed_http(const boost::system::error_code& ec) {
    static const auto& http_category = http::make_error_code(http::error::bad_method).category();
    return ec && ec.category() == http_category && ec != http::error::end_of_stream &&
           ec != http::error::partial_message;
}

http_request to_plain(http::request<http::string_body>&& request) {
    http_request plain;
    plain.method = std::string(request.method_string());
    plain.target = std::string(request.target());
    for (const auto& field : request) {
        plain.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    plain.body = std::move(request.body());
    return plain;
}

http::response<http::string_body> to_beast(const http_response& plain, unsigned version,
                                           bool keep_alive) {
    http::response<http::string_body> response;
    response.version(version);
    response.result(static_cast<unsigned>(plain.status));
    response.set(http::field::server, "asyncbench");
    response.set(http::field::content_type, plain.content_type);
    for (const auto& [name, value] : plain.headers) response.set(name, value);
    response.body() = plain.body;
    response.keep_alive(keep_alive);
    response.prepare_payload();
    return response;
}

}  // namespace

struct http_server::impl {
    impl(http_server_options opts, http_handler h)
        : options(std::move(opts)), handler(std::move(h)), acceptor(asio::make_strand(ioc)) {}

    http_server_options options;
    http_handler handler;
    asio::io_context ioc;
    tcp::acceptor acceptor;
    tcp::endpoint endpoint;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::vector<std::thread> threads;
    std::mutex connections_mutex;
    std::uint64_t next_connection_id = 0;
    std::unordered_map<std::uint64_t, std::weak_ptr<connection>> connections;
    bool accepting = true;  // guarded by connections_mutex
    std::atomic<std::uint64_t> refused{0};
    std::chrono::steady_clock::time_point last_warning;  // accept loop only: one a second

    // A warning a second at most: a flood of refusals must not become a flood of log lines.
    void warn_refusal(const std::string& why) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_warning < std::chrono::seconds(1)) return;
        last_warning = now;
        spdlog::warn("{}: {} ({} refused so far)", options.name, why, refused.load());
    }

    void open_listener() {
        boost::system::error_code ec;
        acceptor.open(endpoint.protocol(), ec);
        if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) acceptor.bind(endpoint, ec);
        if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            boost::system::error_code ignored;
            acceptor.close(ignored);
            throw std::runtime_error(fmt::format("{}: cannot listen on {}:{}: {}", options.name,
                                                 endpoint.address().to_string(), endpoint.port(),
                                                 ec.message()));
        }
        endpoint = acceptor.local_endpoint();
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), use_tuple);
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
            if (ec) {
                // Out of file descriptors and the like: the client waits in the backlog until
                // a descriptor frees up. Back off instead of spinning.
                ++refused;
                warn_refusal("accept failed: " + ec.message());
                asio::steady_timer pause(ioc, std::chrono::milliseconds(10));
                co_await pause.async_wait(use_tuple);
                continue;
            }
            auto conn = std::make_shared<connection>(std::move(socket));
            const auto registered = register_connection(conn);
            if (!registered) {
                ++refused;
                warn_refusal(fmt::format("{} connections open, the most allowed: closing new ones",
                                         options.max_connections));
                boost::system::error_code ignored;
                conn->stream.socket().close(ignored);
                continue;
            }
            conn->stream.socket().set_option(tcp::no_delay(true), ec);
            asio::co_spawn(conn->stream.get_executor(), serve(conn),
                           [this, id = *registered](std::exception_ptr error) {
                               if (error) {
                                   try {
                                       std::rethrow_exception(error);
                                   } catch (const std::exception& e) {
                                       spdlog::error("{}: connection failed: {}", options.name,
                                                     e.what());
                                   }
                               }
                               std::lock_guard lock(connections_mutex);
                               connections.erase(id);
                           });
        }
    }

    // nullopt when max_connections are open already.
    std::optional<std::uint64_t> register_connection(const std::shared_ptr<connection>& conn) {
        std::lock_guard lock(connections_mutex);
        if (connections.size() >= options.max_connections) return std::nullopt;
        std::uint64_t id = next_connection_id++;
        connections.emplace(id, conn);
        return id;
    }

    void close_all_connections() {
        std::lock_guard lock(connections_mutex);
        for (auto& [id, weak] : connections) {
            if (auto conn = weak.lock()) {
                asio::post(conn->stream.get_executor(), [conn] {
                    boost::system::error_code ignored;
                    conn->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
                    conn->stream.socket().close(ignored);
                });
            }
        }
    }

    asio::awaitable<http_response> call_handler(http_request request) {
        auto slot = std::make_shared<response_slot>(co_await asio::this_coro::executor);
        handler(std::move(request), [slot](http_response response) {
            if (slot->answered.exchange(true)) return;  // answered once, or timed out
            asio::post(slot->wake.get_executor(), [slot, r = std::move(response)]() mutable {
                slot->response = std::move(r);
                slot->wake.cancel();
            });
        });
        slot->wake.expires_after(options.handler_timeout);
        while (!slot->response) {
            auto [ec] = co_await slot->wake.async_wait(use_tuple);
            if (slot->response) break;
            if (!ec && !slot->answered.exchange(true)) {
                co_return json_error(504, "handler_timeout",
                                     "the request was not answered within the handler timeout");
            }
            // An answer is already on its way to this strand; wait for it.
            slot->wake.expires_after(std::chrono::seconds(1));
        }
        co_return std::move(*slot->response);
    }

    asio::awaitable<void> write(connection& conn, const http_response& plain, unsigned version,
                                bool keep_alive, bool& ok) {
        auto response = to_beast(plain, version, keep_alive);
        conn.stream.expires_after(options.read_timeout);
        auto [ec, bytes] = co_await http::async_write(conn.stream, response, use_tuple);
        ok = !ec;
    }

    asio::awaitable<void> serve(std::shared_ptr<connection> conn) {
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(options.body_limit_bytes);
            parser.header_limit(16 * 1024);
            conn->stream.expires_after(options.read_timeout);
            auto [ec, bytes] = co_await http::async_read(conn->stream, buffer, parser, use_tuple);
            if (ec == http::error::body_limit) {
                bool ok = false;
                co_await write(*conn,
                               json_error(413, "body_too_large",
                                          fmt::format("request body over the limit of {} bytes",
                                                      options.body_limit_bytes)),
                               11, false, ok);
                break;
            }
            if (is_malformed_http(ec)) {
                bool ok = false;
                co_await write(*conn, json_error(400, "bad_http", ec.message()), 11, false, ok);
                break;
            }
            if (ec) break;  // closed, timed out (slow client), reset: nothing to answer
            auto request = parser.release();
            const unsigned version = request.version();
            const bool keep_alive = request.keep_alive();
            http_response response = co_await call_handler(to_plain(std::move(request)));
            bool ok = false;
            co_await write(*conn, response, version, keep_alive, ok);
            if (!ok || !keep_alive) break;
        }
        boost::system::error_code ignored;
        conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
};

http_server::http_server(http_server_options options, http_handler handler)
    : impl_(std::make_unique<impl>(std::move(options), std::move(handler))) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(impl_->options.address, ec);
    if (ec) {
        throw std::runtime_error(fmt::format("{}: invalid listen address '{}'", impl_->options.name,
                                             impl_->options.address));
    }
    impl_->endpoint = tcp::endpoint(address, impl_->options.port);
    impl_->open_listener();
}

http_server::~http_server() { stop(); }

std::uint16_t http_server::port() const { return impl_->endpoint.port(); }

std::uint64_t http_server::refused_connections() const { return impl_->refused.load(); }

void http_server::start() {
    if (!impl_->threads.empty()) return;
    impl_->work.emplace(impl_->ioc.get_executor());
    asio::co_spawn(impl_->acceptor.get_executor(), impl_->accept_loop(), asio::detached);
    const int count = std::max(1, impl_->options.io_threads);
    for (int i = 0; i < count; ++i) {
        impl_->threads.emplace_back([this] {
            name_this_thread(impl_->options.thread_name);
            impl_->ioc.run();
        });
    }
}

void http_server::stop() {
    if (impl_->threads.empty()) {
        boost::system::error_code ignored;
        impl_->acceptor.close(ignored);
        return;
    }
    std::promise<void> closed;
    asio::post(impl_->acceptor.get_executor(), [&] {
        boost::system::error_code ignored;
        impl_->acceptor.close(ignored);
        closed.set_value();
    });
    closed.get_future().wait();
    impl_->close_all_connections();
    impl_->work.reset();
    // Give connections a moment to unwind on their strands, then stop whatever is left
    // (e.g. a handler that never answered).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (std::chrono::steady_clock::now() < deadline) {
        {
            std::lock_guard lock(impl_->connections_mutex);
            if (impl_->connections.empty()) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    impl_->ioc.stop();
    for (auto& thread : impl_->threads) thread.join();
    impl_->threads.clear();
}

void http_server::set_accepting(bool accepting) {
    {
        std::lock_guard lock(impl_->connections_mutex);
        if (impl_->accepting == accepting) return;
        impl_->accepting = accepting;
    }
    auto apply = [this, accepting] {
        boost::system::error_code ignored;
        if (!accepting) {
            impl_->acceptor.close(ignored);
            impl_->close_all_connections();
            return;
        }
        try {
            impl_->open_listener();
            if (!impl_->threads.empty()) {
                asio::co_spawn(impl_->acceptor.get_executor(), impl_->accept_loop(),
                               asio::detached);
            }
        } catch (const std::exception& e) {
            spdlog::error("{}", e.what());
        }
    };
    if (impl_->threads.empty()) {
        apply();  // not serving yet: start() will spawn the accept loop
        return;
    }
    // On the acceptor's strand, so the acceptor is never touched by two threads at once.
    std::promise<void> done;
    asio::post(impl_->acceptor.get_executor(), [&] {
        apply();
        done.set_value();
    });
    done.get_future().wait();
}

}  // namespace asyncbench
