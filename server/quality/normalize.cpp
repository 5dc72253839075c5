// Normalisation of phones (libphonenumber), emails and websites (ICU IDNA), person names (ICU
// transliteration) and Russian/Ukrainian tax ids.
#include "quality/normalize.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <unordered_map>

#include <unicode/bytestream.h>
#include <unicode/idna.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include "core/text.hpp"
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

namespace voronka::quality {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// `reason` is a literal code; taking it as const char* also sidesteps a GCC 12 -Warray-bounds
// false positive on std::string temporaries built from literals.
Normalized Invalid(std::string normalized, const char* reason) {
    Normalized out;
    out.normalized = std::move(normalized);
    out.reason.assign(reason);
    return out;
}

Normalized Valid(std::string normalized) { return {std::move(normalized), true, {}}; }

bool IsAscii(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x80;
    });
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string AsciiLowerCopy(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), AsciiLower);
    return out;
}

// UTS #46 processing is immutable after construction, so one instance serves all threads.
const icu::IDNA* Uts46() {
    static const icu::IDNA* idna = [] {
        UErrorCode status = U_ZERO_ERROR;
        const icu::IDNA* created = icu::IDNA::createUTS46Instance(
            UIDNA_NONTRANSITIONAL_TO_ASCII | UIDNA_NONTRANSITIONAL_TO_UNICODE | UIDNA_CHECK_BIDI |
                UIDNA_USE_STD3_RULES,
            status
        );
        return U_SUCCESS(status) ? created : nullptr;
    }();
    return idna;
}

// Converts a host name to lower-case IDNA ASCII; returns false if it is not a usable DNS name
// (at least two labels, LDH only, top-level label alphabetic or an A-label).
bool HostToAscii(std::string_view host, std::string& out) {
    out.clear();
    if (host.empty() || host.size() > 253 * 4) {
        return false;
    }
    const icu::IDNA* idna = Uts46();
    if (idna == nullptr) {
        return false;
    }
    UErrorCode status = U_ZERO_ERROR;
    icu::IDNAInfo info;
    icu::StringByteSink<std::string> sink(&out);
    idna->nameToASCII_UTF8(
        icu::StringPiece(host.data(), static_cast<int32_t>(host.size())), sink, info, status
    );
    if (U_FAILURE(status) || info.hasErrors() || out.empty() || out.size() > 253) {
        return false;
    }
    if (out.back() == '.') {
        out.pop_back();
    }
    std::size_t labels = 0;
    std::size_t start = 0;
    std::string_view last_label;
    while (start <= out.size()) {
        std::size_t end = out.find('.', start);
        if (end == std::string::npos) {
            end = out.size();
        }
        const std::string_view label(out.data() + start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
            return false;
        }
        for (char c : label) {
            if (!IsAsciiAlpha(c) && !IsAsciiDigit(c) && c != '-') {
                return false;
            }
        }
        ++labels;
        last_label = label;
        start = end + 1;
    }
    if (labels < 2) {
        return false;
    }
    const bool a_label = last_label.starts_with("xn--");
    const bool alphabetic = std::all_of(last_label.begin(), last_label.end(), IsAsciiAlpha);
    return (a_label || alphabetic) && last_label.size() >= 2;
}

std::string CollapseSpaces(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool pending_space = false;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) {
            out.push_back(' ');
            pending_space = false;
        }
        out.push_back(c);
    }
    return out;
}

// Keeps ASCII letters and digits of a transliterated string; separators become one space and
// marks such as the apostrophe BGN writes for the soft sign are dropped.
std::string LatinLettersOnly(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool pending_space = false;
    for (char c : text) {
        if (IsAsciiAlpha(c) || IsAsciiDigit(c)) {
            if (pending_space && !out.empty()) {
                out.push_back(' ');
            }
            pending_space = false;
            out.push_back(AsciiLower(c));
        } else if (c == ' ' || c == '-' || c == '.' || c == ',' || c == '_' || c == '/') {
            pending_space = true;
        }
    }
    return out;
}

// One transliterator per thread: ICU Transliterator::transliterate is not safe to share.
class TokenTransliterator {
public:
    TokenTransliterator() {
        UErrorCode status = U_ZERO_ERROR;
        transliterator_.reset(icu::Transliterator::createInstance(
            icu::UnicodeString::fromUTF8("Russian-Latin/BGN; Any-Latin; Latin-ASCII"),
            UTRANS_FORWARD,
            status
        ));
        if (U_FAILURE(status)) {
            transliterator_.reset();
        }
    }

