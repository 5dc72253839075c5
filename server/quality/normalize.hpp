// Pure normalisation of contact data (phones, emails, names, websites, tax ids) for storage and
// matching; invalid input is flagged with a reason, never dropped.
#pragma once

#include <string>
#include <string_view>

namespace voronka::quality {

// The outcome of normalising one value. `normalized` is always filled with the best canonical
// form that could be produced (the trimmed input when nothing better exists), so a caller can
// store it even when `valid` is false. `reason` is empty when valid, otherwise a stable
// snake_case code such as "empty", "invalid_utf8", "bad_checksum" (see each function).
struct Normalized {
    std::string normalized;
    bool valid = false;
    std::string reason;
};

// Parses a phone number with libphonenumber and formats it as E.164 ("+79151234567").
// `default_region` is an ISO 3166-1 alpha-2 code ("RU", "UA", ...) used for numbers written
// without a country code, so "89151234567" in RU gives "+79151234567". Extensions are dropped.
// Reasons: "empty", "invalid_utf8", "not_a_number" (normalized = trimmed input),
// "too_short", "too_long", "invalid_country_code", "not_possible", "invalid_for_region"
// (normalized = the E.164 form libphonenumber produced, still useful as a key).
// Thread-safe.
Normalized NormalizePhone(std::string_view raw, std::string_view default_region);

// NormalizePhone with libphonenumber's parser on every input, without the fast path for common
// shapes; the two agree on every input (normalize_test checks it). Thread-safe.
Normalized NormalizePhoneWithParser(std::string_view raw, std::string_view default_region);

// A matching key for a phone, NOT a validation: the E.164 form when the number is at least
// possible (right length for its country), else "". Common shapes ("+7 915 123-45-67",
// "8 (915) 1234567", "050 123 4567" in UA) are read without libphonenumber's parser, which
// costs ~20-40 us per number, and only when exactly one reading is possible; everything else
// goes through NormalizePhone and must be valid. Placeholders whose national part uses at most
// two distinct digits ("+7 999 999-99-99", "8 900 000 00 00") give "" so they never link records.
// For valid numbers the key equals NormalizePhone(raw, region).normalized. Thread-safe.
std::string PhoneMatchKey(std::string_view raw, std::string_view default_region);

// Trims, NFC-normalises and lower-cases an address; the domain is converted to its IDNA
// (UTS #46) ASCII form, so "Ivan@Почта.РФ" gives "ivan@xn--80a1acny.xn--p1ai".
// Validation follows RFC 5321/5322 dot-atom syntax (UTF-8 local parts allowed per RFC 6531):
// local part 1..64 octets without leading/trailing/double dots, domain of >= 2 LDH labels with
// an alphabetic top-level label, total <= 254 octets. No provider-specific rewriting here.
// Reasons: "empty", "invalid_utf8", "missing_at", "bad_local_part", "local_part_too_long",
// "bad_domain", "too_long".
Normalized NormalizeEmail(std::string_view raw);

// A matching key for an already normalised email, NOT a storage form: for gmail.com and
// googlemail.com, dots and a "+tag" are removed from the local part and the domain becomes
// gmail.com, because Gmail delivers all those spellings to one mailbox. Other addresses are
// returned unchanged (other providers differ on dots and tags).
std::string EmailMatchKey(std::string_view normalized_email);

// Keys of one person name (any of first/middle/last, or a full name).
struct NameKeys {
    std::string normalized;  // NFC, case-folded, whitespace collapsed; original script kept
    std::string latin;       // ICU "Russian-Latin/BGN; Any-Latin; Latin-ASCII", letters only
    std::string key;         // phonetic skeleton of `latin` (see NameMatchKey), for matching
    bool valid = false;
    std::string reason;  // "empty", "invalid_utf8", "no_letters"
};

// NFC + case fold + Latin transliteration (Cyrillic via BGN romanisation, other scripts via
// Any-Latin) + the matching skeleton. "Иван Петров" and "IVAN  Petrov" share latin "ivan petrov".
// Thread-safe (one ICU transliterator per thread, plus a per-thread cache of tokens).
NameKeys NormalizePersonName(std::string_view raw);

// Folds romanisation variants of one lower-case ASCII name so that spellings of the same
// Cyrillic name meet: "yuliya", "julia", "iuliia" -> "iulia"; "aleksey", "alexei" -> "aleksei";
// "khrushchev", "hrushchev" -> "hrusev". Rules, in order: drop non-letters; x->ks, w->v, q->k,
// ph->f, ck->k; shch/sch->s, sh->s, ch->c, zh->z, kh->h, ts/tz->c; a leading "ye"/"je" -> "e";
// y/j->i; repeated letters collapse. Spaces separate tokens and are kept. Only a key: it is
// lossy and meant to be compared, never shown.
std::string NameMatchKey(std::string_view latin_lower);

// Canonicalises a website: scheme, "www." prefix, user info, default port, fragment and trailing
// slash are removed, the host is lower-cased and IDNA-encoded (UTS #46), path and query are kept.
// "https://WWW.Пример.рф/about/" gives "xn--e1afmkfd.xn--p1ai/about".
// Reasons: "empty", "invalid_utf8", "bad_host", "unsupported_scheme".
Normalized NormalizeWebsite(std::string_view raw);

// Russian taxpayer number (ИНН): 10 digits (organisation) or 12 digits (individual) with the
// FNS check digits. Spaces and dashes are ignored. Reasons: "empty", "not_digits",
// "bad_length", "bad_checksum".
Normalized ValidateInn(std::string_view raw);

// Ukrainian legal-entity code (ЄДРПОУ): 8 digits with the official mod-11 check digit (weights
// 1..7, or 7,1..6 for codes between 30000000 and 60000000; +2 on each weight when the first
// pass gives 10). Reasons as for ValidateInn.
Normalized ValidateEdrpou(std::string_view raw);

}  // namespace voronka::quality
