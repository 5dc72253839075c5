// Unicode text helpers backed by ICU: validation, NFC normalisation, case folding.
#pragma once

#include <string>
#include <string_view>

namespace voronka::core {

bool IsValidUtf8(std::string_view text);

// NFC-normalises valid UTF-8; returns the input unchanged if ICU reports an error.
std::string NormalizeNfc(std::string_view text);

// Full Unicode case folding (e.g. "ИВАН" -> "иван", "Straße" -> "strasse") for search and matching.
std::string FoldCase(std::string_view text);

std::string Trim(std::string_view text);

}  // namespace voronka::core