    // Transliterates one case-folded token; results are cached because names repeat a lot.
    const std::string& Latin(const std::string& token) {
        if (auto it = cache_.find(token); it != cache_.end()) {
            return it->second;
        }
        if (cache_.size() > kMaxCacheEntries) {
            cache_.clear();
        }
        std::string latin;
        if (transliterator_ != nullptr) {
            icu::UnicodeString text = icu::UnicodeString::fromUTF8(token);
            transliterator_->transliterate(text);
            text.toUTF8String(latin);
        } else {
            latin = token;
        }
        return cache_.emplace(token, LatinLettersOnly(latin)).first->second;
    }

private:
    static constexpr std::size_t kMaxCacheEntries = 200000;
    std::unique_ptr<icu::Transliterator> transliterator_;
    std::unordered_map<std::string, std::string> cache_;
};

TokenTransliterator& ThreadTransliterator() {
    thread_local TokenTransliterator transliterator;
    return transliterator;
}

std::string DigitsOnly(std::string_view raw, bool& only_digits_and_separators) {
    std::string digits;
    only_digits_and_separators = true;
    for (char c : raw) {
        if (IsAsciiDigit(c)) {
            digits.push_back(c);
        } else if (c != ' ' && c != '-') {
            only_digits_and_separators = false;
        }
    }
    return digits;
}

int Digit(char c) { return c - '0'; }

int WeightedMod11(std::string_view digits, const int* weights, std::size_t count) {
    int sum = 0;
    for (std::size_t i = 0; i < count; ++i) {
        sum += Digit(digits[i]) * weights[i];
    }
    return sum % 11;
}

}  // namespace

Normalized NormalizePhoneWithParser(std::string_view raw, std::string_view default_region) {
    std::string trimmed = core::Trim(raw);
    if (trimmed.empty()) {
        return Invalid({}, "empty");
    }
    if (!core::IsValidUtf8(trimmed)) {
        return Invalid(std::move(trimmed), "invalid_utf8");
    }
    const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    const auto error = util->Parse(trimmed, std::string(default_region), &number);
    switch (error) {
        case PhoneNumberUtil::NO_PARSING_ERROR:
            break;
        case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
            return Invalid(std::move(trimmed), "invalid_country_code");
        case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
        case PhoneNumberUtil::TOO_SHORT_NSN:
            return Invalid(std::move(trimmed), "too_short");
        case PhoneNumberUtil::TOO_LONG_NSN:
            return Invalid(std::move(trimmed), "too_long");
        case PhoneNumberUtil::NOT_A_NUMBER:
            return Invalid(std::move(trimmed), "not_a_number");
    }
    std::string e164;
    util->Format(number, PhoneNumberUtil::E164, &e164);
    switch (util->IsPossibleNumberWithReason(number)) {
        case PhoneNumberUtil::IS_POSSIBLE:
            break;
        case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:
        case PhoneNumberUtil::INVALID_LENGTH:
            return Invalid(std::move(e164), "not_possible");
        case PhoneNumberUtil::INVALID_COUNTRY_CODE:
            return Invalid(std::move(e164), "invalid_country_code");
        case PhoneNumberUtil::TOO_SHORT:
            return Invalid(std::move(e164), "too_short");
        case PhoneNumberUtil::TOO_LONG:
            return Invalid(std::move(e164), "too_long");
    }
    if (!util->IsValidNumber(number)) {
        return Invalid(std::move(e164), "invalid_for_region");
    }
    return Valid(std::move(e164));
}

