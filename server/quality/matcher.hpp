// Pairwise duplicate scoring of person records: field similarities combined into a score in
// [0, 1] with human-readable reasons.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace voronka::quality {

// A contact as the matcher sees it: raw values as typed, any field may be empty.
// Febrl columns map as given_name -> first_name, surname -> last_name, suburb -> city,
// state -> region, date_of_birth -> birthday, soc_sec_id -> national_id.
struct MatchRecord {
    std::string id;
    int source = 0;  // which data set the record came from; see ScanOptions::only_across_sources
    std::string first_name;
    std::string middle_name;  // patronymic
    std::string last_name;
    std::string email;
    std::string phone;
    std::string company;
    std::string street_number;
    std::string address_1;
    std::string address_2;
    std::string city;
    std::string postcode;
    std::string region;
    std::string birthday;     // "YYYY-MM-DD", "YYYYMMDD", "DD.MM.YYYY" or "DD/MM/YYYY"
    std::string national_id;  // social security number, SNILS, personal INN, ...
};

// Matching keys of one record, computed once (see PrepareRecord) and compared many times.
// Names, company, address and city are NameMatchKey skeletons of the Latin transliteration;
// phone is PhoneMatchKey (E.164), email the EmailMatchKey of a valid address; birthday is
// "YYYYMMDD".
struct PreparedRecord {
    int source = 0;
    std::string given;
    std::string middle;
    std::string surname;
    bool name_in_one_field = false;  // the whole name sits in given or surname, the other is empty
    std::string phone;
    std::string email;
    std::string company;
    std::string street_number;
    std::string address;  // address_1 and address_2 tokens together (they are often swapped)
    std::string city;
    std::string postcode;
    std::string region;
    std::string birthday;
    std::string national_id;
};

struct MatchOptions {
    std::string default_region = "RU";  // for phones written without a country code
};

// REQUIRES: nothing; never fails (unparseable values just give empty keys). Thread-safe.
PreparedRecord PrepareRecord(const MatchRecord& record, const MatchOptions& options = {});

struct MatchResult {
    double score = 0;                  // in [0, 1]; 0.5 is the neutral decision point
    std::vector<std::string> reasons;  // e.g. "same_phone", "name_similar:0.93"; strongest first
};

// Scoring formula (a hand-weighted Fellegi-Sunter log-likelihood):
//
//   evidence = sum over fields present in BOTH records of w_f(s_f)
//   score    = 1 / (1 + exp(-(evidence - 9.5) / 2))
//
// s_f is the field similarity; w_f maps it linearly from `disagree` (at s <= floor) to `agree`
// (at s = 1). A field missing on either side contributes 0, so sparse records need fewer but
// stronger agreements. Weights (agree / disagree / floor):
//   first name     JW*   +4 / -6          surname        JW*   +5 / -4
//   patronymic     JW    +1 / -2 / 0.75   (an initial matching a full name counts 0.9)
//   phone (E.164)  ==    +7 / -3          email          ==    +10 / -3
//   national id    ==    +9, one typo +3, else -3
//   birthday       ==    +5, one digit typo or day/month swapped +2.5, else -4
//   postcode       ==    +2.5, one typo +1, else -1.5
//   street number  ==    +1 / -0.5        address        tokens +2.5 / -1.5 / 0.6
//   city           JW    +1.5 / -1 / 0.75 region         ==    +0.5 / -0.5
//   company        tokens +1.5 / -0.5 / 0.6
// JW* (names) is piecewise linear through (0.7, disagree), (0.85, agree / 3), (1, agree): one or
// two typos still count for, clearly different names count strongly against (relatives share a
// surname, a phone and an address, not a first name). Names are compared as first/last and as
// last/first (swapped entry, 0.5 penalty); the better orientation wins. When either record has
// the whole name in one field, full names are compared token-wise (Monge-Elkan over JW) with
// +9 / -8. Name keys are transliterated skeletons, so "Иван Петров" and "Ivan Petrov" agree.
// "tokens" is the same Monge-Elkan similarity (address_1 and address_2 are compared together).
// The offset 9.5 means: a full name alone (+9) or a phone alone (+7) stays below 0.5, an email
// alone (+10) is a weak yes (households share phones far more than mailboxes); a name plus the
// same phone (+16) is a clear yes; the same phone with a different first name and birthday
// (a relative) is a no. Weights were tuned by hand on the Febrl sets and the generated mixed set
// (bench/quality/dedupe_eval.cpp); the scorer never sees labels. Thread-safe.
double ScorePrepared(const PreparedRecord& a, const PreparedRecord& b);

// Same as ScorePrepared(a, b) >= threshold, but stops comparing fields as soon as the
// threshold is out of reach; what scans call for every candidate pair.
bool ReachesThreshold(const PreparedRecord& a, const PreparedRecord& b, double threshold);

// ExplainMatch(probe, PrepareRecord(candidate)) when that reaches `threshold`, else nothing.
// The candidate's text fields (names, address, company) are normalised only when its exact
// fields leave the threshold within reach: in a name block most namesakes differ in phone,
// email or birthday, and are turned away without it.
std::optional<MatchResult> MatchIfReaches(
    const PreparedRecord& probe,
    const MatchRecord& candidate,
    const MatchOptions& options,
    double threshold
);

// Like ScorePrepared and also lists the reasons behind the score.
MatchResult ExplainMatch(const PreparedRecord& a, const PreparedRecord& b);

// Convenience for single comparisons: prepares both records and explains.
MatchResult ScoreMatch(
    const MatchRecord& a, const MatchRecord& b, const MatchOptions& options = {}
);

// Turns "20.12.1985", "1985-12-20" or "19851220" into "19851220"; anything else gives "".
std::string BirthdayKey(std::string_view raw);

}  // namespace voronka::quality
