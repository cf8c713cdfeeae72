#pragma once
// libpq plumbing private to the PostgreSQL store: where a connection string points (for
// messages that must never show the password), RAII handles, and a bounded connection pool.
#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace asyncbench {

struct pg_conn_deleter {
    void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct pg_result_deleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using pg_conn_ptr = std::unique_ptr<PGconn, pg_conn_deleter>;
using pg_result_ptr = std::unique_ptr<PGresult, pg_result_deleter>;

// A parsed connection string. `conninfo` (password included) only ever goes to libpq; the
// other members are for messages and location().
struct pg_target {
    std::string conninfo;
    std::string host;  // as written, or libpq's default when absent
    std::string port;
    std::string dbname;
    std::string user;
    std::string password;  // empty when none: never printed

    // "host 127.0.0.1 port 5433 database asyncbench", for error messages.
    std::string describe() const;
    // postgres://user@host:port/dbname, without password or other parameters.
    std::string url_without_password() const;
    // `text` with every occurrence of the password replaced, for libpq's own messages.
    std::string scrub(std::string text) const;
};

// Throws store_error when libpq cannot parse `conninfo` (a URL or key=value string); the
// message does not repeat the string, which may hold a password.
pg_target parse_pg_target(const std::string& conninfo);

// Opens one connection (10 s connect timeout unless the string sets one). Throws store_error
// naming host, port and database with libpq's reason.
pg_conn_ptr pg_connect(const pg_target& target);

// Takes ownership of `result` and returns it when it reports success (a command or rows);
// otherwise throws store_error "PostgreSQL <what>: <server message>".
pg_result_ptr pg_check(PGconn* conn, PGresult* result, const char* what);

// Up to `size` connections shared by many threads. A thread borrows one for one operation (or
// one transaction) and the lease gives it back. Connections open on first demand; a broken one
// (PQstatus not OK, left inside a transaction, or closed by a server that went away while it
// was idle) is PQreset before its next use, and `prepare`
// runs on every new or reset connection because a reset starts a new server session that has
// forgotten search_path and prepared statements. Thread-safe; the pool must outlive its leases.
class pg_connection_pool {
  public:
    using prepare_fn = std::function<void(PGconn*)>;  // throws store_error on failure

    // `first`, if not null, is an open connection to adopt (the one that created the schema).
    // `wait_limit` bounds how long borrow() waits for a free connection.
    pg_connection_pool(pg_target target, int size, prepare_fn prepare, pg_conn_ptr first,
                       std::chrono::milliseconds wait_limit);
    pg_connection_pool(const pg_connection_pool&) = delete;
    pg_connection_pool& operator=(const pg_connection_pool&) = delete;

    class lease;
    // Blocks until a connection is free (or can be opened). Throws store_error when none frees
    // up within the wait limit, or when opening, resetting or preparing one fails.
    lease borrow();

    const pg_target& target() const { return target_; }
    int size() const { return size_; }

  private:
    struct entry {
        pg_conn_ptr conn;
        bool prepared = false;
        bool needs_reset = false;
        std::chrono::steady_clock::time_point idle_since;  // when it was last given back
    };
    void make_ready(entry& item);
    void give_back(entry item);

    const pg_target target_;
    const int size_;
    const prepare_fn prepare_;
    const std::chrono::milliseconds wait_limit_;
    std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<entry> idle_;
    int opened_ = 0;  // connections that exist or are being opened, idle or lent
};

class pg_connection_pool::lease {
  public:
    lease(lease&& other) noexcept : pool_(other.pool_), item_(std::move(other.item_)) {
        other.pool_ = nullptr;
    }
    lease& operator=(lease&&) = delete;
    ~lease() {
        if (pool_ != nullptr) pool_->give_back(std::move(item_));
    }
    PGconn* get() const { return item_.conn.get(); }

  private:
    friend class pg_connection_pool;
    lease(pg_connection_pool* pool, entry item) : pool_(pool), item_(std::move(item)) {}
    pg_connection_pool* pool_;
    entry item_;
};

}  // namespace asyncbench
