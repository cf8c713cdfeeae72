#pragma once
// Strict reading of a parsed YAML tree. Every accessor checks the node's type and range and,
// instead of throwing, records a config_error located by file, line, column and dotted key path,
// then returns nullopt; the caller keeps going, so one pass reports every problem in a file.
// Never throws on any tree yaml-cpp can produce. Not thread-safe: one reader per document.
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/config/config_error.hpp"

namespace asyncbench {

// The longest duration any key accepts (7 days): far beyond any run, and far enough from the
// nanosecond range's end that sums of configured durations cannot overflow.
inline constexpr std::chrono::nanoseconds max_config_duration = std::chrono::hours(24 * 7);

// "a, b, c", or "none" for an empty list: for messages listing what exists.
std::string join_names(const std::vector<std::string>& names);

// "load" + "rate" -> "load.rate"; "" + "name" -> "name".
std::string key_path(std::string_view parent, std::string_view key);
// "workflow" + 1 -> "workflow[1]".
std::string index_path(std::string_view parent, std::size_t index);

// A YAML mapping whose keys have been checked. Entries keep document order.
class yaml_map {
  public:
    struct entry {
        std::string key;
        YAML::Node key_node;
        YAML::Node value;
    };

    // nullptr when the key is absent. The pointer lives as long as this yaml_map.
    const YAML::Node* find(std::string_view key) const;
    bool has(std::string_view key) const { return find(key) != nullptr; }
    const std::vector<entry>& entries() const { return entries_; }
    const YAML::Node& node() const { return node_; }
    const std::string& path() const { return path_; }
    std::string child(std::string_view key) const { return key_path(path_, key); }

  private:
    friend class yaml_reader;
    YAML::Node node_;
    std::string path_;
    std::vector<entry> entries_;
};

class yaml_reader {
  public:
    // Past this many errors the rest are dropped: a fuzzed or badly broken file would otherwise
    // produce a wall of text (or, through YAML aliases, millions of entries).
    static constexpr std::size_t max_errors = 200;

    explicit yaml_reader(std::string origin) : origin_(std::move(origin)) {}

    const std::string& origin() const { return origin_; }
    void add_error(const YAML::Node& at, std::string path, std::string message);
    void add_error(int line, int column, std::string path, std::string message);
    bool has_errors() const { return !errors_.empty(); }
    // Sorted by line and column, so the report reads top to bottom whatever the check order.
    std::vector<config_error> take_errors();

    // A map whose keys must all be in `allowed`; unknown and duplicate keys are reported (the
    // known entries are still returned, so their values get checked too). nullopt if `node` is
    // not a map.
    std::optional<yaml_map> read_map(const YAML::Node& node, const std::string& path,
                                     const std::vector<std::string_view>& allowed);
    // A map with free-form keys (names chosen by the user); duplicates are still reported.
    std::optional<yaml_map> read_open_map(const YAML::Node& node, const std::string& path);
    std::optional<std::vector<YAML::Node>> read_sequence(const YAML::Node& node,
                                                         const std::string& path);

    // The scalar's text, untouched. `what` names the expected thing in the error message.
    std::optional<std::string> read_scalar(const YAML::Node& node, const std::string& path,
                                           std::string_view what = "a string");
    // Decimal integer in [min, max].
    std::optional<std::int64_t> read_int(const YAML::Node& node, const std::string& path,
                                         std::int64_t min, std::int64_t max);
    // Finite number in [min, max].
    std::optional<double> read_number(const YAML::Node& node, const std::string& path, double min,
                                      double max);
    // A duration (units.hpp) in [min, max] and a whole multiple of `resolution`, because the
    // field it lands in cannot hold finer values and silently truncating "500us" to 0ms would
    // change the meaning of the file.
    std::optional<std::chrono::nanoseconds> read_duration(const YAML::Node& node,
                                                          const std::string& path,
                                                          std::chrono::nanoseconds min,
                                                          std::chrono::nanoseconds max,
                                                          std::chrono::nanoseconds resolution);
    std::optional<std::size_t> read_size(const YAML::Node& node, const std::string& path,
                                         std::size_t min, std::size_t max);
    // A rate (units.hpp) in [min, max] per second.
    std::optional<double> read_rate(const YAML::Node& node, const std::string& path, double min,
                                    double max);
    // One of `choices`; the error lists them.
    template <typename Enum>
    std::optional<Enum> read_enum(const YAML::Node& node, const std::string& path,
                                  std::initializer_list<std::pair<std::string_view, Enum>> choices);

    // The value of a required key, or nullptr after reporting it missing (at the map's line).
    const YAML::Node* require(const yaml_map& map, std::string_view key);

    // Field helpers: when `key` is present and valid, store it in `out`; otherwise keep the
    // default already in `out` (errors are recorded). Durations convert to the field's type.
    void int_field(const yaml_map& map, std::string_view key, int& out, std::int64_t min,
                   std::int64_t max);
    void number_field(const yaml_map& map, std::string_view key, double& out, double min,
                      double max);
    void string_field(const yaml_map& map, std::string_view key, std::string& out);
    template <typename Rep, typename Period>
    void duration_field(const yaml_map& map, std::string_view key,
                        std::chrono::duration<Rep, Period>& out, std::chrono::nanoseconds min,
                        std::chrono::nanoseconds max);

  private:
    std::optional<yaml_map> read_map_impl(const YAML::Node& node, const std::string& path,
                                          const std::vector<std::string_view>* allowed);

    std::string origin_;
    std::vector<config_error> errors_;
    // yaml-cpp places an empty value (`load:` then a new line) at the next token, often on the
    // next line; errors about such values point at their key instead.
    std::vector<std::pair<YAML::Node, YAML::Mark>> null_value_keys_;
    bool truncated_ = false;
};

// "a map", "a sequence", "null", "'text'": what was found, for "expected X, got Y" messages.
std::string describe_node(const YAML::Node& node);

template <typename Enum>
std::optional<Enum> yaml_reader::read_enum(
    const YAML::Node& node, const std::string& path,
    std::initializer_list<std::pair<std::string_view, Enum>> choices) {
    std::string names;
    for (const auto& choice : choices) {
        names += (names.empty() ? "" : "|") + std::string(choice.first);
    }
    const auto text = read_scalar(node, path, "one of " + names);
    if (!text) {
        return std::nullopt;
    }
    for (const auto& [name, value] : choices) {
        if (*text == name) {
            return value;
        }
    }
    add_error(node, path, "expected one of " + names + ", got " + describe_node(node));
    return std::nullopt;
}

template <typename Rep, typename Period>
void yaml_reader::duration_field(const yaml_map& map, std::string_view key,
                                 std::chrono::duration<Rep, Period>& out,
                                 std::chrono::nanoseconds min, std::chrono::nanoseconds max) {
    using field_t = std::chrono::duration<Rep, Period>;
    const YAML::Node* node = map.find(key);
    if (node == nullptr) {
        return;
    }
    const auto resolution = std::chrono::duration_cast<std::chrono::nanoseconds>(field_t{1});
    if (const auto value = read_duration(*node, map.child(key), min, max, resolution)) {
        out = std::chrono::duration_cast<field_t>(*value);
    }
}

}  // namespace asyncbench
