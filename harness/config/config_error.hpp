#pragma once
// A configuration problem located in its source, so a user can fix every one in one pass.
#include <string>
#include <vector>

namespace asyncbench {

struct config_error {
    std::string file;
    int line = 0;     // 1-based; 0 when the problem is not tied to a line
    int column = 0;   // 1-based; 0 when unknown
    std::string key;  // dotted path, e.g. "load.rate"
    std::string message;
};

// "file:line:column: key: message", the format compilers use, so editors can jump to it.
std::string format_config_error(const config_error& error);

// Thrown by setup code that cannot go on; carries every problem found, never just the first.
struct config_errors_exception {
    std::vector<config_error> errors;
};

}  // namespace asyncbench