namespace {

// A number is junk if its national part uses at most two distinct digits ("9999999999").
bool LooksLikePlaceholder(std::string_view national) {
    bool seen[10] = {};
    int distinct = 0;
    for (char c : national) {
        if (!seen[Digit(c)]) {
            seen[Digit(c)] = true;
            ++distinct;
        }
    }
    return distinct <= 2;
}

bool IsPossible(int country_code, std::string_view national) {
    if (national.empty() || national.size() > 17 || national.front() == '0') {
        return false;  // leading zeros need libphonenumber's full handling
    }
    // libphonenumber decides "possible" from the country's possible lengths alone (its
    // TestNumberLength), so the answer per (country code, length) is remembered: the on-entry
    // duplicate check reads a hundred stored numbers per create.
    thread_local std::unordered_map<int, bool> known;
    const int key = country_code * 32 + static_cast<int>(national.size());
    if (const auto it = known.find(key); it != known.end()) {
        return it->second;
    }
    PhoneNumber number;
    number.set_country_code(country_code);
    number.set_national_number(std::stoull(std::string(national)));
    const bool possible = PhoneNumberUtil::GetInstance()->IsPossibleNumberWithReason(number) ==
                          PhoneNumberUtil::IS_POSSIBLE;
    return known.emplace(key, possible).first->second;
}

// Whether a country calling code is assigned (libphonenumber's region for it is not "ZZ"),
// remembered per code for the same reason.
bool IsAssignedCountryCode(int code) {
    thread_local std::unordered_map<int, bool> known;
    if (const auto it = known.find(code); it != known.end()) {
        return it->second;
    }
    std::string region;
    PhoneNumberUtil::GetInstance()->GetRegionCodeForCountryCode(code, &region);
    return known.emplace(code, region != "ZZ").first->second;
}

struct RegionDialling {
    std::string region;
    int country_code = 0;
    std::string national_prefix;  // "8" for RU, "0" for UA
};

const RegionDialling& DiallingFor(std::string_view region) {
    thread_local RegionDialling cached;
    if (cached.region != region) {
        cached.region = std::string(region);
        const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
        cached.country_code = util->GetCountryCodeForRegion(cached.region);
        cached.national_prefix.clear();
        util->GetNddPrefixForRegion(cached.region, true, &cached.national_prefix);
    }
    return cached;
}

// A number read without libphonenumber's parser: its country code and national digits.
struct FastReading {
    int country_code = 0;
    std::string_view national;  // into `digits`
    std::string digits;
};

// The one possible reading of a common shape ("+7 915 123-45-67", "8 (915) 1234567", "050 123
// 4567" in UA): digits and separators, the first optionally "+". false means "ask the parser":
// an unusual character, no possible reading or more than one. With `whole`, nothing may follow
// the number; without, an extension or a comment after it is ignored.
bool ReadFast(std::string_view raw, std::string_view default_region, bool whole, FastReading& out) {
    bool plus = false;
    std::string& digits = out.digits;
    digits.clear();
    for (char c : raw) {
        if (IsAsciiDigit(c)) {
            digits.push_back(c);
        } else if (c == '+' && digits.empty() && !plus) {
            plus = true;
        } else if (c == ' ' || c == '-' || c == '(' || c == ')') {
            continue;
        } else if (!whole && (c == '.' || c == '\t')) {
            continue;
        } else if (digits.empty() || whole) {
            return false;  // "tel:", letters before the number: unusual, let the parser decide
        } else {
            break;  // an extension or a comment follows the number
        }
    }
    if (digits.size() < 5 || digits.size() > 15) {
        return false;
    }
    if (plus) {
        if (digits.front() == '0') {
            return false;  // no country code starts with 0; "+049" is not +49
        }
        // Country codes are prefix-free, so at most one of 1..3 leading digits is assigned.
        int code = 0;
        for (std::size_t length = 1; length <= 3; ++length) {
            code = code * 10 + (digits[length - 1] - '0');
            if (IsAssignedCountryCode(code)) {
                out.country_code = code;
                out.national = std::string_view(digits).substr(length);
                return IsPossible(code, out.national);
            }
        }
        return false;
    }
    const RegionDialling& dialling = DiallingFor(default_region);
    if (dialling.country_code == 0) {
        return false;
    }
    const std::string code = std::to_string(dialling.country_code);
    std::string_view candidates[3];
    std::size_t count = 0;
    const std::string_view all(digits);
    if (!dialling.national_prefix.empty() && all.starts_with(dialling.national_prefix)) {
        candidates[count++] = all.substr(dialling.national_prefix.size());
    }
    candidates[count++] = all;
    if (all.starts_with(code)) {
        candidates[count++] = all.substr(code.size());
    }
    int possible = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (IsPossible(dialling.country_code, candidates[i])) {
            out.national = candidates[i];
            ++possible;
        }
    }
    out.country_code = dialling.country_code;
    return possible == 1;  // only an unambiguous reading is taken
}

