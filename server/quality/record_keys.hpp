// How stored records of the CRM's entities become matcher input and matching keys: which columns
// feed which MatchRecord field, and the keys and flags kept beside the values as typed.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "quality/matcher.hpp"

namespace voronka::quality {

enum class RecordKind { kPerson, kCompany };

// An entity whose records are checked for duplicates. Person entities have first_name /
// last_name (middle_name, birthday, company_name when present); company entities have name, inn,
// website, address. Both have email and phone (+ phone_e164, kept by sales::PhoneE164Hook).
struct QualityProfile {
    std::string entity;
    RecordKind kind = RecordKind::kPerson;
};

// The entities the quality domain serves: contacts and leads (persons), companies.
const std::vector<QualityProfile>& QualityProfiles();

// nullptr when `entity` is not one of QualityProfiles().
const QualityProfile* FindProfile(std::string_view entity);

// Values of quality_flags, in this order.
inline constexpr const char* kQualityFlags[] = {
    "invalid_phone", "invalid_email", "invalid_website", "invalid_inn"};

// Matching keys and flags of one record; "" means "no key".
struct RecordKeys {
    std::string email_key;    // EmailMatchKey of the normalised address when it is valid
    std::string name_latin;   // persons: NFC, case-folded Latin transliteration of the full name
    std::string name_key;     // blocking key of the name, see NameBlock
    std::string website_key;  // companies: NormalizeWebsite form when valid
    std::string inn_key;      // companies: digits of a valid INN (RU) or EDRPOU (UA)
    std::vector<std::string> flags;  // subset of kQualityFlags, in their order
};

// Computes the keys from an API body. A phone is invalid when it is non-empty and phone_e164 is
// null (PhoneE164Hook stores only valid numbers). Pure; thread-safe.
RecordKeys ComputeKeys(RecordKind kind, const core::Json& body);

// The keys the on-entry check looks records up by (email, website, tax id), without the name
// keys (the Latin transliteration is a create's costliest key) and without flags.
RecordKeys ExactKeys(RecordKind kind, const core::Json& body);

// Blocking keys of a person's name: the first 4 bytes of the surname skeleton, "/", the first 3
// of the given-name skeleton (NameMatchKey of the Latin form). A full name typed into one field
// is split into first and last token. Index 0 is the record's own key, index 1 the key it would
// have with first and last name swapped (for the lookup); both "" when there is no name.
// Companies: one key, the first 6 bytes of the name skeleton without legal form and spaces.
std::vector<std::string> NameBlocks(RecordKind kind, const core::Json& body);

// Removes legal-form words ("ООО", "LLC", "ТОВ", "GmbH", ...) and quotes from a company name.
std::string StripLegalForm(std::string_view name);

// The columns of `kind` the matcher reads (those missing from an entity are skipped by callers).
const std::vector<std::string>& MatchColumns(RecordKind kind);

// Builds matcher input from an API body (or a row turned into one). The phone is the E.164 form
// when phone_e164 is set, otherwise the phone as typed.
MatchRecord ToMatchRecord(RecordKind kind, const core::Json& body);
// The same from any source of values: `field` gives a column's text, "" when missing or null.
MatchRecord ToMatchRecord(
    RecordKind kind, const std::function<std::string(std::string_view)>& field
);

// Companies also compare websites, which the person matcher does not know: the same website adds
// evidence +6 ("same_website"), two different ones -1, on the matcher's logistic scale.
// Persons: returns `result` unchanged.
MatchResult AdjustForKind(
    RecordKind kind, const core::Json& left, const core::Json& right, MatchResult result
);

// The score a pair needs before AdjustForKind for the adjusted score to possibly reach
// `threshold` (lower for companies, where a shared website can still lift it).
double PreAdjustThreshold(RecordKind kind, double threshold);

}  // namespace voronka::quality
