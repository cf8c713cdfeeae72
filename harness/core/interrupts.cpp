#include "harness/core/interrupts.hpp"

#include <csignal>

namespace asyncbench {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) { interrupted = true; }

}  // namespace

const std::atomic<bool>& catch_interrupts() {
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    return interrupted;
}

}  // namespace asyncbench
