#include "harness/cli/list_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <vector>

#include "harness/config/scenario_loader.hpp"

namespace asyncbench {

std::string default_scenarios_dir() {
    if (std::filesystem::is_directory("scenarios")) return "scenarios";
    return std::string(ASYNCBENCH_SOURCE_DIR) + "/scenarios";
}

int list_command(const std::string& scenarios_dir) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(scenarios_dir, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
            files.push_back(entry.path());
        }
    }
    if (ec) {
        std::cerr << "error: cannot read " << scenarios_dir << ": " << ec.message() << "\n";
        return 2;
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        auto loaded = load_scenario(file.string());
        if (auto* scenario = std::get_if<scenario_config>(&loaded)) {
            std::cout << fmt::format("{:<18} {}\n{:<18} {}\n", scenario->name,
                                     scenario->description, "", file.string());
        } else {
            const auto& errors = std::get<std::vector<config_error>>(loaded);
            std::cout << fmt::format("{:<18} (invalid: {})\n", file.filename().string(),
                                     format_config_error(errors.front()));
        }
    }
    return 0;
}

}  // namespace asyncbench
