// Record preparation and the weighted field-agreement scorer documented in matcher.hpp.
#include "quality/matcher.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <unordered_map>
#include <utility>

#include "quality/normalize.hpp"
#include "quality/similarity.hpp"

namespace voronka::quality {
namespace {

constexpr double kEvidenceOffset = 9.5;
constexpr double kEvidenceScale = 2.0;
constexpr double kSwappedPenalty = 0.5;

// Collects reasons only when asked, so the hot path of a scan allocates nothing.
class Explanation {
public:
    explicit Explanation(bool enabled) : enabled_(enabled) {}

    void Add(double weight, std::string_view reason) {
        if (enabled_) {
            items_.emplace_back(weight, std::string(reason));
        }
    }

    void AddSimilarity(double weight, std::string_view name, double similarity) {
        if (!enabled_) {
            return;
        }
        char buffer[64];
        std::snprintf(
            buffer,
            sizeof(buffer),
            "%.*s_similar:%.2f",
            static_cast<int>(name.size()),
            name.data(),
            similarity
        );
        items_.emplace_back(weight, buffer);
    }

    bool enabled() const { return enabled_; }

    std::vector<std::string> Reasons() && {
        std::stable_sort(items_.begin(), items_.end(), [](const auto& x, const auto& y) {
            return x.first > y.first;
        });
        std::vector<std::string> out;
        out.reserve(items_.size());
        for (auto& item : items_) {
            out.push_back(std::move(item.second));
        }
        return out;
    }

private:
    bool enabled_;
    std::vector<std::pair<double, std::string>> items_;
};

// Linear map of a similarity to evidence: `disagree` at s <= floor, `agree` at s = 1.
double Weigh(double similarity, double agree, double disagree, double floor) {
    if (similarity >= 1.0) {
        return agree;
    }
    if (similarity <= floor) {
        return disagree;
    }
    return disagree + (agree - disagree) * (similarity - floor) / (1.0 - floor);
}

// Names: a typo or two (JW ~0.85-0.95) still says "probably the same", below ~0.7 the names are
// different; piecewise linear through (0.7, disagree), (0.85, agree / 3), (1, agree).
double WeighName(double similarity, double agree, double disagree) {
    constexpr double kDifferent = 0.7;
    constexpr double kTypo = 0.85;
    if (similarity <= kDifferent) {
        return disagree;
    }
    if (similarity < kTypo) {
        return disagree + (agree / 3 - disagree) * (similarity - kDifferent) / (kTypo - kDifferent);
    }
    return agree / 3 + (agree - agree / 3) * (std::min(similarity, 1.0) - kTypo) / (1.0 - kTypo);
}

std::string AlnumOnly(std::string_view raw) {
    std::string out;
    for (char c : raw) {
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
            out.push_back(c);
        } else if (c >= 'A' && c <= 'Z') {
            out.push_back(static_cast<char>(c - 'A' + 'a'));
        }
    }
    return out;
}

std::string TextKey(std::string_view raw) {
    if (raw.empty()) {
        return {};
    }
    const bool ascii = std::all_of(raw.begin(), raw.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x80;
    });
    if (ascii) {
        return NormalizePersonName(raw).key;
    }
    // Names, cities and companies repeat a lot; this skips ICU for values seen before.
    thread_local std::unordered_map<std::string, std::string> cache;
    const std::string key(raw);
    if (const auto it = cache.find(key); it != cache.end()) {
        return it->second;
    }
    if (cache.size() >= 1U << 18) {
        cache.clear();
    }
    return cache.emplace(key, NormalizePersonName(raw).key).first->second;
}

double NameSimilarity(std::string_view a, std::string_view b) {
    if (a.find(' ') != std::string_view::npos || b.find(' ') != std::string_view::npos) {
        return std::max(JaroWinkler(a, b), TokenSimilarity(a, b));
    }
    return JaroWinkler(a, b);
}

struct NameEvidence {
    double weight = 0;
    double similarity = -1;  // mean similarity of the compared parts, -1 if nothing compared
    bool swapped = false;
};

NameEvidence OrientedNames(
    std::string_view given_a,
    std::string_view surname_a,
    std::string_view given_b,
    std::string_view surname_b
) {
    NameEvidence out;
    double total = 0;
    int parts = 0;
    if (!given_a.empty() && !given_b.empty()) {
        const double s = NameSimilarity(given_a, given_b);
        out.weight += WeighName(s, 4.0, -6.0);
        total += s;
        ++parts;
    }
    if (!surname_a.empty() && !surname_b.empty()) {
        const double s = NameSimilarity(surname_a, surname_b);
        out.weight += WeighName(s, 5.0, -4.0);
        total += s;
        ++parts;
    }
    if (parts > 0) {
        out.similarity = total / parts;
    }
    return out;
}

