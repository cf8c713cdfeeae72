#include "harness/config/yaml_document.hpp"

#include <yaml-cpp/eventhandler.h>

#include <sstream>
#include <vector>

namespace asyncbench {
namespace {

// Sees only where documents start. yaml-cpp 0.7's LoadAll() loops forever, allocating, on some
// malformed input (a stray ',' at the top level: jbeder/yaml-cpp#1040, fixed upstream by #1319
// after 0.7); there the parser reports document after document without consuming anything.
// Walking the events ourselves lets us stop after a few documents and recognise that state.
class document_starts : public YAML::EventHandler {
  public:
    std::vector<YAML::Mark> marks;

    void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

bool same_place(const YAML::Mark& a, const YAML::Mark& b) {
    return a.pos == b.pos && a.line == b.line && a.column == b.column;
}

void add_syntax_error(yaml_reader& reader, const YAML::Mark& mark, const std::string& message) {
    const int line = mark.line >= 0 ? mark.line + 1 : 0;
    const int column = line > 0 && mark.column >= 0 ? mark.column + 1 : 0;
    reader.add_error(line, column, "", "YAML syntax error: " + message);
}

}  // namespace

std::optional<YAML::Node> parse_yaml_document(yaml_reader& reader, const std::string& text) {
    try {
        std::istringstream stream(text);
        YAML::Parser parser(stream);
        document_starts starts;
        // Three documents are enough to tell "two documents" from "parser stuck in place".
        while (starts.marks.size() < 3 && parser.HandleNextDocument(starts)) {
        }
        for (std::size_t i = 1; i < starts.marks.size(); ++i) {
            if (same_place(starts.marks[i - 1], starts.marks[i])) {
                add_syntax_error(reader, starts.marks[i], "unexpected character");
                return std::nullopt;
            }
        }
        if (starts.marks.empty()) {
            reader.add_error(0, 0, "", "the document is empty");
            return std::nullopt;
        }
        if (starts.marks.size() > 1) {
            const YAML::Mark& second = starts.marks[1];
            reader.add_error(second.line + 1, second.column + 1, "",
                             "expected one YAML document, found more (remove the '---' "
                             "separator)");
            return std::nullopt;
        }
        return YAML::Load(text);
    } catch (const YAML::Exception& e) {
        add_syntax_error(reader, e.mark, e.msg);
        return std::nullopt;
    }
}

}  // namespace asyncbench
