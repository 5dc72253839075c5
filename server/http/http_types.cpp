// Accessors and constructors of the plain Request/Response values.
#include "http/http_types.hpp"

#include <algorithm>
#include <cctype>

namespace voronka::http {

std::string Request::Header(std::string_view name) const {
    auto it = headers.find(std::string(name));
    return it == headers.end() ? std::string() : it->second;
}

std::optional<std::string> Request::QueryValue(std::string_view name) const {
    for (const auto& [key, value] : query) {
        if (key == name) {
            return value;
        }
    }
    return std::nullopt;
}

std::string Request::PathParam(std::string_view name) const {
    auto it = path_params.find(std::string(name));
    return it == path_params.end() ? std::string() : it->second;
}

Response& Response::SetHeader(std::string name, std::string value) {
    for (auto& [key, existing] : headers) {
        if (key.size() == name.size() &&
            std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            })) {
            existing = std::move(value);
            return *this;
        }
    }
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
}

Response Response::JsonBody(int status, const core::Json& body) {
    Response response;
    response.status = status;
    response.body = core::DumpJson(body);
    return response;
}

Response Response::NoContent() {
    Response response;
    response.status = 204;
    response.content_type.clear();
    return response;
}

Response Response::Text(int status, std::string body, std::string content_type) {
    Response response;
    response.status = status;
    response.content_type = std::move(content_type);
    response.body = std::move(body);
    return response;
}

}  // namespace voronka::http
