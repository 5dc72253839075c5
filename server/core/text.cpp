// ICU-backed text normalisation used at the API edge and by search/matching.
#include "core/text.hpp"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace voronka::core {

bool IsValidUtf8(std::string_view text) {
    int32_t i = 0;
    const auto length = static_cast<int32_t>(text.size());
    const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
    while (i < length) {
        UChar32 c;
        U8_NEXT(bytes, i, length, c);
        if (c < 0) {
            return false;
        }
    }
    return true;
}

namespace {

bool IsAscii(std::string_view text) {
    for (char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::string NormalizeNfc(std::string_view text) {
    if (IsAscii(text)) {
        return std::string(text);  // ASCII is always in NFC; no UTF-16 round trip
    }
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status)) {
        return std::string(text);
    }
    icu::UnicodeString source =
        icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), text.size()));
    if (nfc->isNormalized(source, status) && U_SUCCESS(status)) {
        return std::string(text);
    }
    status = U_ZERO_ERROR;
    icu::UnicodeString normalized = nfc->normalize(source, status);
    if (U_FAILURE(status)) {
        return std::string(text);
    }
    std::string out;
    normalized.toUTF8String(out);
    return out;
}

std::string FoldCase(std::string_view text) {
    if (IsAscii(text)) {
        // Unicode's full case folding of ASCII maps A-Z to a-z and nothing else.
        std::string out(text);
        for (char& c : out) {
            if (c >= 'A' && c <= 'Z') {
                c = static_cast<char>(c - 'A' + 'a');
            }
        }
        return out;
    }
    icu::UnicodeString source =
        icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), text.size()));
    source.foldCase();
    std::string out;
    source.toUTF8String(out);
    return out;
}

std::string Trim(std::string_view text) {
    const char* ws = " \t\r\n\f\v";
    const auto begin = text.find_first_not_of(ws);
    if (begin == std::string_view::npos) {
        return {};
    }
    const auto end = text.find_last_not_of(ws);
    return std::string(text.substr(begin, end - begin + 1));
}

}  // namespace voronka::core
