#include "reports/report_writer.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>

#include "harness/result/result_json.hpp"
#include "reports/html_report.hpp"
#include "reports/markdown_report.hpp"

namespace asyncbench {

namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& path, const std::string& content) {
    fs::path temp = path;
    temp += ".tmp";
    {
        std::ofstream file(temp, std::ios::binary | std::ios::trunc);
        if (!file) {
            throw std::runtime_error("cannot open " + temp.string() +
                                     " for writing: " + std::strerror(errno));
        }
        file.write(content.data(), static_cast<std::streamsize>(content.size()));
        file.close();
        if (!file) {
            const std::string reason = std::strerror(errno);
            std::error_code ignored;
            fs::remove(temp, ignored);
            throw std::runtime_error("cannot write " + temp.string() + ": " + reason);
        }
    }
    std::error_code ec;
    fs::rename(temp, path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw std::runtime_error("cannot replace " + path.string() + ": " + ec.message());
    }
}

}  // namespace

void write_reports(const run_result& result, const fs::path& out_dir) {
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec) {
        throw std::runtime_error("cannot create report directory " + out_dir.string() + ": " +
                                 ec.message());
    }
    // result.json first: if a renderer or a later write fails, the run's data is already safe.
    write_file(out_dir / "result.json", result_to_json(result));
    std::ostringstream markdown;
    write_markdown_report(result, markdown);
    write_file(out_dir / "report.md", markdown.str());
    std::ostringstream html;
    write_html_report(result, html);
    write_file(out_dir / "report.html", html.str());
}

}  // namespace asyncbench
