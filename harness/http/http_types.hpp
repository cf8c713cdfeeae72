#pragma once
// Plain HTTP request/response values, free of Beast types, so request handling stays a pure
// function testable without sockets and Beast templates stay inside a few .cpp files.
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asyncbench {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_request {
    std::string method;  // "GET", "POST", ...
    std::string target;  // path and query, e.g. "/requests/abc"
    header_list headers;
    std::string body;

    // Case-insensitive header lookup; empty when absent.
    std::string_view header(std::string_view name) const;
};

struct http_response {
    int status = 200;
    std::string content_type = "application/json";
    header_list headers;
    std::string body;
};

// `text` with every byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

// {"error": "<code>", "message": "<text>"} with the given status; the shape every API uses.
// Always valid JSON, whatever bytes the message quotes.
http_response json_error(int status, std::string_view code, std::string_view message);

// Answers a request exactly once, from any thread.
using respond_fn = std::function<void(http_response)>;

// Called on a server I/O thread; must not block. Long work goes elsewhere and calls respond
// when done.
using http_handler = std::function<void(http_request, respond_fn)>;

}  // namespace asyncbench
