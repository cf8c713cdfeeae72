#include "harness/result/json_text.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>

namespace asyncbench {

namespace json = boost::json;

namespace {

// ---------------------------------------------------------------------------------------------
// Printing, done here because Boost 1.81 has no pretty printer and writes doubles as "1.5E0".

// Writes s as a JSON string. Invalid UTF-8 bytes become U+FFFD: the parser rejects them, and an
// unreadable result.json would lose the whole run over one odd host name.
void append_string(std::string& out, std::string_view s) {
    out += '"';
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                case '\b':
                    out += "\\b";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                default:
                    if (c < 0x20) {
                        out += fmt::format("\\u{:04x}", c);
                    } else {
                        out += static_cast<char>(c);
                    }
            }
            ++i;
            continue;
        }
        // Length and smallest code point of a well-formed sequence starting with c.
        std::size_t len = 0;
        std::uint32_t cp = 0, min_cp = 0;
        if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1F, min_cp = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0F, min_cp = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, cp = c & 0x07, min_cp = 0x10000;
        }
        bool ok = len != 0 && i + len <= s.size();
        for (std::size_t k = 1; ok && k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            ok = (cc & 0xC0) == 0x80;
            cp = (cp << 6) | (cc & 0x3F);
        }
        ok = ok && cp >= min_cp && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        if (ok) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    out += '"';
}

void append_double(std::string& out, double v) {
    // fmt's "{}" is the shortest text that reads back to the same double.
    std::string text = fmt::format("{}", v);
    if (text.find_first_of(".eE") == std::string::npos) text += ".0";  // stays a float in JSON
    out += text;
}

bool is_scalar(const json::value& v) { return !v.is_object() && !v.is_array(); }

bool is_flat_object(const json::value& v) {
    if (!v.is_object()) return false;
    for (const auto& kv : v.get_object()) {
        if (!is_scalar(kv.value())) return false;
    }
    return true;
}

void append_value(std::string& out, const json::value& v, int indent);

void append_inline(std::string& out, const json::value& v) {
    if (v.is_object()) {
        out += '{';
        bool first = true;
        for (const auto& kv : v.get_object()) {
            if (!first) out += ", ";
            first = false;
            append_string(out, kv.key());
            out += ": ";
            append_value(out, kv.value(), 0);
        }
        out += '}';
    } else {
        append_value(out, v, 0);
    }
}

void newline(std::string& out, int indent) {
    out += '\n';
    out.append(static_cast<std::size_t>(indent), ' ');
}

// Objects one key a line; arrays of scalars or flat objects (series samples, call checks) one
// element a line, so a 600-second series stays 600 lines, not 5,000.
void append_value(std::string& out, const json::value& v, int indent) {
    switch (v.kind()) {
        case json::kind::null:
            out += "null";
            return;
        case json::kind::bool_:
            out += v.get_bool() ? "true" : "false";
            return;
        case json::kind::int64:
            out += std::to_string(v.get_int64());
            return;
        case json::kind::uint64:
            out += std::to_string(v.get_uint64());
            return;
        case json::kind::double_:
            append_double(out, v.get_double());
            return;
        case json::kind::string:
            append_string(out, v.get_string());
            return;
        case json::kind::object: {
            const auto& o = v.get_object();
            if (o.empty()) {
                out += "{}";
                return;
            }
            out += '{';
            bool first = true;
            for (const auto& kv : o) {
                if (!first) out += ',';
                first = false;
                newline(out, indent + 2);
                append_string(out, kv.key());
                out += ": ";
                append_value(out, kv.value(), indent + 2);
            }
            newline(out, indent);
            out += '}';
            return;
        }
        case json::kind::array: {
            const auto& a = v.get_array();
            if (a.empty()) {
                out += "[]";
                return;
            }
            out += '[';
            bool first = true;
            for (const auto& e : a) {
                if (!first) out += ',';
                first = false;
                newline(out, indent + 2);
                if (is_scalar(e) || is_flat_object(e)) {
                    append_inline(out, e);
                } else {
                    append_value(out, e, indent + 2);
                }
            }
            newline(out, indent);
            out += ']';
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing. Boost 1.81's parser rounds some doubles off by one ulp, which would break the exact
// round trip, so numbers are converted here from their text with std::from_chars.

struct exact_number_handler {
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    json::value_stack st;
    std::string number;  // text of the number being parsed, across buffer boundaries

    using ec_t = json::error_code;
    bool on_document_begin(ec_t&) { return true; }
    bool on_document_end(ec_t&) { return true; }
    bool on_object_begin(ec_t&) { return true; }
    bool on_object_end(std::size_t n, ec_t&) { return st.push_object(n), true; }
    bool on_array_begin(ec_t&) { return true; }
    bool on_array_end(std::size_t n, ec_t&) { return st.push_array(n), true; }
    bool on_key_part(json::string_view s, std::size_t, ec_t&) { return st.push_chars(s), true; }
    bool on_key(json::string_view s, std::size_t, ec_t&) { return st.push_key(s), true; }
    bool on_string_part(json::string_view s, std::size_t, ec_t&) { return st.push_chars(s), true; }
    bool on_string(json::string_view s, std::size_t, ec_t&) { return st.push_string(s), true; }
    bool on_number_part(json::string_view s, ec_t&) {
        number.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t i, json::string_view, ec_t&) {
        number.clear();
        return st.push_int64(i), true;
    }
    bool on_uint64(std::uint64_t u, json::string_view, ec_t&) {
        number.clear();
        return st.push_uint64(u), true;
    }
    bool on_double(double d, json::string_view s, ec_t&) {
        number.append(s.data(), s.size());
        double exact = d;
        const char* end = number.data() + number.size();
        auto [ptr, err] = std::from_chars(number.data(), end, exact);
        if (err != std::errc() || ptr != end) exact = d;  // out of range: keep Boost's value
        number.clear();
        return st.push_double(exact), true;
    }
    bool on_bool(bool b, ec_t&) { return st.push_bool(b), true; }
    bool on_null(ec_t&) { return st.push_null(), true; }
    bool on_comment_part(json::string_view, ec_t&) { return true; }
    bool on_comment(json::string_view, ec_t&) { return true; }
};

}  // namespace

std::string to_pretty_json(const json::value& value) {
    std::string out;
    append_value(out, value, 0);
    return out;
}

std::variant<json::value, std::string> parse_json_exact(std::string_view text) {
    json::basic_parser<exact_number_handler> parser{json::parse_options{}};
    parser.handler().st.reset();
    json::error_code ec;
    const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
    if (ec) return "not valid JSON: " + ec.message() + " (at byte " + std::to_string(used) + ")";
    // Trailing whitespace is consumed by the parser; anything else is a second document.
    if (used != text.size()) {
        return "not valid JSON: unexpected text after the document (at byte " +
               std::to_string(used) + ")";
    }
    return parser.handler().st.release();
}

}  // namespace asyncbench
