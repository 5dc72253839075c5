#include "core/base64url.hpp"

#include <openssl/evp.h>

namespace voronka::core {

// OpenSSL codes the standard alphabet only; the two URL-safe characters are swapped around it.
std::string Base64UrlEncode(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(
        reinterpret_cast<unsigned char*>(out.data()),
        reinterpret_cast<const unsigned char*>(in.data()),
        static_cast<int>(in.size())
    );
    out.resize(static_cast<size_t>(n));
    for (char& c : out) {
        c = c == '+' ? '-' : c == '/' ? '_' : c;
    }
    while (!out.empty() && out.back() == '=') {
        out.pop_back();
    }
    return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
    std::string in(text);
    for (char& c : in) {
        if (c == '+' || c == '/') {
            return std::nullopt;  // standard alphabet: not what we hand out
        }
        c = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    while (in.size() % 4) {
        in.push_back('=');
    }
    std::string out(in.size() / 4 * 3 + 3, '\0');
    const int n = EVP_DecodeBlock(
        reinterpret_cast<unsigned char*>(out.data()),
        reinterpret_cast<const unsigned char*>(in.data()),
        static_cast<int>(in.size())
    );
    if (n < 0) {
        return std::nullopt;
    }
    size_t pad = 0;
    for (size_t i = in.size(); i > 0 && in[i - 1] == '='; --i) {
        ++pad;
    }
    out.resize(static_cast<size_t>(n) - pad);
    return out;
}

}  // namespace voronka::core
