// Maps domain errors to RFC 9457 problem+json responses; the one place codes become statuses.
#include <spdlog/spdlog.h>

#include "http/http_types.hpp"

namespace voronka::http {

namespace {

constexpr std::string_view kProblemContentType = "application/problem+json";

struct ProblemKind {
    std::string_view slug;   // appended to https://voronka.dev/problems/
    std::string_view title;  // constant per type, as RFC 9457 asks
};

ProblemKind KindFor(core::ErrorCode code) {
    using core::ErrorCode;
    switch (code) {
        case ErrorCode::kInvalid:
            return {"validation", "Invalid request"};
        case ErrorCode::kNotFound:
            return {"not-found", "Not found"};
        case ErrorCode::kConflict:
            return {"conflict", "Conflict"};
        case ErrorCode::kPrecondition:
            return {"precondition-failed", "Precondition failed"};
        case ErrorCode::kForbidden:
            return {"forbidden", "Forbidden"};
        case ErrorCode::kUnauthenticated:
            return {"unauthenticated", "Authentication required"};
        case ErrorCode::kRateLimited:
            return {"rate-limited", "Too many requests"};
        case ErrorCode::kUnavailable:
            return {"unavailable", "Service unavailable"};
        case ErrorCode::kPayloadTooLarge:
            return {"payload-too-large", "Payload too large"};
        case ErrorCode::kInternal:
            return {"internal", "Internal server error"};
    }
    return {"internal", "Internal server error"};  // a value outside the enum: treat as a bug
}

std::string_view ReasonPhrase(int status) {
    switch (status) {
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 412:
            return "Precondition Failed";
        case 413:
            return "Content Too Large";
        case 414:
            return "URI Too Long";
        case 415:
            return "Unsupported Media Type";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 503:
            return "Service Unavailable";
        default:
            return status >= 500 ? "Server Error" : "Client Error";
    }
}

Response ProblemBody(core::Json body, int status, std::string_view instance) {
    if (!instance.empty()) {
        body["instance"] = instance;
    }
    Response response = Response::JsonBody(status, body);
    response.content_type = kProblemContentType;
    return response;
}

}  // namespace

int StatusFor(core::ErrorCode code) {
    using core::ErrorCode;
    switch (code) {
        case ErrorCode::kInvalid:
            return 400;
        case ErrorCode::kNotFound:
            return 404;
        case ErrorCode::kConflict:
            return 409;
        case ErrorCode::kPrecondition:
            return 412;
        case ErrorCode::kForbidden:
            return 403;
        case ErrorCode::kUnauthenticated:
            return 401;
        case ErrorCode::kRateLimited:
            return 429;
        case ErrorCode::kUnavailable:
            return 503;
        case ErrorCode::kPayloadTooLarge:
            return 413;
        case ErrorCode::kInternal:
            return 500;
    }
    return 500;
}

Response ProblemResponse(const core::Error& error, std::string_view instance) {
    const int status = StatusFor(error.code);
    const ProblemKind kind = KindFor(error.code);
    core::Json body = {
        {"type", "https://voronka.dev/problems/" + std::string(kind.slug)},
        {"title", kind.title},
        {"status", status},
    };
    if (!error.message.empty()) {
        body["detail"] = error.message;
    }
    if (!error.fields.empty()) {
        core::Json errors = core::Json::array();
        for (const auto& field : error.fields) {
            errors.push_back({{"field", field.field}, {"message", field.message}});
        }
        body["errors"] = std::move(errors);
    }
    Response response = ProblemBody(std::move(body), status, instance);
    if (error.code == core::ErrorCode::kUnauthenticated) {
        response.SetHeader("WWW-Authenticate", "Bearer");
    }
    // The client sees only `message`; the internal text (driver errors, SQL) goes to the log.
    if (status >= 500) {
        spdlog::error("{} {}: {} [{}]", status, instance, error.message, error.internal);
    } else if (!error.internal.empty()) {
        spdlog::debug("{} {}: {} [{}]", status, instance, error.message, error.internal);
    }
    return response;
}

Response ProblemForStatus(int status, std::string_view detail, std::string_view instance) {
    core::Json body = {
        {"type", "about:blank"},
        {"title", ReasonPhrase(status)},
        {"status", status},
    };
    if (!detail.empty()) {
        body["detail"] = detail;
    }
    return ProblemBody(std::move(body), status, instance);
}

}  // namespace voronka::http
