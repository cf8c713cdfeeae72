// Feeds arbitrary bytes to the scenario loader as a scenario file and as a mock's --config.
// The promise under test (harness/config/scenario_loader.hpp): whatever the text, the loader
// returns either a config that respects the schema's cross-field rules, or a non-empty list of
// located errors, each with a message a user can act on. Never a throw, a hang or an empty list.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "harness/config/scenario_loader.hpp"
#include "scenarios/scenario_plugin.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using namespace asyncbench;

constexpr std::string_view origin = "fuzz.yaml";
// yaml_reader keeps 200 errors plus one line saying the rest were dropped.
constexpr std::size_t max_reported_errors = 201;

// Lines as YAML counts them (\n, \r\n or a lone \r ends one), plus one for the last.
int line_count(std::string_view text) {
    int lines = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) {
            ++lines;
        }
    }
    return lines;
}

void check_errors(const std::vector<config_error>& errors, std::string_view text) {
    FUZZ_CHECK(!errors.empty(), "a rejected file must say why");
    FUZZ_CHECK(errors.size() <= max_reported_errors, "the error list is capped");
    const int lines = line_count(text);
    for (std::size_t i = 0; i < errors.size(); ++i) {
        const auto& error = errors[i];
        FUZZ_CHECK(!error.message.empty(), "every error has a message");
        FUZZ_CHECK(error.file == origin, "every error names the file");
        FUZZ_CHECK(error.line >= 0 && error.column >= 0, "positions are 1-based or 0");
        FUZZ_CHECK(error.column == 0 || error.line > 0, "a column only comes with a line");
        FUZZ_CHECK(error.line <= lines, "an error points into the file");
        // Sorted top to bottom (yaml_reader::take_errors), the "more than 200" note last.
        const bool truncation_note = i + 1 == errors.size() && i == max_reported_errors - 1;
        FUZZ_CHECK(i == 0 || truncation_note ||
                       std::pair(errors[i - 1].line, errors[i - 1].column) <=
                           std::pair(error.line, error.column),
                   "errors are listed top to bottom");
        // guarded() in scenario_loader.cpp turns an escaped exception into this message; its
        // own comment calls that a bug, so the fuzzer does too.
        FUZZ_CHECK(error.message.rfind("internal error while reading", 0) != 0,
                   "an exception escaped the loader's own checks");
    }
}

// What the engine relies on without re-checking (see scenarios/SCHEMA.md).
void check_config(const scenario_config& config) {
    FUZZ_CHECK(!config.name.empty(), "name is required");
    FUZZ_CHECK(find_plugin(config.plugin) != nullptr, "plugin is a registered one");
    FUZZ_CHECK(config.source_path == origin, "the config remembers its file");
    FUZZ_CHECK(!config.async.topic.empty(), "a topic always exists (default from the name)");
    FUZZ_CHECK(config.async.backoff_max >= config.async.backoff_initial,
               "backoff_max >= backoff_initial");
    FUZZ_CHECK(config.load.duration.count() > 0, "the measured phase is not empty");
    FUZZ_CHECK(config.body_limit_bytes >= 1, "body_limit >= 1B");
    FUZZ_CHECK(!config.workflow.empty(), "at least one stage");
    std::set<std::string> systems;
    for (const auto& system : config.systems) systems.insert(system.name);
    std::set<std::string> redis_keys;
    for (const auto& key : config.redis) redis_keys.insert(key.name);
    bool kafka_seen[all_modes.size()] = {};
    for (std::size_t s = 0; s < config.workflow.size(); ++s) {
        const auto& stage = config.workflow[s];
        FUZZ_CHECK(!stage.steps.empty(), "every stage has a step");
        FUZZ_CHECK(s > 0 || stage.order == stage_order::follows, "the first stage never fans out");
        for (const mode m : all_modes) {
            const auto i = static_cast<std::size_t>(m);
            const bool kafka = stage.where(m) == placement::kafka;
            FUZZ_CHECK(!kafka || traits_of(m).uses_kafka, "kafka stages only in a mode with Kafka");
            FUZZ_CHECK(kafka || !kafka_seen[i], "no inline stage after a kafka stage");
            kafka_seen[i] = kafka_seen[i] || kafka;
        }
        for (const auto& step : stage.steps) {
            if (const auto* call = step.as<call_step>()) {
                FUZZ_CHECK(systems.count(call->system) == 1, "a call step names a declared system");
            }
            if (const auto* db = step.as<db_step>()) {
                const bool record = db->op == db_step::operation::record_insert ||
                                    db->op == db_step::operation::record_update;
                const auto* table = config.table(db->table);
                FUZZ_CHECK(record || table != nullptr, "a db step names a declared table");
                if (db->op == db_step::operation::decrement && table != nullptr) {
                    const auto* column = table->column(db->column);
                    FUZZ_CHECK(column != nullptr && column->kind == column_spec::type::integer,
                               "a decrement names an integer column");
                }
            }
            if (const auto* redis = step.as<redis_step>()) {
                FUZZ_CHECK(redis_keys.count(redis->key) == 1, "a redis step names a declared key");
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);

    auto scenario = load_scenario_text(text, std::string(origin));
    if (auto* errors = std::get_if<std::vector<config_error>>(&scenario)) {
        check_errors(*errors, text);
    } else {
        check_config(std::get<scenario_config>(scenario));
    }

    // The same text as a standalone mock's --config: a whole scenario, a system or one
    // operation. "lp" is the system the lp-report seed declares.
    auto system = load_system_text(text, std::string(origin), "lp");
    if (auto* errors = std::get_if<std::vector<config_error>>(&system)) {
        check_errors(*errors, text);
    } else {
        FUZZ_CHECK(std::get<system_spec>(system).name == "lp", "the system keeps its name");
    }
    return 0;
}