std::string FullName(const PreparedRecord& r) {
    if (r.given.empty()) {
        return r.surname;
    }
    if (r.surname.empty()) {
        return r.given;
    }
    return r.given + " " + r.surname;
}

NameEvidence CompareNames(const PreparedRecord& a, const PreparedRecord& b) {
    if (a.name_in_one_field || b.name_in_one_field) {
        const std::string full_a = FullName(a);
        const std::string full_b = FullName(b);
        NameEvidence out;
        if (!full_a.empty() && !full_b.empty()) {
            out.similarity = TokenSimilarity(full_a, full_b);
            out.weight = WeighName(out.similarity, 9.0, -8.0);
        }
        return out;
    }
    NameEvidence direct = OrientedNames(a.given, a.surname, b.given, b.surname);
    if (direct.similarity >= 0.95) {
        return direct;  // swapping cannot do better by enough to matter
    }
    NameEvidence swapped = OrientedNames(a.given, a.surname, b.surname, b.given);
    swapped.weight -= kSwappedPenalty;
    swapped.swapped = true;
    if (swapped.similarity > direct.similarity && swapped.weight > direct.weight) {
        return swapped;
    }
    return direct;
}

double MiddleNameSimilarity(std::string_view a, std::string_view b) {
    if (a.size() == 1 || b.size() == 1) {
        return a.front() == b.front() ? 0.9 : 0.0;
    }
    return JaroWinkler(a, b);
}

// Birthdays are "YYYYMMDD" keys (possibly with typos that make them impossible dates).
enum class DateAgreement { kSame, kTransposed, kTypo, kDiffers };

DateAgreement CompareBirthdays(std::string_view a, std::string_view b) {
    if (a == b) {
        return DateAgreement::kSame;
    }
    if (a.size() == 8 && b.size() == 8 && a.substr(0, 4) == b.substr(0, 4) &&
        a.substr(4, 2) == b.substr(6, 2) && a.substr(6, 2) == b.substr(4, 2)) {
        return DateAgreement::kTransposed;
    }
    if (BoundedEditDistance(a, b, 1) <= 1) {
        return DateAgreement::kTypo;
    }
    return DateAgreement::kDiffers;
}

// Upper bounds of what the fields after a checkpoint can still add (see the weights above).
constexpr double kMaxNames = 9.0;
constexpr double kMaxMiddle = 1.0;
constexpr double kMaxAddress = 2.5;
constexpr double kMaxCity = 1.5;
constexpr double kMaxCompany = 1.5;
constexpr double kMaxRegion = 0.5;
constexpr double kMaxTail = kMaxAddress + kMaxCity + kMaxCompany;
constexpr double kGaveUp = -std::numeric_limits<double>::infinity();

// The exact (or edit-distance) fields' evidence: phone, email, national id, birthday,
// postcode, street number.
double ExactEvidence(const PreparedRecord& a, const PreparedRecord& b, Explanation& why) {
    double evidence = 0;
    const auto both = [](const std::string& x, const std::string& y) {
        return !x.empty() && !y.empty();
    };
    if (both(a.phone, b.phone)) {
        const double w = a.phone == b.phone ? 7.0 : -3.0;
        evidence += w;
        why.Add(w, w > 0 ? "same_phone" : "phone_differs");
    }
    if (both(a.email, b.email)) {
        const double w = a.email == b.email ? 10.0 : -3.0;
        evidence += w;
        why.Add(w, w > 0 ? "same_email" : "email_differs");
    }
    if (both(a.national_id, b.national_id)) {
        const int distance = BoundedEditDistance(a.national_id, b.national_id, 1);
        const double w = distance == 0 ? 9.0 : distance == 1 ? 3.0 : -3.0;
        evidence += w;
        why.Add(
            w,
            distance == 0   ? "same_national_id"
            : distance == 1 ? "national_id_typo"
                            : "national_id_differs"
        );
    }
    if (both(a.birthday, b.birthday)) {
        switch (CompareBirthdays(a.birthday, b.birthday)) {
            case DateAgreement::kSame:
                evidence += 5.0;
                why.Add(5.0, "same_birthday");
                break;
            case DateAgreement::kTransposed:
                evidence += 2.5;
                why.Add(2.5, "birthday_transposed");
                break;
            case DateAgreement::kTypo:
                evidence += 2.5;
                why.Add(2.5, "birthday_typo");
                break;
            case DateAgreement::kDiffers:
                evidence -= 4.0;
                why.Add(-4.0, "birthday_differs");
                break;
        }
    }
    if (both(a.postcode, b.postcode)) {
        const int distance = BoundedEditDistance(a.postcode, b.postcode, 1);
        const double w = distance == 0 ? 2.5 : distance == 1 ? 1.0 : -1.5;
        evidence += w;
        why.Add(
            w,
            distance == 0   ? "same_postcode"
            : distance == 1 ? "postcode_typo"
                            : "postcode_differs"
        );
    }
    if (both(a.street_number, b.street_number)) {
        const double w = a.street_number == b.street_number ? 1.0 : -0.5;
        evidence += w;
        why.Add(w, w > 0 ? "same_street_number" : "street_number_differs");
    }
    return evidence;
}

