// JSON vocabulary (nlohmann::json) and safe parsing with depth and UTF-8 checks.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/result.hpp"

namespace voronka::core {

using Json = nlohmann::json;

// Parses a request body. Rejects malformed JSON, invalid UTF-8 and nesting deeper than max_depth
// with an Invalid error that names the problem; never throws.
Result<Json> ParseJson(std::string_view text, int max_depth = 32);

// Serialises without throwing on invalid UTF-8 (replaces it), for output built from stored data.
std::string DumpJson(const Json& value);

}  // namespace voronka::core
