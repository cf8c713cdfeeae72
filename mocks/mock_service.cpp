#include "mocks/mock_service.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "mocks/latency_sampler.hpp"
#include "mocks/mock_admin.hpp"

namespace asyncbench {
namespace {

constexpr std::string_view admin_prefix = "/_mock/";
constexpr std::string_view operations_prefix = "/_mock/operations/";

// A hang outage holds calls unanswered, each with its connection open; past this many the
// rest get a 503 at once, so a long outage cannot run the process out of file descriptors.
constexpr std::size_t max_hung_calls = 1000;

// Admin answers reach the client before a refuse outage closes its connection.
constexpr std::chrono::microseconds refuse_grace{std::chrono::milliseconds(50)};

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

std::chrono::microseconds scaled(std::chrono::microseconds latency, double slowdown) {
    if (slowdown == 1.0) return latency;
    return std::chrono::microseconds(
        static_cast<std::int64_t>(static_cast<double>(latency.count()) * slowdown + 0.5));
}

http_response json_ok(boost::json::object body) {
    http_response response;
    response.body = boost::json::serialize(body);
    return response;
}

std::string join_errors(const std::vector<config_error>& errors) {
    std::string text;
    for (const auto& error : errors) {
        if (!text.empty()) text += '\n';
        text += format_config_error(error);
    }
    return text;
}

}  // namespace

mock_service::mock_service(system_spec spec, schedule_fn schedule,
                           std::function<void()> refusing_changed, std::uint64_t seed)
    : name_(std::move(spec.name)),
      schedule_(std::move(schedule)),
      refusing_changed_(std::move(refusing_changed)),
      default_operation_(spec.default_operation),
      operations_(std::move(spec.operations)),
      rng_(seed) {}

void mock_service::handle(http_request request, respond_fn respond) {
    const std::string_view path = path_of(request.target);
    if (path.starts_with(admin_prefix)) {
        bool refusing_changed = false;
        http_response response = handle_admin(request, std::string(path), refusing_changed);
        respond(std::move(response));
        if (refusing_changed && refusing_changed_) schedule_(refuse_grace, refusing_changed_);
        return;
    }
    if (request.method != "POST") {
        respond(json_error(
            405, "method_not_allowed",
            fmt::format("mock {}: operations are called with POST /<operation>", name_)));
        return;
    }
    if (path.size() <= 1) {
        respond(json_error(404, "no_operation",
                           fmt::format("mock {}: POST /<operation>; no operation given", name_)));
        return;
    }
    handle_operation(std::string(path.substr(1)), request, std::move(respond));
}

void mock_service::handle_operation(const std::string& operation, const http_request& request,
                                    respond_fn respond) {
    const std::string business_id(request.header("X-Business-Id"));
    calls_.count(operation, business_id);

    std::unique_lock lock(mutex_);
    if (shut_down_) {
        lock.unlock();
        respond(shutting_down_response(operation));
        return;
    }
    const operation_spec& spec = spec_for(operation);
    if (spec.outage == operation_spec::outage_kind::hang && hung_.size() < max_hung_calls) {
        // Held unanswered: the caller's own timeout decides. Released when the outage ends.
        hung_.emplace_back(operation, std::move(respond));
        return;
    }
    if (spec.outage != operation_spec::outage_kind::none) {
        // A refuse outage normally stops calls at connect; one racing past the listener closing
        // is answered like an unavailable system rather than served.
        lock.unlock();
        respond(json_error(503, "unavailable",
                           fmt::format("mock {}: {} is unavailable (outage)", name_, operation)));
        return;
    }
    pending_call call;
    call.service_time = scaled(sample_latency(spec.latency, rng_), spec.slowdown);
    const bool fail = spec.error_rate > 0.0 &&
                      std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < spec.error_rate;
    if (fail) {
        call.response = json_error(
            spec.error_status, "injected_error",
            fmt::format("mock {}: {} failed (error_rate {})", name_, operation, spec.error_rate));
    } else {
        call.response = json_ok(boost::json::object{
            {"ok", true}, {"system", name_}, {"operation", operation}, {"id", business_id}});
    }
    call.respond = std::move(respond);

    worker_pool& pool = pools_[operation];
    if (spec.concurrency > 0 && pool.in_service >= spec.concurrency) {
        pool.waiting.push_back(std::move(call));
        return;
    }
    started_call started = start_locked(operation, pool, std::move(call));
    lock.unlock();
    schedule_completion(operation, std::move(started));
}

mock_service::started_call mock_service::start_locked(const std::string& operation,
                                                      worker_pool& pool, pending_call call) {
    ++pool.in_service;
    const std::uint64_t id = next_call_id_++;
    in_flight_.emplace(id, std::make_pair(operation, std::move(call.respond)));
    return started_call{id, call.service_time, std::move(call.response)};
}

void mock_service::schedule_completion(const std::string& operation, started_call call) {
    const auto service_time = call.service_time;
    schedule_(service_time, [this, operation, call = std::move(call)]() mutable {
        respond_fn respond;
        {
            std::lock_guard lock(mutex_);
            auto found = in_flight_.find(call.id);
            if (found == in_flight_.end()) return;  // answered by shutdown()
            respond = std::move(found->second.second);
            in_flight_.erase(found);
        }
        respond(std::move(call.response));
        release(operation, true);
    });
}

http_response mock_service::shutting_down_response(const std::string& operation) const {
    return json_error(503, "shutting_down",
                      fmt::format("mock {}: stopped before {} was answered", name_, operation));
}

void mock_service::release(const std::string& operation, bool finished) {
    std::vector<started_call> starting;
    {
        std::lock_guard lock(mutex_);
        auto found = pools_.find(operation);
        if (found == pools_.end()) return;
        worker_pool& pool = found->second;
        if (finished) --pool.in_service;
        const int limit = spec_for(operation).concurrency;
        while (!pool.waiting.empty() && (limit <= 0 || pool.in_service < limit)) {
            starting.push_back(start_locked(operation, pool, std::move(pool.waiting.front())));
            pool.waiting.pop_front();
        }
        if (pool.in_service == 0 && pool.waiting.empty()) pools_.erase(found);
    }
    for (auto& call : starting) schedule_completion(operation, std::move(call));
}

http_response mock_service::handle_admin(const http_request& request, const std::string& path,
                                         bool& refusing_changed) {
    if (path == "/_mock/calls") {
        if (request.method != "GET") {
            return json_error(405, "method_not_allowed", "GET /_mock/calls");
        }
        http_response response;
        response.body = calls_to_json(calls_.snapshot());
        return response;
    }
    if (path == "/_mock/reset") {
        if (request.method != "POST") {
            return json_error(405, "method_not_allowed", "POST /_mock/reset");
        }
        calls_.reset();
        return json_ok(boost::json::object{{"ok", true}});
    }
    if (path.starts_with(operations_prefix)) {
        const std::string operation = path.substr(operations_prefix.size());
        if (request.method != "PUT") {
            return json_error(405, "method_not_allowed", "PUT /_mock/operations/<operation>");
        }
        if (!is_valid_operation_name(operation)) {
            return json_error(400, "invalid_operation_name",
                              "operation names use letters, digits, '_', '.' and '-' only");
        }
        if (request.body.empty()) {
            return json_error(400, "invalid_operation_spec",
                              "the body must be a YAML or JSON operation spec");
        }
        auto parsed = parse_operation_body(request.body, operation, name_,
                                           "PUT /_mock/operations/" + operation);
        if (auto* errors = std::get_if<std::vector<config_error>>(&parsed)) {
            return json_error(400, "invalid_operation_spec", join_errors(*errors));
        }
        refusing_changed = replace_operation(operation, std::get<operation_spec>(parsed));
        return json_ok(boost::json::object{{"ok", true}, {"operation", operation}});
    }
    return json_error(404, "not_found",
                      "admin endpoints: GET /_mock/calls, PUT /_mock/operations/<op>, "
                      "POST /_mock/reset");
}

void mock_service::set_operation(const std::string& operation, const operation_spec& spec) {
    if (replace_operation(operation, spec) && refusing_changed_) refusing_changed_();
}

bool mock_service::replace_operation(const std::string& operation, const operation_spec& spec) {
    bool was_refusing = false;
    bool now_refusing = false;
    std::vector<respond_fn> released;
    {
        std::lock_guard lock(mutex_);
        was_refusing = refusing_locked();
        operations_[operation] = spec;
        now_refusing = refusing_locked();
        if (spec.outage != operation_spec::outage_kind::hang) {
            std::erase_if(hung_, [&](auto& call) {
                if (call.first != operation) return false;
                released.push_back(std::move(call.second));
                return true;
            });
        }
    }
    // Their callers gave up long ago; answering lets the connections close.
    for (auto& respond : released) {
        respond(json_error(
            503, "unavailable",
            fmt::format("mock {}: {} hung (outage) and was released", name_, operation)));
    }
    // A raised concurrency limit lets waiting calls start now rather than at the next finish.
    release(operation, false);
    return was_refusing != now_refusing;
}

operation_spec mock_service::operation(const std::string& operation) const {
    std::lock_guard lock(mutex_);
    return spec_for(operation);
}

std::vector<std::string> mock_service::operation_names() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> names;
    for (const auto& [name, spec] : operations_) names.push_back(name);
    return names;
}

