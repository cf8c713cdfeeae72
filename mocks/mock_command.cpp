#include "mocks/mock_command.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <variant>

#include "harness/config/scenario_loader.hpp"
#include "mocks/mock_system.hpp"

namespace asyncbench {
namespace {

// Every operation of a mock started without a config answers like this.
constexpr std::chrono::milliseconds default_latency{1};

// Restores the signal mask of the calling thread on every return path.
class blocked_signals {
  public:
    blocked_signals() {
        sigemptyset(&set_);
        sigaddset(&set_, SIGINT);
        sigaddset(&set_, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set_, &previous_);
    }
    ~blocked_signals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
    blocked_signals(const blocked_signals&) = delete;
    blocked_signals& operator=(const blocked_signals&) = delete;

    int wait() const {
        int signal_number = 0;
        sigwait(&set_, &signal_number);
        return signal_number;
    }

  private:
    sigset_t set_;
    sigset_t previous_;
};

// The system's spec, or 2 after printing every problem to stderr.
std::variant<system_spec, int> read_system_spec(const std::string& system_name,
                                                const std::string& config_path) {
    if (config_path.empty()) {
        system_spec spec;
        spec.name = system_name;
        spec.default_operation.latency.kind = latency_spec::distribution::fixed;
        spec.default_operation.latency.fixed = default_latency;
        return spec;
    }
    std::ifstream file(config_path, std::ios::binary);
    if (!file) {
        std::cerr << format_config_error(
                         config_error{config_path, 0, 0, "", "cannot read the file"})
                  << '\n';
        return 2;
    }
    std::ostringstream text;
    text << file.rdbuf();
    auto result = load_system_text(text.str(), config_path, system_name);
    if (auto* errors = std::get_if<std::vector<config_error>>(&result)) {
        for (const auto& error : *errors) std::cerr << format_config_error(error) << '\n';
        return 2;
    }
    return std::get<system_spec>(std::move(result));
}

std::string describe_operations(const system_spec& spec) {
    std::string text;
    for (const auto& [name, operation] : spec.operations) {
        if (!text.empty()) text += ", ";
        text += name;
    }
    return text.empty() ? "any, all with the default" : text + "; others with the default";
}

}  // namespace

int run_mock_command(const std::string& system_name, std::uint16_t port,
                     const std::string& config_path, const std::string& address) {
    auto loaded = read_system_spec(system_name, config_path);
    if (auto* exit_code = std::get_if<int>(&loaded)) return *exit_code;
    system_spec spec = std::get<system_spec>(std::move(loaded));
    const std::string operations = describe_operations(spec);

    // Blocked before the server's threads exist, so they inherit the mask and the signal can
    // only be taken by sigwait below.
    blocked_signals signals;
    std::unique_ptr<mock_system> mock;
    try {
        mock = std::make_unique<mock_system>(std::move(spec), port, address);
    } catch (const std::exception& e) {
        // mock_system's error names the address and port already.
        std::cerr << e.what() << '\n';
        return 2;
    }
    mock->start();
    // An IPv6 address goes in brackets in a URL.
    const std::string host = address.find(':') == std::string::npos ? address : "[" + address + "]";
    std::cout << fmt::format("mock {} listening on http://{}:{} (operations: {})\n", mock->name(),
                             host, mock->port(), operations)
              << std::flush;
    const int signal_number = signals.wait();
    std::cout << fmt::format("mock {}: {}, stopping (calls received: {})\n", mock->name(),
                             signal_number == SIGINT ? "SIGINT" : "SIGTERM", mock->total_calls())
              << std::flush;
    mock->stop();
    return 0;
}

}  // namespace asyncbench
