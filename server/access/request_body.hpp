// The JSON object a request carries, for the access routes.
#pragma once

#include "core/result.hpp"
#include "http/http_types.hpp"
#include "records/record_routes.hpp"

namespace voronka::access {

// The body parsed by the record engine's parser ({} when empty); kInvalid unless an object.
inline core::Result<core::Json> ObjectBody(const http::Request& req) {
    VK_ASSIGN_OR_RETURN(core::Json body, records::ParseBody(req));
    if (!body.is_object()) {
        return core::Error::Invalid("The request body must be a JSON object");
    }
    return body;
}

}  // namespace voronka::access