bool mock_service::refusing() const {
    std::lock_guard lock(mutex_);
    return refusing_locked();
}

int mock_service::in_service(const std::string& operation) const {
    std::lock_guard lock(mutex_);
    auto found = pools_.find(operation);
    return found == pools_.end() ? 0 : found->second.in_service;
}

std::size_t mock_service::waiting(const std::string& operation) const {
    std::lock_guard lock(mutex_);
    auto found = pools_.find(operation);
    return found == pools_.end() ? 0 : found->second.waiting.size();
}

void mock_service::shutdown() {
    std::vector<std::pair<std::string, respond_fn>> unanswered;
    {
        std::lock_guard lock(mutex_);
        shut_down_ = true;
        for (auto& [id, call] : in_flight_) unanswered.push_back(std::move(call));
        in_flight_.clear();
        for (auto& call : hung_) unanswered.push_back(std::move(call));
        hung_.clear();
        for (auto& [operation, pool] : pools_) {
            for (auto& call : pool.waiting) {
                unanswered.emplace_back(operation, std::move(call.respond));
            }
        }
        pools_.clear();
    }
    for (auto& [operation, respond] : unanswered) respond(shutting_down_response(operation));
}

const operation_spec& mock_service::spec_for(const std::string& operation) const {
    auto found = operations_.find(operation);
    return found == operations_.end() ? default_operation_ : found->second;
}

bool mock_service::refusing_locked() const {
    constexpr auto refuse = operation_spec::outage_kind::refuse;
    if (default_operation_.outage == refuse) return true;
    for (const auto& [name, spec] : operations_) {
        if (spec.outage == refuse) return true;
    }
    return false;
}

}  // namespace asyncbench
