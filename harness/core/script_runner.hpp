#pragma once
// Running one of our own shell scripts (scripts/kafka, scripts/postgres) to completion and
// collecting what it printed: how the harness starts, stops and restarts the real services it
// owns, with the same scripts a user runs by hand.
#include <filesystem>
#include <string>

namespace asyncbench {

struct script_result {
    int exit_code = -1;  // -1: it could not be started, or died of a signal
    std::string output;  // stdout and stderr, interleaved
};

// Runs `command` with /bin/sh and waits for it. The scripts are ours and take only paths and
// numbers we built, so a shell is acceptable here. Not popen: the servers the scripts start
// must not inherit our sockets (see child_process.hpp). Thread-safe.
script_result run_script(const std::string& command);

// The last non-empty line of `text` (a script's one line of result: a URL, a bootstrap string).
std::string last_line(const std::string& text);

// scripts/<name> in the source tree this binary was built from.
std::filesystem::path scripts_dir(const std::string& name);

}  // namespace asyncbench
