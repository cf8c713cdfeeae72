#include "harness/config/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>

#include "harness/config/units.hpp"

namespace asyncbench {
namespace {

// Long or binary scalars (fuzzer input, a pasted blob) must not flood the message.
std::string quote_scalar(const std::string& text) {
    constexpr std::size_t max_shown = 40;
    std::string shown;
    for (const char c : text.substr(0, max_shown)) {
        const auto byte = static_cast<unsigned char>(c);
        shown += (byte < 0x20 || byte == 0x7f) ? '?' : c;
    }
    if (text.size() > max_shown) {
        shown += "...";
    }
    return "'" + shown + "'";
}

std::string join(const std::vector<std::string_view>& names) {
    std::string text;
    for (const auto name : names) {
        text += (text.empty() ? "" : ", ") + std::string(name);
    }
    return text;
}

// Levenshtein distance, for "did you mean" hints on misspelt keys.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string suggestion(std::string_view key, const std::vector<std::string_view>& allowed) {
    constexpr std::size_t max_key_for_hint = 64;  // keeps the quadratic work bounded
    if (key.size() > max_key_for_hint) {
        return "";
    }
    std::string_view best;
    std::size_t best_distance = 3;  // more than two edits away is not a typo
    for (const auto name : allowed) {
        const std::size_t distance = edit_distance(key, name);
        if (distance < best_distance) {
            best_distance = distance;
            best = name;
        }
    }
    return best.empty() ? "" : "; did you mean '" + std::string(best) + "'?";
}

std::string format_number(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

}  // namespace

std::string join_names(const std::vector<std::string>& names) {
    std::string text;
    for (const auto& name : names) {
        text += (text.empty() ? "" : ", ") + name;
    }
    return text.empty() ? "none" : text;
}

std::string key_path(std::string_view parent, std::string_view key) {
    if (parent.empty()) {
        return std::string(key);
    }
    return std::string(parent) + "." + std::string(key);
}

std::string index_path(std::string_view parent, std::size_t index) {
    return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string describe_node(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Null:
            return "nothing (null)";
        case YAML::NodeType::Scalar:
            return quote_scalar(node.Scalar());
        case YAML::NodeType::Undefined:
            break;
    }
    return "nothing";
}

const YAML::Node* yaml_map::find(std::string_view key) const {
    for (const auto& item : entries_) {
        if (item.key == key) {
            return &item.value;
        }
    }
    return nullptr;
}

void yaml_reader::add_error(const YAML::Node& at, std::string path, std::string message) {
    int line = 0;
    int column = 0;
    if (at.IsDefined()) {
        // yaml-cpp marks are 0-based, with -1 for "no position".
        YAML::Mark mark = at.Mark();
        if (at.IsNull()) {
            for (const auto& [value, key_mark] : null_value_keys_) {
                if (value.is(at)) {
                    mark = key_mark;
                    break;
                }
            }
        }
        line = mark.line >= 0 ? mark.line + 1 : 0;
        column = mark.column >= 0 && line > 0 ? mark.column + 1 : 0;
    }
    add_error(line, column, std::move(path), std::move(message));
}

void yaml_reader::add_error(int line, int column, std::string path, std::string message) {
    if (errors_.size() >= max_errors) {
        truncated_ = true;
        return;
    }
    errors_.push_back({origin_, line, column, std::move(path), std::move(message)});
}

std::vector<config_error> yaml_reader::take_errors() {
    std::stable_sort(errors_.begin(), errors_.end(),
                     [](const config_error& a, const config_error& b) {
                         return std::pair(a.line, a.column) < std::pair(b.line, b.column);
                     });
    if (truncated_) {
        errors_.push_back(
            {origin_, 0, 0, "",
             "more than " + std::to_string(max_errors) + " errors; the rest are not shown"});
    }
    truncated_ = false;
    std::vector<config_error> errors = std::move(errors_);
    errors_.clear();
    return errors;
}

std::optional<yaml_map> yaml_reader::read_map(const YAML::Node& node, const std::string& path,
                                              const std::vector<std::string_view>& allowed) {
    return read_map_impl(node, path, &allowed);
}

std::optional<yaml_map> yaml_reader::read_open_map(const YAML::Node& node,
                                                   const std::string& path) {
    return read_map_impl(node, path, nullptr);
}

std::optional<yaml_map> yaml_reader::read_map_impl(const YAML::Node& node, const std::string& path,
                                                   const std::vector<std::string_view>* allowed) {
    if (!node.IsMap()) {
        add_error(node, path, "expected a map, got " + describe_node(node));
        return std::nullopt;
    }
    yaml_map map;
    map.node_ = node;
    map.path_ = path;
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
        const YAML::Node key_node = it->first;
        const YAML::Node value = it->second;
        if (!key_node.IsScalar()) {
            add_error(key_node, path, "keys must be plain names, got " + describe_node(key_node));
            continue;
        }
        const std::string key = key_node.Scalar();
        const std::string child = key_path(path, key);
        if (allowed != nullptr &&
            std::find(allowed->begin(), allowed->end(), key) == allowed->end()) {
            add_error(key_node, child,
                      "unknown key " + quote_scalar(key) + " (expected one of: " + join(*allowed) +
                          ")" + suggestion(key, *allowed));
            continue;
        }
        // yaml-cpp keeps both entries of a duplicated key; which one wins would be a guess.
        if (!seen.insert(key).second) {
            add_error(key_node, child, "duplicate key " + quote_scalar(key));
            continue;
        }
        if (value.IsNull()) {
            null_value_keys_.emplace_back(value, key_node.Mark());
        }
        map.entries_.push_back({key, key_node, value});
    }
    return map;
}

