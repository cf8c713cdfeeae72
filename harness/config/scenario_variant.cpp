#include "harness/config/scenario_variant.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/config/scenario_loader.hpp"
#include "harness/config/yaml_document.hpp"

namespace asyncbench {
namespace {

// Overlays `over` on `base` in place: maps merge key by key, anything else replaces the base's
// value whole. The variant's nodes are shared, not copied, so errors about its values point at
// its own lines (the base was validated on its own before).
void merge_into(YAML::Node base, const YAML::Node& over) {
    for (auto it = over.begin(); it != over.end(); ++it) {
        if (!it->first.IsScalar()) {
            base.force_insert(it->first, it->second);
            continue;
        }
        const std::string key = it->first.Scalar();
        if (key == "extends") continue;
        const YAML::Node& const_base = base;
        const YAML::Node existing = const_base[key];
        if (!existing) {
            base.force_insert(it->first, it->second);
        } else if (existing.IsMap() && it->second.IsMap()) {
            merge_into(base[key], it->second);
        } else {
            base[key] = it->second;
        }
    }
}

}  // namespace

std::optional<YAML::Node> resolve_extends(yaml_reader& reader, YAML::Node root,
                                          const std::string& origin,
                                          std::vector<config_error>& base_errors) {
    if (!root.IsMap()) return root;
    const YAML::Node& const_root = root;
    const YAML::Node extends = const_root["extends"];
    if (!extends) return root;
    const auto relative = reader.read_scalar(extends, "extends", "a scenario file path");
    if (!relative) return std::nullopt;
    const auto base_path = (std::filesystem::path(origin).parent_path() / *relative).string();
    // Checked before the base is validated, which would otherwise recurse into a cycle.
    std::error_code ec;
    const bool readable = std::filesystem::is_regular_file(base_path, ec) &&
                          std::filesystem::file_size(base_path, ec) <= max_scenario_file_bytes &&
                          !ec;
    std::optional<YAML::Node> base_root;
    if (readable) {  // anything else is reported by load_scenario(base_path) below
        std::ifstream input(base_path);
        std::stringstream text;
        text << input.rdbuf();
        yaml_reader base_reader(base_path);
        base_root = parse_yaml_document(base_reader, text.str());
    }
    if (base_root && base_root->IsMap() && static_cast<const YAML::Node&>(*base_root)["extends"]) {
        reader.add_error(extends, "extends",
                         base_path + " extends another file itself: one level only");
        return std::nullopt;
    }
    auto base = load_scenario(base_path);
    if (auto* errors = std::get_if<std::vector<config_error>>(&base)) {
        base_errors = *errors;
        base_errors.push_back({origin, extends.Mark().line + 1, extends.Mark().column + 1,
                               "extends", "the base scenario " + base_path + " has errors"});
        return std::nullopt;
    }
    if (!base_root || !base_root->IsMap()) return std::nullopt;
    // A copy: merging into the base's own tree would also change every alias of an anchored
    // map (consumer: *settings) along with the key the variant meant.
    YAML::Node merged = YAML::Clone(*base_root);
    merge_into(merged, root);
    return merged;
}

}  // namespace asyncbench
