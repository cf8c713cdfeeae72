#include "harness/poll/poll_source.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <optional>
#include <span>
#include <stdexcept>

#include "harness/http/blocking_http_client.hpp"
#include "harness/redis/redis_client.hpp"
#include "harness/workflow/row_json.hpp"

namespace asyncbench {
namespace {

// Rows of a declared table (through the API or the database): keyed and cursored by its own
// columns, handed to the steps as the row's JSON.
class table_rows : public poll_source {
  public:
    table_rows(const table_spec& table, std::string cursor)
        : table_(table), cursor_(std::move(cursor)) {}
    const std::string& key_column() const override { return table_.key; }
    const std::string& cursor_column() const override { return cursor_; }
    std::string payload(const row_values& row) const override {
        return boost::json::serialize(row_json(table_, row));
    }
    const std::string& kind() const override { return table_.name; }

  protected:
    const table_spec& table_;
    std::string cursor_;
};

// GET /feeds/<table>?since=..&limit=.. on the front door: {"rows": [{...}, ...], ...}.
class api_source final : public table_rows {
  public:
    api_source(const table_spec& table, std::string cursor, network_endpoint api)
        : table_rows(table, std::move(cursor)), api_(api) {}

    fetched_page fetch(std::int64_t since, int limit) override {
        const auto target = fmt::format("/feeds/{}?since={}&limit={}", table_.name, since, limit);
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
    network_endpoint api_;
    blocking_http_client http_;
};

// SELECT ... WHERE cursor >= since ORDER BY cursor, key LIMIT limit, on the poller's session.
class table_source final : public table_rows {
  public:
    table_source(const table_spec& table, std::string cursor, workflow_executor& executor)
        : table_rows(table, std::move(cursor)), executor_(executor) {}

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
    workflow_executor& executor_;
};

// A Redis queue (redis_key_spec::queue, filled by `redis: {enqueue: ...}`): its members by
// position, each with the business id and the request that queued it. Positions are given in
// the order members joined, atomically, so nothing joins behind the cursor.
class redis_queue_source final : public poll_source {
  public:
    redis_queue_source(std::string key, const redis_target& redis)
        : key_(redis.prefix + key), kind_(std::move(key)), url_(redis.url) {}

    fetched_page fetch(std::int64_t since, int limit) override {
        try {
            if (!client_) client_ = redis_client::connect(url_, std::chrono::seconds(5));
            auto members = client_->command({"ZRANGEBYSCORE", key_, std::to_string(since), "+inf",
                                             "WITHSCORES", "LIMIT", "0", std::to_string(limit)});
            if (members.is_error()) throw poll_error("redis: " + members.str);
            fetched_page page;
            std::vector<std::string> names;
            std::vector<std::string> positions;
            for (std::size_t i = 0; i + 1 < members.elements.size(); i += 2) {
                names.push_back(members.elements[i].str);
                positions.push_back(members.elements[i + 1].str);
            }
            if (names.empty()) return page;
            const auto ids = hash_values(key_ + ":requests", names);
            const auto payloads = hash_values(key_ + ":payloads", names);
            for (std::size_t i = 0; i < names.size(); ++i) {
                page.bytes += names[i].size() + ids[i].size() + payloads[i].size();
                page.rows.push_back({{"business_id", ids[i]},
                                     {"position", positions[i]},
                                     {"member", names[i]},
                                     {"payload", payloads[i]}});
            }
            return page;
        } catch (const redis_error& e) {
            client_.reset();  // reconnect next time
            throw poll_error(fmt::format("redis: {}", e.what()));
        }
    }

    const std::string& key_column() const override { return key_column_; }
    const std::string& cursor_column() const override { return cursor_column_; }
    // Positions are given once each (INCR in the enqueue script).
    cursor_values cursor_kind() const override { return cursor_values::unique; }
    std::string payload(const row_values& row) const override {
        const auto found = row.find("payload");
        if (found == row.end() || found->second.empty()) {
            throw std::invalid_argument(
                fmt::format("queue {}: no request kept for member '{}'", kind_,
                            row.count("member") ? row.at("member") : std::string()));
        }
        return found->second;
    }
    const std::string& kind() const override { return kind_; }

  private:
    std::vector<std::string> hash_values(const std::string& hash,
                                         const std::vector<std::string>& fields) {
        std::vector<std::string> args{"HMGET", hash};
        args.insert(args.end(), fields.begin(), fields.end());
        auto reply = client_->command(std::span<const std::string>(args));
        if (reply.is_error()) throw poll_error("redis: " + reply.str);
        std::vector<std::string> values;
        for (const auto& element : reply.elements) values.push_back(element.str);
        values.resize(fields.size());
        return values;
    }

    const std::string key_column_ = "business_id";
    const std::string cursor_column_ = "position";
    std::string key_;
    std::string kind_;
    std::string url_;
    std::optional<redis_client> client_;
};

}  // namespace

std::unique_ptr<poll_source> make_api_source(const table_spec& table, std::string cursor,
                                             network_endpoint api) {
    return std::make_unique<api_source>(table, std::move(cursor), api);
}

std::unique_ptr<poll_source> make_poll_source(const scenario_config& scenario,
                                              const poll_spec& poll, network_endpoint api,
                                              workflow_executor& executor,
                                              const redis_target& redis) {
    switch (poll.source) {
        case poll_spec::source_kind::api:
            return make_api_source(*scenario.table(poll.table), poll.cursor, api);
        case poll_spec::source_kind::table:
            return std::make_unique<table_source>(*scenario.table(poll.table), poll.cursor,
                                                  executor);
        case poll_spec::source_kind::redis:
            return std::make_unique<redis_queue_source>(poll.table, redis);
    }
    throw std::logic_error("unknown poll source");
}

}  // namespace asyncbench
