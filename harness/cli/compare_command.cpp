#include "harness/cli/compare_command.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <variant>

#include "harness/result/comparison.hpp"
#include "harness/result/result_json.hpp"
#include "reports/comparison_report.hpp"

namespace asyncbench {
namespace {

constexpr int usage = static_cast<int>(exit_status::usage);

// schema_version as written, before result_from_json upgrades the layout; only called on text
// that result_from_json accepted, so it is there.
int written_schema_version(const std::string& text) {
    boost::system::error_code ec;
    const auto doc = boost::json::parse(text, ec);
    if (ec || !doc.is_object()) return result_schema_version;
    const auto* version = doc.as_object().if_contains("schema_version");
    return version != nullptr && version->is_int64() ? static_cast<int>(version->get_int64())
                                                     : result_schema_version;
}

// The run, or an error naming the file and the side.
std::variant<compared_run, std::string> read_run(const std::string& path, std::string_view side) {
    std::ifstream input(path, std::ios::binary);
    if (!input) return fmt::format("{} {}: cannot open the file", side, path);
    std::stringstream text;
    text << input.rdbuf();
    if (input.bad()) return fmt::format("{} {}: cannot read the file", side, path);
    auto parsed = result_from_json(text.str());
    if (auto* error = std::get_if<std::string>(&parsed)) {
        return fmt::format("{} {}: {}", side, path, *error);
    }
    return compared_run{std::move(std::get<run_result>(parsed)), written_schema_version(text.str()),
                        path};
}

// Writes `path` with `write`; false (and says why on err) when the file cannot be written.
bool write_file(const std::string& path, std::ostream& err,
                const std::function<void(std::ostream&)>& write) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (file) write(file);
    file.flush();
    if (!file) {
        err << "error: cannot write " << path << "\n";
        return false;
    }
    return true;
}

}  // namespace

int compare_command(const compare_options& options, std::ostream& out, std::ostream& err) {
    compare_parameters parameters;
    parameters.alpha = options.alpha;
    parameters.force = options.force;
    const auto min_effect = parse_min_effect(options.min_effect);
    if (const auto* error = std::get_if<std::string>(&min_effect)) {
        err << "error: " << *error << "\n";
        return usage;
    }
    parameters.min_effect = std::get<double>(min_effect);
    std::vector<metric_request> requests;
    for (const auto& text : options.metrics) {
        auto request = parse_metric_request(text);
        if (const auto* error = std::get_if<std::string>(&request)) {
            err << "error: " << *error << "\n";
            return usage;
        }
        requests.push_back(std::move(std::get<metric_request>(request)));
    }
    auto baseline = read_run(options.baseline_path, "baseline");
    auto candidate = read_run(options.candidate_path, "candidate");
    for (const auto* side : {&baseline, &candidate}) {
        if (const auto* error = std::get_if<std::string>(side)) {
            err << "error: " << *error << "\n";
        }
    }
    if (baseline.index() != 0 || candidate.index() != 0) return usage;

    const auto compared = compare_runs(std::get<compared_run>(baseline),
                                       std::get<compared_run>(candidate), requests, parameters);
    if (const auto* error = std::get_if<std::string>(&compared)) {
        err << "error: " << *error << "\n";
        return usage;
    }
    const auto& comparison = std::get<comparison_result>(compared);
    write_comparison_markdown(comparison, out);
    if (comparison.refused) {
        err << "error: the runs differ; --force compares them anyway:\n";
        for (const auto& d : comparison.differences) err << "  " << d << "\n";
    }
    bool written = true;
    const auto markdown = [&](std::ostream& s) { write_comparison_markdown(comparison, s); };
    const auto junit = [&](std::ostream& s) { write_comparison_junit(comparison, s); };
    const auto bmf = [&](std::ostream& s) { write_comparison_bmf(comparison, s); };
    if (!options.markdown_path.empty()) written &= write_file(options.markdown_path, err, markdown);
    if (!options.junit_path.empty()) written &= write_file(options.junit_path, err, junit);
    if (!options.bmf_path.empty()) {
        if (comparison.refused) {
            err << "note: " << options.bmf_path << " not written: nothing was compared\n";
        } else {
            written &= write_file(options.bmf_path, err, bmf);
        }
    }
    if (!written) return usage;
    return exit_code(comparison.status);
}

int compare_command(const compare_options& options) {
    return compare_command(options, std::cout, std::cerr);
}

}  // namespace asyncbench