// The fast path of PhoneMatchKey; "" means "ask libphonenumber".
std::string FastPhoneKey(std::string_view raw, std::string_view default_region) {
    FastReading reading;
    if (!ReadFast(raw, default_region, /*whole=*/false, reading) ||
        LooksLikePlaceholder(reading.national)) {
        return {};
    }
    return "+" + std::to_string(reading.country_code) + std::string(reading.national);
}

}  // namespace

Normalized NormalizePhone(std::string_view raw, std::string_view default_region) {
    // The parser costs ~20-40 us a number, mostly in regular expressions. A common shape with
    // one possible reading that is a valid number is what the parser reads too (normalize_test
    // compares the two paths), so only the validity check runs for it.
    FastReading reading;
    const std::string trimmed = core::Trim(raw);
    if (ReadFast(trimmed, default_region, /*whole=*/true, reading)) {
        PhoneNumber number;
        number.set_country_code(reading.country_code);
        number.set_national_number(std::stoull(std::string(reading.national)));
        if (PhoneNumberUtil::GetInstance()->IsValidNumber(number)) {
            return Valid(
                "+" + std::to_string(reading.country_code) + std::string(reading.national)
            );
        }
    }
    return NormalizePhoneWithParser(trimmed, default_region);
}

std::string PhoneMatchKey(std::string_view raw, std::string_view default_region) {
    std::string key = FastPhoneKey(raw, default_region);
    if (!key.empty()) {
        return key;
    }
    Normalized slow = NormalizePhone(raw, default_region);
    if (!slow.valid || LooksLikePlaceholder(std::string_view(slow.normalized).substr(2))) {
        return {};
    }
    return std::move(slow.normalized);
}

Normalized NormalizeEmail(std::string_view raw) {
    std::string trimmed = core::Trim(raw);
    if (trimmed.empty()) {
        return Invalid({}, "empty");
    }
    if (!core::IsValidUtf8(trimmed)) {
        return Invalid(std::move(trimmed), "invalid_utf8");
    }
    // "Ivan <ivan@x.ru>" and "mailto:" are common paste artefacts; take the address inside.
    if (auto open = trimmed.rfind('<'); open != std::string::npos && trimmed.back() == '>') {
        trimmed = core::Trim(std::string_view(trimmed).substr(open + 1, trimmed.size() - open - 2));
    }
    if (trimmed.size() > 7 && AsciiLowerCopy(trimmed.substr(0, 7)) == "mailto:") {
        trimmed.erase(0, 7);
    }
    std::string lowered = core::FoldCase(core::NormalizeNfc(trimmed));
    const auto at = lowered.rfind('@');
    if (at == std::string::npos) {
        return Invalid(std::move(lowered), "missing_at");
    }
    const std::string local = lowered.substr(0, at);
    const std::string domain = lowered.substr(at + 1);
    std::string ascii_domain;
    const bool domain_ok = HostToAscii(domain, ascii_domain);
    std::string normalized = local + "@" + (domain_ok ? ascii_domain : domain);
    if (local.empty() || local.front() == '.' || local.back() == '.' ||
        local.find("..") != std::string::npos) {
        return Invalid(std::move(normalized), "bad_local_part");
    }
    if (local.size() > 64) {
        return Invalid(std::move(normalized), "local_part_too_long");
    }
    static constexpr std::string_view kAtextSpecials = "!#$%&'*+-/=?^_`{|}~.";
    for (char c : local) {
        const bool non_ascii = static_cast<unsigned char>(c) >= 0x80;
        if (!non_ascii && !IsAsciiAlpha(c) && !IsAsciiDigit(c) &&
            kAtextSpecials.find(c) == std::string_view::npos) {
            return Invalid(std::move(normalized), "bad_local_part");
        }
    }
    if (!domain_ok) {
        return Invalid(std::move(normalized), "bad_domain");
    }
    if (local.size() + 1 + ascii_domain.size() > 254) {
        return Invalid(std::move(normalized), "too_long");
    }
    return Valid(std::move(normalized));
}

std::string EmailMatchKey(std::string_view normalized_email) {
    const auto at = normalized_email.rfind('@');
    if (at == std::string_view::npos) {
        return std::string(normalized_email);
    }
    const std::string_view domain = normalized_email.substr(at + 1);
    if (domain != "gmail.com" && domain != "googlemail.com") {
        return std::string(normalized_email);
    }
    std::string local;
    for (char c : normalized_email.substr(0, at)) {
        if (c == '+') {
            break;
        }
        if (c != '.') {
            local.push_back(c);
        }
    }
    return local + "@gmail.com";
}

