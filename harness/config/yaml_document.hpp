#pragma once
// Turns text into exactly one YAML document, reporting syntax errors as config_errors.
#include <optional>
#include <string>

#include "harness/config/yaml_reader.hpp"

namespace asyncbench {

// The document's root, or nullopt after recording why not (syntax error with yaml-cpp's line,
// empty text, or more than one document). Never throws for a YAML problem.
std::optional<YAML::Node> parse_yaml_document(yaml_reader& reader, const std::string& text);

}  // namespace asyncbench
