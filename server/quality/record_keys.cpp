// Record <-> matcher mapping and the matching keys stored beside each record.
#include "quality/record_keys.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "quality/normalize.hpp"

namespace voronka::quality {

using core::Json;

namespace {

// The matcher's logistic scale (see ScorePrepared in matcher.hpp): score = 1 / (1 + exp(-(e -
// kOffset) / kScale)).
constexpr double kEvidenceOffset = 9.5;
constexpr double kEvidenceScale = 2.0;
constexpr double kSameWebsite = 6.0;
constexpr double kDifferentWebsite = -1.0;

std::string Str(const Json& body, std::string_view key) {
    auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Skeleton(std::string_view text) {
    if (text.empty()) {
        return {};
    }
    return NormalizePersonName(text).key;
}

std::vector<std::string> Tokens(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t space = text.find(' ', start);
        if (space == std::string::npos) {
            space = text.size();
        }
        if (space > start) {
            out.push_back(text.substr(start, space - start));
        }
        start = space + 1;
    }
    return out;
}

std::string Block(const std::string& surname, const std::string& given) {
    return surname.substr(0, 4) + "/" + given.substr(0, 3);
}

double Evidence(double score) {
    const double s = std::clamp(score, 1e-9, 1.0 - 1e-9);
    return kEvidenceOffset + kEvidenceScale * std::log(s / (1.0 - s));
}

double Score(double evidence) {
    return 1.0 / (1.0 + std::exp(-(evidence - kEvidenceOffset) / kEvidenceScale));
}

std::string Host(const std::string& website_key) {
    return website_key.substr(0, website_key.find('/'));
}

std::string WebsiteKey(const Json& body) {
    if (std::string stored = Str(body, "website_key"); !stored.empty()) {
        return stored;
    }
    const std::string website = Str(body, "website");
    if (website.empty()) {
        return {};
    }
    const Normalized n = NormalizeWebsite(website);
    return n.valid ? n.normalized : std::string();
}

}  // namespace

const std::vector<QualityProfile>& QualityProfiles() {
    static const std::vector<QualityProfile> kProfiles = {
        {"contacts", RecordKind::kPerson},
        {"companies", RecordKind::kCompany},
        {"leads", RecordKind::kPerson},
    };
    return kProfiles;
}

const QualityProfile* FindProfile(std::string_view entity) {
    for (const QualityProfile& p : QualityProfiles()) {
        if (p.entity == entity) {
            return &p;
        }
    }
    return nullptr;
}

std::string StripLegalForm(std::string_view name) {
    // Compared case-folded; the common forms of Russia, Ukraine and the English-speaking world.
    static const std::set<std::string, std::less<>> kForms = {
        "ооо",         "оао",  "зао", "пао", "ао",   "ип",  "нко", "ано",     "тоо",
        "тов",         "пп",   "фоп", "пат", "прат", "llc", "ltd", "inc",     "corp",
        "co",          "gmbh", "ag",  "plc", "sa",   "oy",  "ab",  "limited", "company",
        "corporation", "ooo",  "zao", "oao", "pao",  "ao",  "ip"};
    std::string cleaned;
    for (char c : name) {
        const bool quote = c == '"' || c == '\'' || c == ',' || c == '.' || c == '(' || c == ')';
        cleaned += quote ? ' ' : c;
    }
    // Guillemets and typographic quotes are multi-byte; blank them too.
    for (const std::string_view q : {"«", "»", "“", "”", "„"}) {
        for (size_t at = cleaned.find(q); at != std::string::npos; at = cleaned.find(q)) {
            cleaned.replace(at, q.size(), " ");
        }
    }
    std::string out;
    for (const std::string& token : Tokens(cleaned)) {
        const std::string folded = NormalizePersonName(token).normalized;
        if (kForms.contains(folded)) {
            continue;
        }
        if (!out.empty()) {
            out += ' ';
        }
        out += token;
    }
    return out;
}

std::vector<std::string> NameBlocks(RecordKind kind, const Json& body) {
    if (kind == RecordKind::kCompany) {
        std::string key = Skeleton(StripLegalForm(Str(body, "name")));
        key.erase(std::remove(key.begin(), key.end(), ' '), key.end());
        return {key.substr(0, 6)};
    }
    std::string given = Skeleton(Str(body, "first_name"));
    std::string surname = Skeleton(Str(body, "last_name"));
    if (given.empty() != surname.empty()) {
        const std::vector<std::string> tokens = Tokens(given.empty() ? surname : given);
        if (tokens.size() >= 2) {
            given = tokens.front();
            surname = tokens.back();
        }
    }
    if (given.empty() && surname.empty()) {
        return {"", ""};
    }
    return {Block(surname, given), Block(given, surname)};
}

namespace {

// The email, website and tax id keys, with whether each value given was unusable.
struct ExactKeyParts {
    RecordKeys keys;
    bool invalid_email = false;
    bool invalid_website = false;
    bool invalid_inn = false;
};

ExactKeyParts ComputeExactKeys(RecordKind kind, const Json& body) {
    ExactKeyParts out;
    const std::string email = Str(body, "email");
    if (!email.empty()) {
        const Normalized n = NormalizeEmail(email);
        if (n.valid) {
            out.keys.email_key = EmailMatchKey(n.normalized);
        } else {
            out.invalid_email = true;
        }
    }
    if (kind == RecordKind::kCompany) {
        const std::string website = Str(body, "website");
        if (!website.empty()) {
            const Normalized n = NormalizeWebsite(website);
            out.keys.website_key = n.valid ? n.normalized : std::string();
        }
        out.invalid_website = out.keys.website_key.empty() && !website.empty();
        const std::string inn = Str(body, "inn");
        if (!inn.empty()) {
            Normalized n = ValidateInn(inn);
            if (!n.valid) {
                n = ValidateEdrpou(inn);
            }
            if (n.valid) {
                out.keys.inn_key = n.normalized;
            } else {
                out.invalid_inn = true;
            }
        }
    }
    return out;
}

}  // namespace

RecordKeys ExactKeys(RecordKind kind, const Json& body) {
    return ComputeExactKeys(kind, body).keys;
}

RecordKeys ComputeKeys(RecordKind kind, const Json& body) {
    ExactKeyParts parts = ComputeExactKeys(kind, body);
    RecordKeys keys = std::move(parts.keys);
    const std::string phone = Str(body, "phone");
    const bool invalid_phone = !phone.empty() && Str(body, "phone_e164").empty();
    keys.name_key = NameBlocks(kind, body)[0];
    if (kind == RecordKind::kPerson) {
        std::string full = Str(body, "first_name");
        const std::string last = Str(body, "last_name");
        if (!full.empty() && !last.empty()) {
            full += ' ';
        }
        full += last;
        if (!full.empty()) {
            keys.name_latin = NormalizePersonName(full).latin;
        }
    }
    const bool flagged[] = {
        invalid_phone, parts.invalid_email, parts.invalid_website, parts.invalid_inn};
    for (size_t i = 0; i < std::size(kQualityFlags); ++i) {
        if (flagged[i]) {
            keys.flags.emplace_back(kQualityFlags[i]);
        }
    }
    return keys;
}

const std::vector<std::string>& MatchColumns(RecordKind kind) {
    static const std::vector<std::string> kPerson = {
        "first_name",
        "middle_name",
        "last_name",
        "email",
        "phone",
        "phone_e164",
        "birthday",
        "company_name"};
    static const std::vector<std::string> kCompany = {
        "name", "inn", "website", "email", "phone", "phone_e164", "address"};
    return kind == RecordKind::kPerson ? kPerson : kCompany;
}

MatchRecord ToMatchRecord(
    RecordKind kind, const std::function<std::string(std::string_view)>& field
) {
    MatchRecord r;
    r.id = field("id");
    r.email = field("email");
    r.phone = field("phone_e164");
    if (r.phone.empty()) {
        r.phone = field("phone");
    }
    if (kind == RecordKind::kPerson) {
        r.first_name = field("first_name");
        r.middle_name = field("middle_name");
        r.last_name = field("last_name");
        r.birthday = field("birthday");
        r.company = field("company_name");
    } else {
        r.last_name = StripLegalForm(field("name"));
        r.national_id = field("inn");
        r.address_1 = field("address");
    }
    return r;
}

MatchRecord ToMatchRecord(RecordKind kind, const Json& body) {
    return ToMatchRecord(kind, [&body](std::string_view key) { return Str(body, key); });
}

MatchResult AdjustForKind(
    RecordKind kind, const Json& left, const Json& right, MatchResult result
) {
    if (kind != RecordKind::kCompany) {
        return result;
    }
    const std::string a = WebsiteKey(left);
    const std::string b = WebsiteKey(right);
    if (a.empty() || b.empty()) {
        return result;
    }
    const bool same = Host(a) == Host(b);
    result.score = Score(Evidence(result.score) + (same ? kSameWebsite : kDifferentWebsite));
    if (same) {
        result.reasons.insert(result.reasons.begin(), "same_website");
    } else {
        result.reasons.emplace_back("website_differs");
    }
    return result;
}

double PreAdjustThreshold(RecordKind kind, double threshold) {
    if (kind != RecordKind::kCompany || threshold <= 0.0) {
        return threshold;
    }
    return Score(Evidence(threshold) - kSameWebsite);
}

}  // namespace voronka::quality
