#include "harness/load/url_target.hpp"

#include <gtest/gtest.h>

namespace asyncbench {
namespace {

load_target target_of(std::string_view url) {
    auto parsed = parse_url_target(url);
    if (auto* error = std::get_if<std::string>(&parsed)) {
        ADD_FAILURE() << *error;
        return {};
    }
    return std::get<load_target>(parsed);
}

std::string error_of(std::string_view url) {
    auto parsed = parse_url_target(url);
    if (auto* error = std::get_if<std::string>(&parsed)) return *error;
    ADD_FAILURE() << url << " was accepted";
    return {};
}

TEST(parse_url_target, reads_host_port_and_the_path_with_its_query) {
    const auto t = target_of("http://127.0.0.1:8080/orders?x=1");
    EXPECT_EQ(t.host, "127.0.0.1");
    EXPECT_EQ(t.port, 8080);
    EXPECT_EQ(t.path, "/orders?x=1");
    const auto bare = target_of("http://example.com");
    EXPECT_EQ(bare.host, "example.com");
    EXPECT_EQ(bare.port, 80);
    EXPECT_EQ(bare.path, "/");
    EXPECT_EQ(target_of("http://localhost?a=b").path, "/?a=b");
    const auto v6 = target_of("http://[::1]:9000/x");
    EXPECT_EQ(v6.host, "::1");
    EXPECT_EQ(v6.port, 9000);
    EXPECT_EQ(v6.path, "/x");
}

TEST(parse_url_target, names_what_is_wrong) {
    EXPECT_NE(error_of("https://example.com/").find("https is not supported"), std::string::npos);
    EXPECT_NE(error_of("example.com:80/x").find("expected http://"), std::string::npos);
    EXPECT_NE(error_of("http://:80/").find("no host"), std::string::npos);
    EXPECT_NE(error_of("http://h:0/").find("port must be a number from 1 to 65535"),
              std::string::npos);
    EXPECT_NE(error_of("http://h:99999/").find("port must be"), std::string::npos);
    EXPECT_NE(error_of("http://h:/").find("port must be"), std::string::npos);
    EXPECT_NE(error_of("http://u:p@h/").find("passwords are not supported"), std::string::npos);
    EXPECT_NE(error_of("http://[::1/").find("closing ]"), std::string::npos);
}

}  // namespace
}  // namespace asyncbench
