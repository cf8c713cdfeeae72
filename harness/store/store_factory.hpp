#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include "harness/run/infrastructure_options.hpp"
#include "harness/store/store.hpp"

namespace asyncbench {

// Where one mode's store lives: enough for a worker process to attach to the same database.
struct store_address {
    database_choice::kind type = database_choice::kind::sqlite;
    std::string location;  // SQLite: the file; PostgreSQL: the libpq URL
    std::string schema;    // PostgreSQL only
};

// SQLite at <out_dir>/<mode>.sqlite, or a fresh PostgreSQL schema "ab_<run_id>_<mode>" so runs
// never see each other's rows.
store_address store_address_for(const database_choice& database,
                                const std::filesystem::path& out_dir, const std::string& mode,
                                const std::string& run_id);

// Creates (or resets) the store, or attaches to one another process created. `pool_size`
// bounds PostgreSQL connections (the threads that write at once). Throws store_error naming
// the database.
std::unique_ptr<store> open_store(const store_address& address, int pool_size,
                                  store_open mode = store_open::create);

}  // namespace asyncbench
