#include "harness/store/store_factory.hpp"

#include "harness/store/postgres_store.hpp"

namespace asyncbench {

std::unique_ptr<store> open_store(const database_choice& database,
                                  const std::filesystem::path& out_dir, const std::string& mode,
                                  const std::string& run_id, int pool_size) {
    if (database.type == database_choice::kind::postgres) {
        return open_postgres_store(database.url, pool_size, "ab_" + run_id + "_" + mode);
    }
    return open_sqlite_store((out_dir / (mode + ".sqlite")).string());
}

}  // namespace asyncbench
