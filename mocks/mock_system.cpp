#include "mocks/mock_system.hpp"

#include <mutex>
#include <random>
#include <stdexcept>

#include "harness/core/thread_name.hpp"
#include "harness/http/http_server.hpp"
#include "mocks/delay_queue.hpp"
#include "mocks/mock_service.hpp"

namespace asyncbench {

// Destruction order matters: the server must outlive every respond_fn it handed out (they
// hold its timers), so it is declared first and destroyed last; the destructor's stop() runs
// before any of them is destroyed.
struct mock_system::impl {
    std::unique_ptr<http_server> server;
    std::unique_ptr<delay_queue> delays;
    std::unique_ptr<mock_service> service;
    std::mutex accepting_mutex;  // serialises reading refusing() with applying it
    bool stopped = false;        // guarded by accepting_mutex

    void apply_accepting() {
        std::lock_guard lock(accepting_mutex);
        if (stopped) return;
        server->set_accepting(!service->refusing());
    }
};

mock_system::mock_system(system_spec spec, std::uint16_t port, std::string address)
    : impl_(std::make_unique<impl>()) {
    impl_->delays = std::make_unique<delay_queue>();
    impl* self = impl_.get();
    impl_->service = std::make_unique<mock_service>(
        std::move(spec),
        [self](std::chrono::microseconds delay, std::function<void()> task) {
            self->delays->post_after(delay, std::move(task));
        },
        [self] { self->apply_accepting(); }, std::random_device{}());

    http_server_options options;
    options.address = std::move(address);
    options.port = port;
    options.name = "mock " + impl_->service->name();
    options.thread_name = mock_io_thread;
    // Handling is a few map lookups; two threads keep a slow client from stalling others.
    options.io_threads = 2;
    impl_->server = std::make_unique<http_server>(
        std::move(options), [self](http_request request, respond_fn respond) {
            self->service->handle(std::move(request), std::move(respond));
        });
    // An initial refuse outage holds from the start; set_accepting works before start().
    if (impl_->service->refusing()) impl_->server->set_accepting(false);
}

mock_system::~mock_system() { stop(); }

const std::string& mock_system::name() const { return impl_->service->name(); }

std::uint16_t mock_system::port() const { return impl_->server->port(); }

void mock_system::start() {
    std::lock_guard lock(impl_->accepting_mutex);
    // The delay queue cannot be restarted; a restarted server would never answer an operation.
    if (impl_->stopped) throw std::logic_error("mock " + name() + ": start() after stop()");
    impl_->server->start();
}

void mock_system::stop() {
    {
        std::lock_guard lock(impl_->accepting_mutex);
        if (impl_->stopped) return;
        impl_->stopped = true;
    }
    // Calls not yet answered get 503 now, while the server exists to send it; otherwise the
    // server would wait for their connections. Completions still scheduled then do nothing.
    impl_->service->shutdown();
    impl_->delays->stop();
    impl_->server->stop();
}

void mock_system::set_operation(const std::string& operation, const operation_spec& spec) {
    impl_->service->set_operation(operation, spec);
}

operation_spec mock_system::operation(const std::string& operation) const {
    return impl_->service->operation(operation);
}

call_log mock_system::calls() const { return impl_->service->calls(); }

std::uint64_t mock_system::total_calls() const { return impl_->service->total_calls(); }

void mock_system::reset_calls() { impl_->service->reset_calls(); }

}  // namespace asyncbench
