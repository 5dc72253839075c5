// Opaque record identifiers: time-ordered for index locality, 80 random bits so they cannot be guessed.
#pragma once

#include <string>
#include <string_view>

namespace voronka::core {

// 26 characters of lower-case Crockford base32 (ULID layout: 48-bit ms time + 80 random bits).
std::string NewId();

// True for a string NewId could have produced; cheap shape check used before any lookup.
bool IsIdShaped(std::string_view id);

// Random bytes from OpenSSL encoded base64url without padding: tokens, CSRF values, secrets.
std::string RandomToken(size_t bytes);

// Lower-case hex SHA-256: how tokens and session ids are stored.
std::string Sha256Hex(std::string_view data);

}  // namespace voronka::core
