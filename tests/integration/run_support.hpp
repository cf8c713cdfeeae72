#pragma once
// What the end-to-end tests share: a run through the real `run` command into a fresh folder,
// and reading back the result.json it wrote, with the metric and invariant lookups the
// assertions use. A missing file, metric or invariant is a test failure, never a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "harness/cli/run_command.hpp"
#include "harness/result/result_json.hpp"

namespace asyncbench::test {

// Whether Debian's PostgreSQL server is installed, which `--db local` starts
// (scripts/postgres/start.sh looks in the same place).
inline bool postgres_server_installed() {
    std::error_code ec;
    for (const auto& version : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
        if (std::filesystem::exists(version.path() / "bin" / "initdb")) return true;
    }
    return false;
}

// A folder under the temp directory, emptied.
inline std::filesystem::path fresh_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / ("asyncbench-it-" + name);
    std::filesystem::remove_all(dir);
    return dir;
}

// The result.json of `dir`; an empty result after a test failure when it cannot be read.
inline run_result read_result(const std::filesystem::path& dir) {
    std::ifstream input(dir / "result.json");
    std::stringstream text;
    text << input.rdbuf();
    auto parsed = result_from_json(text.str());
    if (auto* error = std::get_if<std::string>(&parsed)) {
        ADD_FAILURE() << (dir / "result.json").string() << ": " << *error;
        return {};
    }
    return std::get<run_result>(std::move(parsed));
}

struct finished_run {
    int exit_code = -1;
    run_result result;
};

// Runs `options` (its out_dir replaced by a fresh folder named `name`) and reads the result.
inline finished_run run_into(const std::string& name, run_options options) {
    const auto dir = fresh_dir(name);
    options.out_dir = dir.string();
    finished_run out;
    out.exit_code = run_command(options);
    out.result = read_result(dir);
    return out;
}

// A --quick run of `scenario_path` (both modes, embedded defaults) to pass to run_into.
inline run_options quick_run(const std::string& scenario_path) {
    run_options options;
    options.scenario_path = scenario_path;
    options.overrides.quick = true;
    return options;
}

inline const invariant_result* find_invariant(const mode_result& m, const std::string& name) {
    for (const auto& i : m.invariants) {
        if (i.name == name) return &i;
    }
    ADD_FAILURE() << m.mode << ": no invariant " << name;
    return nullptr;
}

inline double find_metric(const mode_result& m, const std::string& name) {
    for (const auto& x : m.metrics) {
        if (x.name == name) return x.value;
    }
    ADD_FAILURE() << m.mode << ": no metric " << name;
    return -1;
}

}  // namespace asyncbench::test
