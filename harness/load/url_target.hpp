#pragma once
// A URL as the load generator's target (load_target): `asyncbench load URL` aims the run's own
// open-loop generator at any HTTP service. Pure; thread-safe.
#include <string>
#include <string_view>
#include <variant>

#include "harness/load/load_generator.hpp"

namespace asyncbench {

// "http://HOST[:PORT][/PATH][?QUERY]": HOST a name, an IPv4 address or [IPv6]; PORT 1 to
// 65535 (default 80); the path with its query is sent as the request target ("/" when
// absent). An error text naming what is wrong otherwise (https is refused: the generator
// speaks plain HTTP/1.1, as wrk2 without TLS does).
std::variant<load_target, std::string> parse_url_target(std::string_view url);

}  // namespace asyncbench
