#pragma once
// A throwaway redis-server for one test (Debian's redis-server, as `--redis embedded` starts
// it), or the reason there is none, so the test can skip saying why.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
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

// A port nothing listens on: bound by the kernel's choice, then released.
inline std::uint16_t unused_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
    ::close(fd);
    return ntohs(address.sin_port);
}

}  // namespace asyncbench::testing_support