// Sums the evidence, cheap exact fields first. Returns kGaveUp as soon as `needed` is out of
// reach (pass -infinity to always get the full sum).
double Evidence(const PreparedRecord& a, const PreparedRecord& b, Explanation& why, double needed) {
    double evidence = ExactEvidence(a, b, why);
    const auto both = [](const std::string& x, const std::string& y) {
        return !x.empty() && !y.empty();
    };
    if (both(a.region, b.region)) {
        const double w = a.region == b.region ? kMaxRegion : -0.5;
        evidence += w;
        why.Add(w, w > 0 ? "same_region" : "region_differs");
    }
    if (evidence + kMaxNames + kMaxMiddle + kMaxTail < needed) {
        return kGaveUp;
    }

    const NameEvidence names = CompareNames(a, b);
    if (names.similarity >= 0) {
        evidence += names.weight;
        why.AddSimilarity(names.weight, "name", names.similarity);
        if (names.swapped) {
            why.Add(names.weight, "names_swapped");
        }
    }
    if (both(a.middle, b.middle)) {
        const double w = Weigh(MiddleNameSimilarity(a.middle, b.middle), 1.0, -2.0, 0.75);
        evidence += w;
        why.Add(w, w > 0 ? "patronymic_agrees" : "patronymic_differs");
    }
    if (evidence + kMaxTail < needed) {
        return kGaveUp;
    }

    if (both(a.address, b.address)) {
        const double s = TokenSimilarity(a.address, b.address);
        const double w = Weigh(s, kMaxAddress, -1.5, 0.6);
        evidence += w;
        why.AddSimilarity(w, "address", s);
    }
    if (both(a.city, b.city)) {
        const double s = JaroWinkler(a.city, b.city);
        const double w = Weigh(s, kMaxCity, -1.0, 0.75);
        evidence += w;
        why.AddSimilarity(w, "city", s);
    }
    if (both(a.company, b.company)) {
        const double s = TokenSimilarity(a.company, b.company);
        const double w = Weigh(s, kMaxCompany, -0.5, 0.6);
        evidence += w;
        why.AddSimilarity(w, "company", s);
    }
    return evidence;
}

double ScoreFromEvidence(double evidence) {
    return 1.0 / (1.0 + std::exp(-(evidence - kEvidenceOffset) / kEvidenceScale));
}

}  // namespace

std::string BirthdayKey(std::string_view raw) {
    // Stored dates are ISO "YYYY-MM-DD": the general path below gives the same 8 digits.
    const auto digit = [&](size_t i) { return raw[i] >= '0' && raw[i] <= '9'; };
    if (raw.size() == 10 && raw[4] == '-' && raw[7] == '-' && digit(0) && digit(1) && digit(2) &&
        digit(3) && digit(5) && digit(6) && digit(8) && digit(9)) {
        std::string out;
        out.reserve(8);
        out.append(raw.substr(0, 4)).append(raw.substr(5, 2)).append(raw.substr(8, 2));
        return out;
    }
    std::vector<std::string> parts(1);
    for (char c : raw) {
        if (c >= '0' && c <= '9') {
            parts.back().push_back(c);
        } else if (!parts.back().empty()) {
            parts.emplace_back();
        }
    }
    if (parts.back().empty()) {
        parts.pop_back();
    }
    const auto pad = [](const std::string& s) { return s.size() == 1 ? "0" + s : s; };
    if (parts.size() == 1 && parts[0].size() == 8) {
        return parts[0];
    }
    if (parts.size() != 3) {
        return {};
    }
    if (parts[0].size() == 4 && parts[1].size() <= 2 && parts[2].size() <= 2) {
        return parts[0] + pad(parts[1]) + pad(parts[2]);
    }
    if (parts[2].size() == 4 && parts[0].size() <= 2 && parts[1].size() <= 2) {
        return parts[2] + pad(parts[1]) + pad(parts[0]);
    }
    return {};
}

