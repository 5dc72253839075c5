// Deterministic generator of mixed Cyrillic/Latin contacts with known duplicates, for measuring
// duplicate detection (bench/quality/dedupe_eval.cpp and the quality tests).
#pragma once

#include <cstddef>
#include <cstdint>

#include "quality/dedupe_metrics.hpp"

namespace voronka::quality {

struct GeneratorOptions {
    std::size_t records = 1000;     // stop once at least this many records exist
    std::uint64_t seed = 20240601;  // same seed, same records (std::mt19937_64, own sampling)
    double duplicate_rate = 0.3;    // share of people entered more than once (1 to 3 extra times)
    double relative_rate = 0.05;    // share of people with a relative: same surname, often the
                                    // same home phone and company, different person (a trap)
};

// People are Russian or Ukrainian, written in Cyrillic or in one of two Latin romanisations
// (passport ICAO style "Iuliia", popular style "Yulia"). Each duplicate re-enters the person
// with independent noise: script switch, one-letter typos, swapped first/last name, dropped
// patronymic, other phone formats ("+7 (915) 123-45-67", "89151234567", ...), e-mail case and
// spaces, birthday in another format or with day/month swapped, missing fields. Every record
// has a phone or an e-mail (a contact nobody can reach is rarely entered twice), but two
// records of one person need not share any of them. Surnames are composed from stems and
// suffixes so that namesakes are about as rare as in a real base of that size; relatives
// (siblings: same surname and patronymic, often the same phone) are the hard negatives.
// The entity label of a record is its person number.
LabeledRecords GenerateContacts(const GeneratorOptions& options);

}  // namespace voronka::quality
