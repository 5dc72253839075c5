// ISO 4217 facts come from ICU's currency data; parsing is digit by digit to stay exact.
#include "core/money.hpp"

#include <unicode/ucurr.h>
#include <unicode/ustring.h>

#include <limits>

namespace voronka::core {

__extension__ typedef __int128 Int128;

namespace {

bool ToUChars(std::string_view code, UChar (&out)[4]) {
    if (code.size() != 3) {
        return false;
    }
    for (size_t i = 0; i < 3; ++i) {
        if (code[i] < 'A' || code[i] > 'Z') {
            return false;
        }
        out[i] = static_cast<UChar>(code[i]);
    }
    out[3] = 0;
    return true;
}

}  // namespace

bool IsCurrencyCode(std::string_view code) {
    UChar iso[4];
    if (!ToUChars(code, iso)) {
        return false;
    }
    UErrorCode status = U_ZERO_ERROR;
    // Any currency legal at some time up to now; U_DATE_MAX covers current ones.
    const UBool ok = ucurr_isAvailable(iso, 0, U_DATE_MAX, &status);
    return U_SUCCESS(status) && ok;
}

int CurrencyDigits(std::string_view code) {
    UChar iso[4];
    if (!ToUChars(code, iso)) {
        return 2;
    }
    UErrorCode status = U_ZERO_ERROR;
    const int32_t digits = ucurr_getDefaultFractionDigits(iso, &status);
    return U_SUCCESS(status) ? digits : 2;
}

Result<int64_t> ParseAmount(std::string_view text, std::string_view currency) {
    if (!IsCurrencyCode(currency)) {
        return Error::InvalidField("currency", "unknown ISO 4217 currency code");
    }
    const int digits = CurrencyDigits(currency);
    size_t i = 0;
    bool negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
        negative = text[i] == '-';
        ++i;
    }
    if (i >= text.size()) {
        return Error::InvalidField("amount", "must be a decimal number like 1500.50");
    }
    Int128 value = 0;
    int fraction_digits = -1;
    bool any_digit = false;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '.' && fraction_digits < 0) {
            fraction_digits = 0;
            continue;
        }
        if (c < '0' || c > '9') {
            return Error::InvalidField("amount", "must be a decimal number like 1500.50");
        }
        any_digit = true;
        if (fraction_digits >= 0) {
            if (++fraction_digits > digits) {
                return Error::InvalidField(
                    "amount", "has more than " + std::to_string(digits) + " fraction digits"
                );
            }
        }
        value = value * 10 + (c - '0');
        if (value > std::numeric_limits<int64_t>::max()) {
            return Error::InvalidField("amount", "is too large");
        }
    }
    if (!any_digit) {
        return Error::InvalidField("amount", "must be a decimal number like 1500.50");
    }
    for (int scale = std::max(fraction_digits, 0); scale < digits; ++scale) {
        value *= 10;
        if (value > std::numeric_limits<int64_t>::max()) {
            return Error::InvalidField("amount", "is too large");
        }
    }
    return static_cast<int64_t>(negative ? -value : value);
}

std::string FormatAmount(int64_t amount_minor, std::string_view currency) {
    const int digits = CurrencyDigits(currency);
    const bool negative = amount_minor < 0;
    // Work in unsigned to format INT64_MIN correctly.
    uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(amount_minor) : amount_minor;
    std::string digits_text = std::to_string(magnitude);
    if (digits > 0) {
        const auto scale = static_cast<size_t>(digits);
        if (digits_text.size() <= scale) {
            digits_text = std::string(scale + 1 - digits_text.size(), '0') + digits_text;
        }
        const size_t whole = digits_text.size() - scale;
        digits_text = digits_text.substr(0, whole) + "." + digits_text.substr(whole);
    }
    return negative ? "-" + digits_text : digits_text;
}

Result<int64_t> AddMinor(int64_t a, int64_t b) {
    int64_t out;
    if (__builtin_add_overflow(a, b, &out)) {
        return Error::Invalid("Amount overflow");
    }
    return out;
}

Result<int64_t> MulMinor(int64_t a, int64_t b) {
    int64_t out;
    if (__builtin_mul_overflow(a, b, &out)) {
        return Error::Invalid("Amount overflow");
    }
    return out;
}

}  // namespace voronka::core
