#pragma once
#include <string>

namespace asyncbench {

// Prints every scenario under `scenarios_dir` (one folder each, a YAML file inside) with its
// one-line description. Files that fail to load are listed with their first error.
int list_command(const std::string& scenarios_dir);

// ./scenarios when run from a checkout, else the source tree's scenarios folder.
std::string default_scenarios_dir();

}  // namespace asyncbench
