// Plain request/response values: handlers are functions of these, testable without sockets.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"

namespace voronka::http {

struct Request {
    std::string method;  // "GET", "POST", ...
    std::string target;  // raw target, path + query
    std::string path;    // percent-decoded path without the query
    std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
    std::map<std::string, std::string> headers;              // lower-case names
    std::string body;
    std::string remote_address;
    std::map<std::string, std::string> path_params;  // filled by the router: {entity}, {id}

    std::string Header(std::string_view name) const;  // "" when absent; name lower-case
    std::optional<std::string> QueryValue(std::string_view name) const;  // first occurrence
    std::string PathParam(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    // Replaces a header of the same name (case-insensitive); push onto `headers` directly for
    // repeated ones such as Set-Cookie.
    Response& SetHeader(std::string name, std::string value);

    static Response JsonBody(int status, const core::Json& body);
    static Response NoContent();  // 204, no Content-Type
    static Response Text(
        int status, std::string body, std::string content_type = "text/plain; charset=utf-8"
    );
};

// RFC 9457 problem+json for an error: type, title, status, detail, errors[] (field, message).
Response ProblemResponse(const core::Error& error, std::string_view instance = {});

// HTTP status for an error code (exhaustive switch). kInvalid is 400 for both malformed input and
// failed validation: the errors[] list tells them apart, so 422 is not used.
int StatusFor(core::ErrorCode code);

// Problem body for a protocol-level status that has no ErrorCode (405, 431): type "about:blank",
// title the status's reason phrase, detail as given (client-safe text only).
Response ProblemForStatus(int status, std::string_view detail, std::string_view instance = {});

}  // namespace voronka::http
