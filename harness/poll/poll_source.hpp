#pragma once
// Where a poll stage's pollers find their work (poll_spec::source_kind): the front door's read
// API over HTTP, a query on the scenario's database, or a Redis queue (its members by
// position). One source per poller thread, each with its own connection; not thread-safe.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

#include "harness/config/scenario_config.hpp"
#include "harness/poll/poll_cursor.hpp"
#include "harness/store/store.hpp"
#include "harness/workflow/workflow_executor.hpp"

namespace asyncbench {

// The source did not answer, or answered something other than a page of rows.
struct poll_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct fetched_page {
    std::vector<row_values> rows;  // in cursor order
    std::size_t bytes = 0;         // what crossed the wire (API) or the values' text (table)
};

class poll_source {
  public:
    virtual ~poll_source() = default;
    // The rows whose cursor is >= `since`, at most `limit`, in cursor order. Throws poll_error.
    virtual fetched_page fetch(std::int64_t since, int limit) = 0;
    // The columns of a fetched row holding its business id and its (integer) cursor.
    virtual const std::string& key_column() const = 0;
    virtual const std::string& cursor_column() const = 0;
    // Whether two rows can share a cursor value (poll_cursor.hpp).
    virtual cursor_values cursor_kind() const { return cursor_values::may_repeat; }
    // What the stage's steps read as the request of `row` (JSON), and its kind for reports.
    // Throws std::invalid_argument when the row breaks the source's contract.
    virtual std::string payload(const row_values& row) const = 0;
    virtual const std::string& kind() const = 0;
};

// The source `poll` names. `api` is the front door (poll_spec::api); `executor` (the
// poller's own, outliving the source) reads the database (poll_spec::table) and reaches Redis
// (poll_spec::redis, keys under `redis.prefix`).
std::unique_ptr<poll_source> make_poll_source(const scenario_config& scenario,
                                              const poll_spec& poll, network_endpoint api,
                                              workflow_executor& executor,
                                              const redis_target& redis);

// The front door's read API for `table` paged by `cursor`, as make_poll_source gives a stage
// reading `from: {api: T}`; watchers (harness/watch) read it without a stage. `table` must
// outlive the source.
std::unique_ptr<poll_source> make_api_source(const table_spec& table, std::string cursor,
                                             network_endpoint api);

}  // namespace asyncbench
