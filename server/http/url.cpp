// Percent-decoding of paths and query strings, the edge where raw target bytes become text.
#include "http/url.hpp"

#include "core/text.hpp"

namespace voronka::http {

namespace {

int HexValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool IsCleanText(std::string_view text) {
    return text.find('\0') == std::string_view::npos && core::IsValidUtf8(text);
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            const int high = HexValue(text[i + 1]);
            const int low = HexValue(text[i + 2]);
            if (high < 0 || low < 0) {
                return std::nullopt;
            }
            out += static_cast<char>(high * 16 + low);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> pairs;
    size_t start = 0;
    while (start <= query.size()) {
        size_t end = query.find('&', start);
        if (end == std::string_view::npos) {
            end = query.size();
        }
        const std::string_view piece = query.substr(start, end - start);
        if (!piece.empty()) {
            const size_t equals = piece.find('=');
            auto key = PercentDecode(piece.substr(0, equals), true);
            auto value = PercentDecode(
                equals == std::string_view::npos ? std::string_view() : piece.substr(equals + 1),
                true
            );
            if (!key || !value) {
                return std::nullopt;
            }
            pairs.emplace_back(std::move(*key), std::move(*value));
        }
        start = end + 1;
    }
    return pairs;
}

core::Status ParseTarget(std::string_view target, Request& request) {
    if (target.empty() || target[0] != '/') {
        return core::Error::Invalid("Request target must be an absolute path");
    }
    const size_t question = target.find('?');
    auto path = PercentDecode(target.substr(0, question), false);
    if (!path || !IsCleanText(*path)) {
        return core::Error::Invalid("Request path is not validly encoded");
    }
    std::vector<std::pair<std::string, std::string>> query;
    if (question != std::string_view::npos) {
        auto parsed = ParseQuery(target.substr(question + 1));
        if (!parsed) {
            return core::Error::Invalid("Query string is not validly encoded");
        }
        for (const auto& [key, value] : *parsed) {
            if (!IsCleanText(key) || !IsCleanText(value)) {
                return core::Error::Invalid("Query string is not validly encoded");
            }
        }
        query = std::move(*parsed);
    }
    request.target = std::string(target);
    request.path = std::move(*path);
    request.query = std::move(query);
    return core::Ok();
}

}  // namespace voronka::http
