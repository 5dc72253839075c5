// Error values shared by every domain: a closed code, a client-safe message, per-field details.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace voronka::core {

// Closed set: http/problem.cpp maps each to a status in a switch without default.
enum class ErrorCode {
    kInvalid,
    kNotFound,
    kConflict,
    kPrecondition,
    kForbidden,
    kUnauthenticated,
    kRateLimited,
    kUnavailable,
    kPayloadTooLarge,
    kInternal,
};

struct FieldError {
    std::string field;
    std::string message;
};

// message is shown to clients; internal goes only to the log (driver text, SQL).
struct Error {
    ErrorCode code = ErrorCode::kInternal;
    std::string message;
    std::vector<FieldError> fields;
    std::string internal;

    static Error Invalid(std::string message, std::vector<FieldError> fields = {}) {
        return {ErrorCode::kInvalid, std::move(message), std::move(fields), {}};
    }

    static Error InvalidField(std::string field, std::string message) {
        return {ErrorCode::kInvalid, "Validation failed", {{std::move(field), std::move(message)}}, {}};
    }

    static Error NotFound(std::string message = "Not found") {
        return {ErrorCode::kNotFound, std::move(message), {}, {}};
    }

    static Error Conflict(std::string message, std::vector<FieldError> fields = {}) {
        return {ErrorCode::kConflict, std::move(message), std::move(fields), {}};
    }

    static Error Precondition(std::string message) {
        return {ErrorCode::kPrecondition, std::move(message), {}, {}};
    }

    static Error Forbidden(std::string message = "Forbidden") {
        return {ErrorCode::kForbidden, std::move(message), {}, {}};
    }

    static Error Unauthenticated(std::string message = "Authentication required") {
        return {ErrorCode::kUnauthenticated, std::move(message), {}, {}};
    }

    static Error RateLimited(std::string message = "Too many requests") {
        return {ErrorCode::kRateLimited, std::move(message), {}, {}};
    }

    static Error Unavailable(std::string message, std::string internal = {}) {
        return {ErrorCode::kUnavailable, std::move(message), {}, std::move(internal)};
    }

    static Error PayloadTooLarge(std::string message = "Request body too large") {
        return {ErrorCode::kPayloadTooLarge, std::move(message), {}, {}};
    }

    static Error Internal(std::string internal) {
        return {ErrorCode::kInternal, "Internal error", {}, std::move(internal)};
    }
};

}  // namespace voronka::core