namespace {

NameKeys NormalizePersonNameUncached(std::string_view raw) {
    NameKeys keys;
    if (!core::IsValidUtf8(raw)) {
        keys.normalized = std::string(raw);
        keys.reason = "invalid_utf8";
        return keys;
    }
    if (IsAscii(raw)) {
        keys.normalized = AsciiLowerCopy(CollapseSpaces(raw));
        keys.latin = LatinLettersOnly(keys.normalized);
    } else {
        keys.normalized = CollapseSpaces(core::FoldCase(core::NormalizeNfc(raw)));
        TokenTransliterator& transliterator = ThreadTransliterator();
        std::string token;
        const auto flush = [&] {
            if (token.empty()) {
                return;
            }
            const std::string& latin =
                IsAscii(token) ? LatinLettersOnly(token) : transliterator.Latin(token);
            if (!latin.empty()) {
                if (!keys.latin.empty()) {
                    keys.latin.push_back(' ');
                }
                keys.latin += latin;
            }
            token.clear();
        };
        for (char c : keys.normalized) {
            if (c == ' ' || c == '-') {
                flush();
            } else {
                token.push_back(c);
            }
        }
        flush();
    }
    if (keys.normalized.empty()) {
        keys.reason = "empty";
        return keys;
    }
    keys.key = NameMatchKey(keys.latin);
    if (keys.key.empty()) {
        keys.reason = "no_letters";
        return keys;
    }
    keys.valid = true;
    return keys;
}

}  // namespace

NameKeys NormalizePersonName(std::string_view raw) {
    // Names repeat a lot (a few thousand given and family names cover most people), and each
    // costs ICU conversions, normalisation and transliteration: keep this thread's recent ones.
    constexpr std::size_t kMaxCached = 20000;
    thread_local std::unordered_map<std::string, NameKeys> cache;
    const std::string key(raw);
    if (auto it = cache.find(key); it != cache.end()) {
        return it->second;
    }
    if (cache.size() >= kMaxCached) {
        cache.clear();
    }
    return cache.emplace(key, NormalizePersonNameUncached(raw)).first->second;
}

std::string NameMatchKey(std::string_view latin_lower) {
    std::string out;
    out.reserve(latin_lower.size() + 4);
    bool token_start = true;
    const auto emit = [&out](char c) {
        if (out.empty() || out.back() != c) {
            out.push_back(c);
        }
    };
    std::size_t i = 0;
    const auto next_is = [&](std::string_view s) { return latin_lower.substr(i).starts_with(s); };
    while (i < latin_lower.size()) {
        const char c = AsciiLower(latin_lower[i]);
        if (c == ' ') {
            if (!out.empty() && out.back() != ' ') {
                out.push_back(' ');
            }
            token_start = true;
            ++i;
            continue;
        }
        if (!IsAsciiAlpha(c)) {
            ++i;
            continue;
        }

        struct Rule {
            std::string_view from;
            std::string_view to;
        };

        static constexpr std::array<Rule, 11> kRules = {{
            {"shch", "s"},
            {"sch", "s"},
            {"sh", "s"},
            {"ch", "c"},
            {"zh", "z"},
            {"kh", "h"},
            {"ts", "c"},
            {"tz", "c"},
            {"ph", "f"},
            {"ck", "k"},
            {"x", "ks"},
        }};
        if (token_start && (next_is("ye") || next_is("je"))) {
            emit('e');
            i += 2;
            token_start = false;
            continue;
        }
        token_start = false;
        bool matched = false;
        for (const Rule& rule : kRules) {
            if (next_is(rule.from)) {
                for (char t : rule.to) {
                    emit(t);
                }
                i += rule.from.size();
                matched = true;
                break;
            }
        }
        if (matched) {
            continue;
        }
        switch (c) {
            case 'y':
            case 'j':
                emit('i');
                break;
            case 'w':
                emit('v');
                break;
            case 'q':
                emit('k');
                break;
            default:
                emit(c);
        }
        ++i;
    }
    if (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    return out;
}

Normalized NormalizeWebsite(std::string_view raw) {
    std::string trimmed = core::Trim(raw);
    if (trimmed.empty()) {
        return Invalid({}, "empty");
    }
    if (!core::IsValidUtf8(trimmed)) {
        return Invalid(std::move(trimmed), "invalid_utf8");
    }
    std::string_view rest = trimmed;
    if (const auto scheme_end = rest.find("://"); scheme_end != std::string_view::npos) {
        const std::string scheme = AsciiLowerCopy(rest.substr(0, scheme_end));
        if (scheme != "http" && scheme != "https") {
            return Invalid(std::move(trimmed), "unsupported_scheme");
        }
        rest.remove_prefix(scheme_end + 3);
    } else if (rest.starts_with("//")) {
        rest.remove_prefix(2);
    }
    if (const auto hash = rest.find('#'); hash != std::string_view::npos) {
        rest = rest.substr(0, hash);
    }
    const auto authority_end = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, authority_end);
    std::string_view tail =
        authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        authority.remove_prefix(at + 1);
    }
    std::string port;
    if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        port = std::string(authority.substr(colon + 1));
        authority = authority.substr(0, colon);
        if (port.empty() || !std::all_of(port.begin(), port.end(), IsAsciiDigit) ||
            port.size() > 5) {
            return Invalid(std::move(trimmed), "bad_host");
        }
        if (port == "80" || port == "443") {
            port.clear();
        }
    }
    std::string host;
    if (!HostToAscii(authority, host)) {
        return Invalid(std::move(trimmed), "bad_host");
    }
    if (host.starts_with("www.") && host.find('.', 4) != std::string::npos) {
        host.erase(0, 4);
    }
    std::string path;
    std::string query;
    if (const auto question = tail.find('?'); question != std::string_view::npos) {
        query = std::string(tail.substr(question));
        tail = tail.substr(0, question);
    }
    path = std::string(tail);
    while (!path.empty() && path.back() == '/') {
        path.pop_back();
    }
    if (query == "?") {
        query.clear();
    }
    std::string normalized = host;
    if (!port.empty()) {
        normalized += ":" + port;
    }
    return Valid(normalized + path + query);
}