std::optional<std::vector<YAML::Node>> yaml_reader::read_sequence(const YAML::Node& node,
                                                                  const std::string& path) {
    if (!node.IsSequence()) {
        add_error(node, path, "expected a list, got " + describe_node(node));
        return std::nullopt;
    }
    std::vector<YAML::Node> items;
    for (auto it = node.begin(); it != node.end(); ++it) {
        items.push_back(*it);
    }
    return items;
}

std::optional<std::string> yaml_reader::read_scalar(const YAML::Node& node, const std::string& path,
                                                    std::string_view what) {
    if (!node.IsScalar()) {
        add_error(node, path, "expected " + std::string(what) + ", got " + describe_node(node));
        return std::nullopt;
    }
    return node.Scalar();
}

std::optional<std::int64_t> yaml_reader::read_int(const YAML::Node& node, const std::string& path,
                                                  std::int64_t min, std::int64_t max) {
    const auto text = read_scalar(node, path, "an integer");
    if (!text) {
        return std::nullopt;
    }
    const std::string range =
        "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec == std::errc::result_out_of_range) {
        add_error(node, path, range + ", got " + describe_node(node));
        return std::nullopt;
    }
    if (ec != std::errc{} || end != text->data() + text->size()) {
        add_error(node, path, "expected an integer, got " + describe_node(node));
        return std::nullopt;
    }
    if (value < min || value > max) {
        add_error(node, path, range + ", got " + *text);
        return std::nullopt;
    }
    return value;
}

std::optional<double> yaml_reader::read_number(const YAML::Node& node, const std::string& path,
                                               double min, double max) {
    const auto text = read_scalar(node, path, "a number");
    if (!text) {
        return std::nullopt;
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size() || !std::isfinite(value)) {
        add_error(node, path, "expected a number, got " + describe_node(node));
        return std::nullopt;
    }
    if (value < min || value > max) {
        add_error(
            node, path,
            "must be from " + format_number(min) + " to " + format_number(max) + ", got " + *text);
        return std::nullopt;
    }
    return value;
}

