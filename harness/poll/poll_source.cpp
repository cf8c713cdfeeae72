#include "harness/poll/poll_source.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "harness/http/blocking_http_client.hpp"
#include "harness/workflow/row_json.hpp"

namespace asyncbench {
namespace {

// GET /feeds/<table>?since=..&limit=.. on the front door: {"rows": [{...}, ...], ...}.
class api_source final : public poll_source {
  public:
    api_source(std::string table, network_endpoint api) : table_(std::move(table)), api_(api) {}

    fetched_page fetch(std::int64_t since, int limit) override {
        const auto target = fmt::format("/feeds/{}?since={}&limit={}", table_, since, limit);
        auto answer = http_.request("GET", api_.host, api_.port, target, {}, "", timeout);
        if (answer.result != http_call_result::outcome::ok) {
            throw poll_error(fmt::format("GET {}: {}", target, answer.error));
        }
        if (answer.status != 200) {
            throw poll_error(fmt::format("GET {} answered {}", target, answer.status));
        }
        fetched_page page;
        page.bytes = answer.body.size();
        boost::system::error_code error;
        const auto body = boost::json::parse(answer.body, error);
        const auto* object = error ? nullptr : body.if_object();
        const auto* rows = object ? object->if_contains("rows") : nullptr;
        if (rows == nullptr || !rows->is_array()) {
            throw poll_error(fmt::format("GET {}: the answer has no \"rows\" array", target));
        }
        for (const auto& value : rows->get_array()) {
            const auto* row_object = value.if_object();
            auto row = row_object ? row_from_json(*row_object) : std::nullopt;
            if (!row) throw poll_error(fmt::format("GET {}: a row is not a flat object", target));
            page.rows.push_back(std::move(*row));
        }
        return page;
    }

  private:
    static constexpr std::chrono::milliseconds timeout{10000};
    std::string table_;
    network_endpoint api_;
    blocking_http_client http_;
};

// SELECT ... WHERE cursor >= since ORDER BY cursor, key LIMIT limit, on the poller's session.
class table_source final : public poll_source {
  public:
    table_source(const table_spec& table, std::string cursor, workflow_executor& executor)
        : table_(table), cursor_(std::move(cursor)), executor_(executor) {}

    fetched_page fetch(std::int64_t since, int limit) override {
        fetched_page page;
        try {
            page.rows = executor_.rows_since(table_, cursor_, since, limit);
        } catch (const store_error& e) {
            throw poll_error(fmt::format("query on {}: {}", table_.name, e.what()));
        }
        for (const auto& row : page.rows) {
            for (const auto& [column, value] : row) page.bytes += value.size();
        }
        return page;
    }

  private:
    const table_spec& table_;
    std::string cursor_;
    workflow_executor& executor_;
};

}  // namespace

std::unique_ptr<poll_source> make_poll_source(const poll_spec& poll, const table_spec& table,
                                              network_endpoint api, workflow_executor& executor) {
    if (poll.source == poll_spec::source_kind::api) {
        return std::make_unique<api_source>(table.name, api);
    }
    return std::make_unique<table_source>(table, poll.cursor, executor);
}

}  // namespace asyncbench
