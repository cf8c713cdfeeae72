#include "harness/store/store_factory.hpp"

#include "harness/store/postgres_store.hpp"

namespace asyncbench {

store_address store_address_for(const database_choice& database,
                                const std::filesystem::path& out_dir, const std::string& mode,
                                const std::string& run_id) {
    if (database.type == database_choice::kind::postgres) {
        return {database.type, database.url, "ab_" + run_id + "_" + mode};
    }
    return {database.type, (out_dir / (mode + ".sqlite")).string(), ""};
}

std::unique_ptr<store> open_store(const store_address& address, int pool_size, store_open mode) {
    if (address.type == database_choice::kind::postgres) {
        return open_postgres_store(address.location, pool_size, address.schema, mode);
    }
    return open_sqlite_store(address.location, mode);
}

}  // namespace asyncbench
