#pragma once
// Whether two runs measured the same thing, so `asyncbench compare` may set their numbers side
// by side: the same scenario, settings, broker kind and database kind. A difference there
// changes what is measured, so compare refuses it unless --force. A different machine does not
// change what is measured, only how noisy and how fast: a warning. Pure; thread-safe.
#include <string>
#include <string_view>
#include <vector>

#include "harness/result/run_result.hpp"

namespace asyncbench {

// Producer and consumer settings that name the run or where its broker listened, not how the
// clients behave (the embedded broker listens on new ports and every run has its own group
// ids): left out of the settings comparison.
inline constexpr std::string_view per_run_client_settings[] = {
    "bootstrap.servers", "group.id", "group.instance.id", "client.id", "transactional.id"};

// The database's kind from environment.database: "SQLite" or "PostgreSQL" (case-insensitive
// prefix "sqlite" or "postgres"; older files say "sqlite"), else the text as written.
std::string database_kind(std::string_view database);

// One line per difference that refuses a comparison, "rate_per_s: baseline 200, candidate 400":
// the scenario, every run_settings field except `repetitions` (client settings key by key,
// except per_run_client_settings), environment.broker_kind and database_kind. Empty when the
// runs can be compared.
std::vector<std::string> run_differences(const run_result& baseline, const run_result& candidate);

// One line per difference in host, CPU or core count: the numbers can be compared, but a
// different machine moves them; compare on one machine.
std::vector<std::string> environment_warnings(const run_result& baseline,
                                              const run_result& candidate);

}  // namespace asyncbench
