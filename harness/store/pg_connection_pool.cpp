#include "harness/store/pg_connection_pool.hpp"

#include <fmt/format.h>

#include <cctype>

#include "harness/store/store.hpp"

namespace asyncbench {
namespace {

// libpq's messages end with a newline and sometimes span lines; one line reads better in logs.
std::string one_line(const char* text) {
    std::string result = text != nullptr ? text : "";
    while (!result.empty() && std::isspace(static_cast<unsigned char>(result.back()))) {
        result.pop_back();
    }
    for (char& c : result) {
        if (c == '\n') c = ' ';
    }
    return result.empty() ? "unknown error" : result;
}

std::string percent_encode(const std::string& text) {
    std::string result;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == ',') {
            result += static_cast<char>(c);
        } else {
            result += fmt::format("%{:02X}", static_cast<unsigned>(c));
        }
    }
    return result;
}

// Values from the string win; libpq's defaults (which honour PGHOST, PGPORT, ...) fill gaps so
// that messages name where libpq actually tried to connect.
void fill_from(PQconninfoOption* options, pg_target& target, bool only_empty) {
    for (auto* option = options; option != nullptr && option->keyword != nullptr; ++option) {
        if (option->val == nullptr || *option->val == '\0') continue;
        const std::string keyword = option->keyword;
        std::string* field = keyword == "host"       ? &target.host
                             : keyword == "port"     ? &target.port
                             : keyword == "dbname"   ? &target.dbname
                             : keyword == "user"     ? &target.user
                             : keyword == "password" ? &target.password
                                                     : nullptr;
        // hostaddr is where libpq connects when both are given; host then only names it.
        if (keyword == "hostaddr" && target.host.empty()) field = &target.host;
        if (field != nullptr && (!only_empty || field->empty())) *field = option->val;
    }
}

}  // namespace

std::string pg_target::describe() const {
    return fmt::format("host {} port {} database {}", host, port, dbname);
}

std::string pg_target::url_without_password() const {
    std::string url = "postgres://";
    if (!user.empty()) url += percent_encode(user) + "@";
    if (host.find(':') != std::string::npos) {
        url += "[" + host + "]";  // an IPv6 address
    } else {
        url += percent_encode(host);  // a socket directory becomes %2F...
    }
    if (!port.empty()) url += ":" + port;
    return url + "/" + percent_encode(dbname);
}

std::string pg_target::scrub(std::string text) const {
    if (password.empty()) return text;
    for (auto at = text.find(password); at != std::string::npos; at = text.find(password, at + 3)) {
        text.replace(at, password.size(), "***");
    }
    return text;
}

pg_target parse_pg_target(const std::string& conninfo) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    if (options == nullptr) {
        // libpq's parse messages can quote the string, password included: leave them out.
        PQfreemem(error);
        throw store_error(
            "the PostgreSQL connection string is not valid libpq syntax (expected "
            "postgres://USER@HOST:PORT/DB)");
    }
    pg_target target;
    target.conninfo = conninfo;
    fill_from(options, target, false);
    PQconninfoFree(options);
    if (PQconninfoOption* defaults = PQconndefaults()) {
        fill_from(defaults, target, true);
        PQconninfoFree(defaults);
    }
    if (target.dbname.empty()) target.dbname = target.user;
    return target;
}

pg_conn_ptr pg_connect(const pg_target& target) {
    // Settings before "dbname" are overridden by the expanded string, so a URL's own
    // connect_timeout or application_name wins over these.
    const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"10", "asyncbench", target.conninfo.c_str(), nullptr};
    pg_conn_ptr conn(PQconnectdbParams(keywords, values, 1));
    if (!conn) throw store_error("cannot connect to PostgreSQL: out of memory");
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        throw store_error(fmt::format("cannot connect to PostgreSQL at {}: {}", target.describe(),
                                      target.scrub(one_line(PQerrorMessage(conn.get())))));
    }
    // libpq prints server notices ("schema ... does not exist, skipping") to stderr by default;
    // none is actionable here and they would interleave with the run's log.
    PQsetNoticeProcessor(
        conn.get(), [](void*, const char*) {}, nullptr);
    return conn;
}

