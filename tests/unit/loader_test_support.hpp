#pragma once
// What the scenario-loader tests share: every error of a load as text, and the check that one
// error sits at a key and line and says what it should.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "harness/config/scenario_loader.hpp"

namespace asyncbench::testing_support {

inline std::string describe(const std::vector<config_error>& errors) {
    std::string text;
    for (const auto& e : errors) text += format_config_error(e) + "\n";
    return text;
}

// A `watchers:` block of subscribers in both modes, on a channel `c` the file declares
// (incident-alert's fields): what redis_down, watcher_disconnect and the watchers' metrics and
// invariant need.
inline const std::string subscribing_watchers = R"(watchers:
  entity: incident_id
  version: version
  state: state
  sync: {subscribe: {channel: c}}
  async: {subscribe: {channel: c}}
)";

// The one error at `key` whose message contains `words`, on line `line`.
inline void expect_error(const std::vector<config_error>& errors, const std::string& key, int line,
                         const std::string& words) {
    const auto it = std::find_if(errors.begin(), errors.end(), [&](const config_error& e) {
        return e.key == key && e.message.find(words) != std::string::npos;
    });
    ASSERT_NE(it, errors.end()) << "no error at " << key << " saying '" << words << "'; got:\n"
                                << describe(errors);
    EXPECT_EQ(it->line, line) << describe(errors);
}

}  // namespace asyncbench::testing_support
