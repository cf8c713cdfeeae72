#pragma once
// A throwaway redis-server for one test (Debian's redis-server, as `--redis embedded` starts
// it), or the reason there is none, so the test can skip saying why.
#include <filesystem>
#include <memory>
#include <string>

#include "harness/redis/local_redis.hpp"
#include "tests/unit/pg_test_support.hpp"

namespace asyncbench::testing_support {

// nullptr with `why` set when redis-server cannot start here.
inline std::unique_ptr<redis_service> test_redis(std::string& why) {
    try {
        return start_embedded_redis(std::filesystem::temp_directory_path() /
                                    (unique_test_name() + "-redis"));
    } catch (const std::exception& e) {
        why = e.what();
        return nullptr;
    }
}

}  // namespace asyncbench::testing_support
