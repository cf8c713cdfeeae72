#include "harness/config/units.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace asyncbench {
namespace {

struct split_quantity {
    double number = 0;
    bool has_fraction = false;
    std::string_view unit;  // the text after the number, leading blanks removed
};

std::string_view trim(std::string_view text) {
    auto is_blank = [](char c) { return c == ' ' || c == '\t'; };
    while (!text.empty() && is_blank(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_blank(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

// Splits "1.5ms" into 1.5 and "ms". Only plain decimals are accepted: no sign (negative values
// are errors everywhere), no exponent, no "inf"/"nan", which std::from_chars would let through.
std::optional<split_quantity> split(std::string_view text) {
    text = trim(text);
    std::size_t digits_end = 0;
    std::size_t digit_count = 0;
    bool seen_point = false;
    bool has_fraction = false;
    while (digits_end < text.size()) {
        const char c = text[digits_end];
        if (std::isdigit(static_cast<unsigned char>(c))) {
            ++digit_count;
            has_fraction = has_fraction || seen_point;
        } else if (c == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
        ++digits_end;
    }
    if (digit_count == 0) {
        return std::nullopt;
    }
    split_quantity result;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + digits_end, result.number);
    // A huge digit string overflows to result_out_of_range: rejected rather than saturated.
    if (ec != std::errc{} || end != text.data() + digits_end || !std::isfinite(result.number)) {
        return std::nullopt;
    }
    result.has_fraction = has_fraction;
    result.unit = trim(text.substr(digits_end));
    return result;
}

// Multiplies and rounds, refusing anything that does not fit the target type.
template <typename Int>
std::optional<Int> scale(double number, double factor) {
    const long double value = static_cast<long double>(number) * factor;
    // Compare in long double against a bound strictly below the maximum, so the conversion
    // below can never overflow whatever rounding the comparison involves.
    if (!(value >= 0) || value >= static_cast<long double>(std::numeric_limits<Int>::max()) / 2) {
        return std::nullopt;
    }
    return static_cast<Int>(std::llround(value));
}

}  // namespace

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
    const auto parsed = split(text);
    if (!parsed) {
        return std::nullopt;
    }
    struct unit_factor {
        std::string_view unit;
        double nanoseconds;
    };
    static constexpr std::array<unit_factor, 7> units{{
        {"ns", 1.0},
        {"us", 1e3},
        {"\xC2\xB5s", 1e3},  // "µs", as some tools print it
        {"ms", 1e6},
        {"s", 1e9},
        {"m", 60e9},
        {"h", 3600e9},
    }};
    if (parsed->unit.empty()) {
        // "0" needs no unit; any other bare number is ambiguous (seconds? milliseconds?).
        if (parsed->number == 0) {
            return std::chrono::nanoseconds{0};
        }
        return std::nullopt;
    }
    for (const auto& [unit, factor] : units) {
        if (parsed->unit == unit) {
            const auto count = scale<std::int64_t>(parsed->number, factor);
            if (!count) {
                return std::nullopt;
            }
            return std::chrono::nanoseconds{*count};
        }
    }
    return std::nullopt;
}

std::optional<std::size_t> parse_size(std::string_view text) {
    const auto parsed = split(text);
    if (!parsed) {
        return std::nullopt;
    }
    struct unit_factor {
        std::string_view unit;
        double bytes;
    };
    // Binary units only: "KB" means 1000 to some users and 1024 to others, so it is rejected.
    static constexpr std::array<unit_factor, 5> units{{
        {"", 1.0},
        {"B", 1.0},
        {"KiB", 1024.0},
        {"MiB", 1024.0 * 1024},
        {"GiB", 1024.0 * 1024 * 1024},
    }};
    for (const auto& [unit, factor] : units) {
        if (parsed->unit != unit) {
            continue;
        }
        const long double exact = static_cast<long double>(parsed->number) * factor;
        // "1.5KiB" is a whole number of bytes, "1.5B" or "0.3KiB" is not.
        if (exact != std::floor(exact)) {
            return std::nullopt;
        }
        return scale<std::size_t>(parsed->number, factor);
    }
    return std::nullopt;
}

std::optional<double> parse_percent(std::string_view text) {
    if (!text.ends_with('%')) return std::nullopt;
    text.remove_suffix(1);
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
        !std::isfinite(value) || value < 0) {
        return std::nullopt;
    }
    return value / 100.0;
}

std::optional<double> parse_rate(std::string_view text) {
    text = trim(text);
    if (text.size() >= 2 && text.substr(text.size() - 2) == "/s") {
        text.remove_suffix(2);
    }
    const auto parsed = split(text);
    if (!parsed) {
        return std::nullopt;
    }
    double factor = 0;
    if (parsed->unit.empty()) {
        factor = 1;
    } else if (parsed->unit == "k") {
        factor = 1e3;
    } else if (parsed->unit == "M") {
        factor = 1e6;
    } else {
        return std::nullopt;
    }
    const double rate = parsed->number * factor;
    if (!std::isfinite(rate) || rate < 0) {
        return std::nullopt;
    }
    return rate;
}

std::string format_duration(std::chrono::nanoseconds value) {
    std::string sign;
    // Negative durations never come out of the loader, but a report may format a difference.
    auto count = static_cast<std::uint64_t>(value.count());
    if (value.count() < 0) {
        sign = "-";
        count = ~count + 1;  // two's complement magnitude, safe for the minimum value too
    }
    if (count == 0) {
        return "0s";
    }
    struct unit_divisor {
        const char* unit;
        std::uint64_t nanoseconds;
    };
    static constexpr std::array<unit_divisor, 4> units{{
        {"s", 1'000'000'000},
        {"ms", 1'000'000},
        {"us", 1'000},
        {"ns", 1},
    }};
    for (const auto& [unit, divisor] : units) {
        if (count < divisor) {
            continue;
        }
        // Integer arithmetic keeps the rendering exact: 1500ms is "1.5s", never "1.4999s".
        std::string text = sign + std::to_string(count / divisor);
        std::uint64_t remainder = count % divisor;
        if (remainder != 0) {
            std::string fraction = std::to_string(remainder + divisor).substr(1);
            while (fraction.back() == '0') {
                fraction.pop_back();
            }
            text += "." + fraction;
        }
        return text + unit;
    }
    return sign + std::to_string(count) + "ns";  // unreachable: the "ns" divisor is 1
}

}  // namespace asyncbench
