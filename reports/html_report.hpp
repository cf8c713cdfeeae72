#pragma once
// The HTML report: one self-contained file (inline CSS and SVG, no script, no external asset)
// with the same content as the Markdown report plus per-second charts of both modes, on which
// each applied fault's [start_s, end_s) is a translucent band in its mode's colour, labelled
// with the fault's name and with a tooltip (<title>) giving mode, times and action.
// Pure function of the result; thread-safe.
#include <ostream>
#include <string>
#include <string_view>

#include "harness/result/run_result.hpp"

namespace asyncbench {

// Writes the whole report. Every string taken from the result is HTML-escaped. Sets no stream
// state; the caller checks the stream.
void write_html_report(const run_result& result, std::ostream& out);

// Escapes &, <, >, " and ' for use in text and attribute values.
std::string html_escape(std::string_view text);

}  // namespace asyncbench
