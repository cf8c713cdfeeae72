#pragma once
// Thin RAII over the SQLite C API for the SQLite store: connections, prepared statements and a
// per-connection cache of them. SQLite's C API is the library; there is no well-kept C++ layer
// in Debian that gives us statement reuse and error texts the way the store needs them.
//
// Thread-safety: none. A connection and everything prepared on it belong to one session (one
// thread at a time); the store opens one connection per session.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

namespace asyncbench {

// Opens (creating if needed) the database file with a 30 s busy timeout and synchronous =
// NORMAL. Throws store_error.
sqlite3* open_sqlite_connection(const std::string& path);

// Runs one or more SQL statements that return no rows. Throws store_error with SQLite's text.
void sqlite_exec(sqlite3* db, const char* sql);

class sqlite_statement {
  public:
    // Prepares `sql` on `db` (persistent: it is meant to be reused). Throws store_error.
    sqlite_statement(sqlite3* db, const std::string& sql);
    ~sqlite_statement();
    sqlite_statement(const sqlite_statement&) = delete;
    sqlite_statement& operator=(const sqlite_statement&) = delete;

    sqlite_statement& bind(int index, const std::string& value);  // copied by SQLite
    sqlite_statement& bind(int index, std::int64_t value);
    bool step();  // true while a row is available; throws store_error on failure
    std::string text(int column) const;
    std::int64_t integer(int column) const;
    bool is_null(int column) const;
    // Ready to step again with new bindings. A stepped statement that is not reset keeps its
    // read snapshot open, which in WAL mode holds back checkpoints: reset after every use.
    void reset();

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// Statements prepared once per connection and reused, keyed by their SQL text. Parsing and
// planning a statement costs more than running these one-row statements, and the writers'
// critical section should hold only the run. The SQL texts come from the code and the
// scenario's declared tables, so the cache stays small.
class sqlite_statement_cache {
  public:
    // A borrowed statement, reset (bindings cleared, snapshot released) when the lease ends.
    class lease {
      public:
        explicit lease(sqlite_statement& statement) : statement_(&statement) {}
        ~lease() { statement_->reset(); }
        lease(const lease&) = delete;
        lease& operator=(const lease&) = delete;
        sqlite_statement* operator->() const { return statement_; }
        sqlite_statement& operator*() const { return *statement_; }

      private:
        sqlite_statement* statement_;
    };

    explicit sqlite_statement_cache(sqlite3* db) : db_(db) {}
    // Prepares on first use. Two leases of one SQL text must not overlap (they would share the
    // statement); the store never nests the same statement.
    lease get(const std::string& sql);

  private:
    sqlite3* db_;
    std::unordered_map<std::string, std::unique_ptr<sqlite_statement>> statements_;
};

}  // namespace asyncbench
