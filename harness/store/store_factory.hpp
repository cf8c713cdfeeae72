#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include "harness/run/infrastructure_options.hpp"
#include "harness/store/store.hpp"

namespace asyncbench {

// The mode's database: SQLite at <out_dir>/<mode>.sqlite, or a fresh PostgreSQL schema
// "ab_<run_id>_<mode>" so runs never see each other's rows. `pool_size` bounds PostgreSQL
// connections (the sync baseline's thread count). Throws store_error naming the database.
std::unique_ptr<store> open_store(const database_choice& database,
                                  const std::filesystem::path& out_dir, const std::string& mode,
                                  const std::string& run_id, int pool_size);

}  // namespace asyncbench
