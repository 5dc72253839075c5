// Hand-written ULID encoding: Debian ships no ULID library and the layout is a few lines.
#include "core/id.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <chrono>
#include <stdexcept>

namespace voronka::core {

namespace {

__extension__ typedef unsigned __int128 UInt128;

constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

void FillRandom(unsigned char* out, size_t size) {
    if (RAND_bytes(out, static_cast<int>(size)) != 1) {
        throw std::runtime_error("OpenSSL RAND_bytes failed");
    }
}

}  // namespace

std::string NewId() {
    const uint64_t ms = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch()
        )
            .count()
    );
    std::array<unsigned char, 16> bytes{};
    for (int i = 0; i < 6; ++i) {
        bytes[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
    }
    FillRandom(bytes.data() + 6, 10);
    // 128 bits -> 26 base32 chars, most significant first (first char carries 3 bits).
    UInt128 value = 0;
    for (unsigned char b : bytes) {
        value = (value << 8) | b;
    }
    std::string out(26, '0');
    for (int i = 25; i >= 0; --i) {
        out[static_cast<size_t>(i)] = kAlphabet[static_cast<int>(value & 31)];
        value >>= 5;
    }
    return out;
}

bool IsIdShaped(std::string_view id) {
    if (id.size() != 26) {
        return false;
    }
    for (char c : id) {
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z' && c != 'i' && c != 'l' &&
                                             c != 'o' && c != 'u');
        if (!ok) {
            return false;
        }
    }
    return true;
}

std::string RandomToken(size_t size) {
    std::string raw(size, '\0');
    FillRandom(reinterpret_cast<unsigned char*>(raw.data()), size);
    static constexpr char kUrl[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char c : raw) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 6) {
            out.push_back(kUrl[(buffer >> (bits - 6)) & 63]);
            bits -= 6;
        }
    }
    if (bits > 0) {
        out.push_back(kUrl[(buffer << (6 - bits)) & 63]);
    }
    return out;
}

std::string Sha256Hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        out.push_back(kHex[digest[i] >> 4]);
        out.push_back(kHex[digest[i] & 15]);
    }
    return out;
}

}  // namespace voronka::core