Normalized ValidateInn(std::string_view raw) {
    std::string trimmed = core::Trim(raw);
    if (trimmed.empty()) {
        return Invalid({}, "empty");
    }
    bool clean = true;
    std::string digits = DigitsOnly(trimmed, clean);
    if (!clean) {
        return Invalid(std::move(trimmed), "not_digits");
    }
    static constexpr int kWeights10[] = {2, 4, 10, 3, 5, 9, 4, 6, 8};
    static constexpr int kWeights11[] = {7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
    static constexpr int kWeights12[] = {3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
    if (digits.size() == 10) {
        const bool ok = WeightedMod11(digits, kWeights10, 9) % 10 == Digit(digits[9]);
        return ok ? Valid(std::move(digits)) : Invalid(std::move(digits), "bad_checksum");
    }
    if (digits.size() == 12) {
        const bool ok = WeightedMod11(digits, kWeights11, 10) % 10 == Digit(digits[10]) &&
                        WeightedMod11(digits, kWeights12, 11) % 10 == Digit(digits[11]);
        return ok ? Valid(std::move(digits)) : Invalid(std::move(digits), "bad_checksum");
    }
    return Invalid(std::move(digits), "bad_length");
}

Normalized ValidateEdrpou(std::string_view raw) {
    std::string trimmed = core::Trim(raw);
    if (trimmed.empty()) {
        return Invalid({}, "empty");
    }
    bool clean = true;
    std::string digits = DigitsOnly(trimmed, clean);
    if (!clean) {
        return Invalid(std::move(trimmed), "not_digits");
    }
    if (digits.size() != 8) {
        return Invalid(std::move(digits), "bad_length");
    }
    const long value = std::stol(digits);
    const bool middle_range = value >= 30000000 && value <= 60000000;
    static constexpr int kLow[] = {1, 2, 3, 4, 5, 6, 7};
    static constexpr int kMiddle[] = {7, 1, 2, 3, 4, 5, 6};
    const int* weights = middle_range ? kMiddle : kLow;
    int check = WeightedMod11(digits, weights, 7);
    if (check == 10) {
        int bumped[7];
        for (int i = 0; i < 7; ++i) {
            bumped[i] = weights[i] + 2;
        }
        check = WeightedMod11(digits, bumped, 7);
        if (check == 10) {
            check = 0;
        }
    }
    return check == Digit(digits[7]) ? Valid(std::move(digits))
                                     : Invalid(std::move(digits), "bad_checksum");
}

}  // namespace voronka::quality
