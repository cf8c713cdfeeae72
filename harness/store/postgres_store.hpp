#pragma once
// The PostgreSQL backend of the store contract (store.hpp), with the SQLite backend's semantics:
// same tables, effects idempotent by (business id, step), first stage outcome wins.
#include <memory>
#include <string>

#include "harness/store/store.hpp"

namespace asyncbench {

// Opens a store in PostgreSQL.
// - conninfo: a libpq URL (postgres://user[:password]@host:port/db) or key=value string.
// - pool_size: connections shared by every session of this store, 1 or more (store_error
//   otherwise). Sessions borrow one per operation and wait when all are busy, so many threads
//   can share few connections; size it for the threads that run concurrently. Connections are
//   opened on demand, up to pool_size; one is opened at once to create the schema.
// - schema: a fresh name per run (e.g. "ab_1a2b3c4d_sync"); it is dropped if it exists, then
//   created with the tables, and every connection's search_path is set to it. It is left in
//   place afterwards so a run's data can be inspected; dropping it is the caller's business.
// Throws store_error naming host, port and database (never the password) with libpq's message
// when it cannot connect or create the schema. The store and its sessions are thread-safe in the
// sense of store.hpp; sessions may outlive the store (they share ownership of the pool).
// With store_open::attach the schema must exist (another process created it) and is used as
// it is.
std::unique_ptr<store> open_postgres_store(const std::string& conninfo, int pool_size,
                                           const std::string& schema,
                                           store_open mode = store_open::create);

}  // namespace asyncbench