pg_result_ptr pg_check(PGconn* conn, PGresult* result, const char* what) {
    pg_result_ptr owned(result);
    const auto status = owned ? PQresultStatus(owned.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return owned;
    const char* message = owned ? PQresultErrorMessage(owned.get()) : PQerrorMessage(conn);
    throw store_error(fmt::format("PostgreSQL {}: {}", what, one_line(message)));
}

pg_connection_pool::pg_connection_pool(pg_target target, int size, prepare_fn prepare,
                                       pg_conn_ptr first, std::chrono::milliseconds wait_limit)
    : target_(std::move(target)),
      size_(size),
      prepare_(std::move(prepare)),
      wait_limit_(wait_limit) {
    if (size_ < 1) throw store_error(fmt::format("PostgreSQL pool size {} is below 1", size_));
    if (first) {
        entry opened{};
        opened.conn = std::move(first);
        opened.idle_since = std::chrono::steady_clock::now();  // just opened: no check needed
        idle_.push_back(std::move(opened));
        opened_ = 1;
    }
}

pg_connection_pool::lease pg_connection_pool::borrow() {
    std::unique_lock lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + wait_limit_;
    while (idle_.empty() && opened_ >= size_) {
        if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
            opened_ >= size_) {
            throw store_error(
                fmt::format("no PostgreSQL connection became free within {} ms (pool of {} at {})",
                            wait_limit_.count(), size_, target_.describe()));
        }
    }
    entry item;
    if (!idle_.empty()) {
        item = std::move(idle_.back());
        idle_.pop_back();
    } else {
        ++opened_;  // reserve the slot, then connect without holding the lock
    }
    lock.unlock();

    if (!item.conn) {
        try {
            item.conn = pg_connect(target_);
        } catch (...) {
            lock.lock();
            --opened_;
            lock.unlock();
            freed_.notify_one();
            throw;
        }
    }
    lease result(this, std::move(item));
    make_ready(result.item_);  // on failure the lease's destructor returns the connection
    return result;
}

void pg_connection_pool::make_ready(entry& item) {
    // A connection whose server went away while it sat idle (a restart, a crash) still reads
    // as OK until it is used. One idle for more than a second is checked with an empty query
    // first (as HikariCP checks connections idle past its bypass window), so a borrower gets a
    // live connection instead of its first statement failing; busy connections skip the trip.
    if (!item.needs_reset && PQstatus(item.conn.get()) == CONNECTION_OK &&
        std::chrono::steady_clock::now() - item.idle_since > std::chrono::seconds(1)) {
        pg_result_ptr probe(PQexec(item.conn.get(), ""));
        if (!probe || PQresultStatus(probe.get()) != PGRES_EMPTY_QUERY) item.needs_reset = true;
    }
    if (item.needs_reset || PQstatus(item.conn.get()) != CONNECTION_OK) {
        item.prepared = false;
        item.needs_reset = false;
        PQreset(item.conn.get());
        if (PQstatus(item.conn.get()) != CONNECTION_OK) {
            throw store_error(
                fmt::format("cannot reconnect to PostgreSQL at {}: {}", target_.describe(),
                            target_.scrub(one_line(PQerrorMessage(item.conn.get())))));
        }
    }
    if (!item.prepared) {
        prepare_(item.conn.get());
        item.prepared = true;
    }
}

void pg_connection_pool::give_back(entry item) {
    PGconn* conn = item.conn.get();
    if (conn != nullptr && PQstatus(conn) == CONNECTION_OK &&
        PQtransactionStatus(conn) != PQTRANS_IDLE) {
        // Only reached if a rollback failed: never lend out a connection inside a transaction.
        pg_result_ptr(PQexec(conn, "ROLLBACK"));
        if (PQtransactionStatus(conn) != PQTRANS_IDLE) item.needs_reset = true;
    }
    item.idle_since = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(item));
    }
    freed_.notify_one();
}

}  // namespace asyncbench
