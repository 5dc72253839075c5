// URL-safe base64 without padding (RFC 4648 §5): the form of opaque page cursors in URLs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace voronka::core {

std::string Base64UrlEncode(std::string_view in);

// Accepts input with or without '=' padding; nullopt when it is not base64url.
std::optional<std::string> Base64UrlDecode(std::string_view in);

}  // namespace voronka::core