std::optional<std::chrono::nanoseconds> yaml_reader::read_duration(
    const YAML::Node& node, const std::string& path, std::chrono::nanoseconds min,
    std::chrono::nanoseconds max, std::chrono::nanoseconds resolution) {
    const auto text = read_scalar(node, path, "a duration such as 250ms or 30s");
    if (!text) {
        return std::nullopt;
    }
    const auto value = parse_duration(*text);
    if (!value) {
        std::string message =
            "expected a duration such as 250ms, 30s or 2m, got " + describe_node(node);
        double bare = 0;
        const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), bare);
        if (!text->empty() && text->front() == '-') {
            message += "; durations cannot be negative";
        } else if (ec == std::errc{} && end == text->data() + text->size()) {
            message += "; a number needs a unit (write " + *text + "s or " + *text + "ms)";
        }
        add_error(node, path, std::move(message));
        return std::nullopt;
    }
    if (*value < min || *value > max) {
        add_error(node, path,
                  "must be from " + format_duration(min) + " to " + format_duration(max) +
                      ", got " + *text);
        return std::nullopt;
    }
    if (resolution.count() > 1 && value->count() % resolution.count() != 0) {
        add_error(node, path,
                  "must be a whole number of " + format_duration(resolution) + ", got " + *text);
        return std::nullopt;
    }
    return value;
}

std::optional<std::size_t> yaml_reader::read_size(const YAML::Node& node, const std::string& path,
                                                  std::size_t min, std::size_t max) {
    const auto text = read_scalar(node, path, "a size such as 64KiB");
    if (!text) {
        return std::nullopt;
    }
    const auto value = parse_size(*text);
    if (!value) {
        add_error(node, path,
                  "expected a size such as 512B, 64KiB or 1MiB (or whole bytes), got " +
                      describe_node(node));
        return std::nullopt;
    }
    if (*value < min || *value > max) {
        add_error(node, path,
                  "must be from " + std::to_string(min) + " to " + std::to_string(max) +
                      " bytes, got " + *text);
        return std::nullopt;
    }
    return value;
}

std::optional<double> yaml_reader::read_rate(const YAML::Node& node, const std::string& path,
                                             double min, double max) {
    const auto text = read_scalar(node, path, "a rate such as 500/s");
    if (!text) {
        return std::nullopt;
    }
    const auto value = parse_rate(*text);
    if (!value) {
        std::string message =
            "expected a rate such as 500, 500/s or 1.5k/s, got " + describe_node(node);
        if (!text->empty() && text->front() == '-') {
            message += "; rates cannot be negative";
        }
        add_error(node, path, std::move(message));
        return std::nullopt;
    }
    if (*value < min || *value > max) {
        add_error(node, path,
                  "must be from " + format_number(min) + "/s to " + format_number(max) +
                      "/s, got " + *text);
        return std::nullopt;
    }
    return value;
}

const YAML::Node* yaml_reader::require(const yaml_map& map, std::string_view key) {
    const YAML::Node* node = map.find(key);
    if (node == nullptr) {
        add_error(map.node(), map.child(key), "missing required key '" + std::string(key) + "'");
    }
    return node;
}

void yaml_reader::int_field(const yaml_map& map, std::string_view key, int& out, std::int64_t min,
                            std::int64_t max) {
    if (const YAML::Node* node = map.find(key)) {
        if (const auto value = read_int(*node, map.child(key), min, max)) {
            out = static_cast<int>(*value);
        }
    }
}

void yaml_reader::number_field(const yaml_map& map, std::string_view key, double& out, double min,
                               double max) {
    if (const YAML::Node* node = map.find(key)) {
        if (const auto value = read_number(*node, map.child(key), min, max)) {
            out = *value;
        }
    }
}

void yaml_reader::string_field(const yaml_map& map, std::string_view key, std::string& out) {
    if (const YAML::Node* node = map.find(key)) {
        if (auto value = read_scalar(*node, map.child(key))) {
            out = std::move(*value);
        }
    }
}

}  // namespace asyncbench
