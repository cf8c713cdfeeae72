#include "harness/config/config_error.hpp"

namespace asyncbench {

std::string format_config_error(const config_error& error) {
    std::string text = error.file;
    // A line-less error (missing file) still reads "file: message", like compilers print it.
    if (error.line > 0) {
        text += ":" + std::to_string(error.line);
        if (error.column > 0) {
            text += ":" + std::to_string(error.column);
        }
    }
    text += ": ";
    if (!error.key.empty()) {
        text += error.key + ": ";
    }
    return text + error.message;
}

}  // namespace asyncbench
