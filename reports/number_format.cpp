#include "reports/number_format.hpp"

#include <fmt/format.h>

#include <cmath>

namespace asyncbench {

std::string format_ms(double us) {
    if (!std::isfinite(us)) return "n/a";
    const double ms = us / 1000.0;
    return std::fabs(ms) < 100.0 ? fmt::format("{:.2f}", ms) : fmt::format("{:.1f}", ms);
}

std::string format_latency_ms(const latency_summary& l, double latency_summary::*field,
                              std::string_view none) {
    return l.count == 0 ? std::string(none) : format_ms(l.*field);
}

std::string format_rate(double per_s) {
    if (!std::isfinite(per_s)) return "n/a";
    return fmt::format("{:.1f}", per_s);
}

std::string format_seconds(double s) {
    if (!std::isfinite(s)) return "n/a";
    return std::fabs(s) < 10.0 ? fmt::format("{:.2f}", s) : fmt::format("{:.1f}", s);
}

std::string format_run_time(double s) {
    if (!std::isfinite(s)) return "n/a";
    return fmt::format("{:.1f}", s);
}

std::string format_percent(double share) {
    if (!std::isfinite(share)) return "n/a";
    std::string text = fmt::format("{:.2f}", share * 100.0);
    // 99.999% availability must not read as 100%: show more digits until it does not.
    if (share < 1.0 && text == "100.00") {
        text = fmt::format("{:.4f}", share * 100.0);
        if (text == "100.0000") return ">99.9999%";
    }
    return text + "%";
}

std::string format_count(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string format_ratio(double ratio) {
    if (!std::isfinite(ratio)) return "n/a";
    return fmt::format("{:.1f}x", ratio);
}

}  // namespace asyncbench