namespace {

// The fields compared exactly (or by edit distance): cheap to prepare, and what turns most
// candidates of a name block away before their names are normalised.
void PrepareExactFields(
    const MatchRecord& record, const MatchOptions& options, PreparedRecord& out
) {
    out.source = record.source;
    if (!record.phone.empty()) {
        out.phone = PhoneMatchKey(record.phone, options.default_region);
    }
    if (!record.email.empty()) {
        const Normalized email = NormalizeEmail(record.email);
        if (email.valid) {
            out.email = EmailMatchKey(email.normalized);
        }
    }
    out.street_number = AlnumOnly(record.street_number);
    out.postcode = AlnumOnly(record.postcode);
    out.birthday = BirthdayKey(record.birthday);
    out.national_id = AlnumOnly(record.national_id);
}

void PrepareTextFields(const MatchRecord& record, PreparedRecord& out) {
    out.given = TextKey(record.first_name);
    out.middle = TextKey(record.middle_name);
    out.surname = TextKey(record.last_name);
    out.name_in_one_field =
        (out.given.empty() || out.surname.empty()) &&
        (out.given.find(' ') != std::string::npos || out.surname.find(' ') != std::string::npos);
    out.company = TextKey(record.company);
    out.address = TextKey(record.address_1 + " " + record.address_2);
    out.city = TextKey(record.city);
    out.region = TextKey(record.region);
}

// The most the text fields of `a` and a record still unprepared can add: a field counts only
// when both sides have it (an empty raw value prepares to an empty key).
double MaxTextEvidence(const PreparedRecord& a, const MatchRecord& b) {
    const bool a_named = !a.given.empty() || !a.surname.empty();
    const bool b_named = !b.first_name.empty() || !b.last_name.empty();
    double most = a_named && b_named ? kMaxNames : 0.0;
    most += !a.middle.empty() && !b.middle_name.empty() ? kMaxMiddle : 0.0;
    most += !a.address.empty() && !(b.address_1.empty() && b.address_2.empty()) ? kMaxAddress : 0.0;
    most += !a.city.empty() && !b.city.empty() ? kMaxCity : 0.0;
    most += !a.company.empty() && !b.company.empty() ? kMaxCompany : 0.0;
    // the region is a text key too, though Evidence compares it exactly with the first fields
    most += !a.region.empty() && !b.region.empty() ? kMaxRegion : 0.0;
    return most;
}

// Evidence needed for `threshold` (0 < threshold < 1), less a margin so rounding never drops a
// borderline pair.
double NeededEvidence(double threshold) {
    return kEvidenceOffset + kEvidenceScale * std::log(threshold / (1.0 - threshold)) - 1e-6;
}

}  // namespace

PreparedRecord PrepareRecord(const MatchRecord& record, const MatchOptions& options) {
    PreparedRecord out;
    PrepareExactFields(record, options, out);
    PrepareTextFields(record, out);
    return out;
}

double ScorePrepared(const PreparedRecord& a, const PreparedRecord& b) {
    Explanation none(false);
    return ScoreFromEvidence(Evidence(a, b, none, kGaveUp));
}

bool ReachesThreshold(const PreparedRecord& a, const PreparedRecord& b, double threshold) {
    if (threshold <= 0.0) {
        return true;
    }
    if (threshold >= 1.0) {
        return ScorePrepared(a, b) >= threshold;
    }
    const double needed = NeededEvidence(threshold);
    Explanation none(false);
    const double evidence = Evidence(a, b, none, needed);
    return evidence != kGaveUp && ScoreFromEvidence(evidence) >= threshold;
}

MatchResult ExplainMatch(const PreparedRecord& a, const PreparedRecord& b) {
    Explanation why(true);
    MatchResult result;
    result.score = ScoreFromEvidence(Evidence(a, b, why, kGaveUp));
    result.reasons = std::move(why).Reasons();
    return result;
}

std::optional<MatchResult> MatchIfReaches(
    const PreparedRecord& probe,
    const MatchRecord& candidate,
    const MatchOptions& options,
    double threshold
) {
    PreparedRecord other;
    PrepareExactFields(candidate, options, other);
    if (threshold > 0.0 && threshold < 1.0) {
        Explanation none(false);
        const double exact = ExactEvidence(probe, other, none);
        if (exact + MaxTextEvidence(probe, candidate) < NeededEvidence(threshold)) {
            return std::nullopt;
        }
    }
    PrepareTextFields(candidate, other);
    // Few candidates get here: scored once, with reasons (ExplainMatch's score is ScorePrepared's).
    MatchResult result = ExplainMatch(probe, other);
    if (result.score < threshold) {
        return std::nullopt;
    }
    return result;
}

MatchResult ScoreMatch(const MatchRecord& a, const MatchRecord& b, const MatchOptions& options) {
    return ExplainMatch(PrepareRecord(a, options), PrepareRecord(b, options));
}

}  // namespace voronka::quality
