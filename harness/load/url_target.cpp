#include "harness/load/url_target.hpp"

#include <charconv>

namespace asyncbench {

std::variant<load_target, std::string> parse_url_target(std::string_view url) {
    const std::string quoted = "'" + std::string(url) + "'";
    constexpr std::string_view scheme = "http://";
    if (url.starts_with("https://")) {
        return quoted + ": https is not supported (plain HTTP/1.1 only); use http://";
    }
    if (!url.starts_with(scheme)) {
        return quoted + ": expected http://HOST[:PORT][/PATH], e.g. http://127.0.0.1:8080/orders";
    }
    std::string_view rest = url.substr(scheme.size());
    const auto slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    std::string path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (path.front() == '?') path = "/" + path;
    if (authority.find('@') != std::string_view::npos) {
        return quoted + ": user names and passwords are not supported";
    }
    load_target target;
    target.path = path;
    std::string_view port_text;
    if (authority.starts_with("[")) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return quoted + ": an IPv6 host needs its closing ]";
        target.host = std::string(authority.substr(1, close - 1));
        const auto after = authority.substr(close + 1);
        if (!after.empty() && !after.starts_with(":")) return quoted + ": junk after the host";
        if (!after.empty()) port_text = after.substr(1);
    } else {
        const auto colon = authority.rfind(':');
        target.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    }
    if (target.host.empty()) return quoted + ": no host";
    target.port = 80;
    if (!port_text.empty() || authority.ends_with(":")) {
        unsigned value = 0;
        const auto* end = port_text.data() + port_text.size();
        const auto [at, error] = std::from_chars(port_text.data(), end, value);
        if (error != std::errc() || at != end || value == 0 || value > 65535) {
            return quoted + ": the port must be a number from 1 to 65535";
        }
        target.port = static_cast<std::uint16_t>(value);
    }
    return target;
}

}  // namespace asyncbench
