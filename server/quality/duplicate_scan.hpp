// Duplicate detection at scale (blocked scan of a whole contact base) and on entry (one new
// record against a handful of fetched candidates).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "quality/matcher.hpp"

namespace voronka::quality {

// Where a scan spent its time; filled when ScanOptions::stats is set.
struct ScanStats {
    std::size_t comparisons = 0;  // candidate pairs scored (after de-duplication across passes)
    double prepare_seconds = 0;   // normalisation into PreparedRecord (ScanDuplicates only)
    double blocking_seconds = 0;  // building and sorting the blocking orders
    double scoring_seconds = 0;
};

struct ScanOptions {
    MatchOptions match;
    double threshold = 0.5;  // pairs scoring >= threshold are reported
    // Sorted-neighbourhood window: each record is compared with the window - 1 records on each
    // side of it in every blocking order. Larger finds more, linearly slower.
    int window = 6;
    int threads = 0;  // 0 = std::thread::hardware_concurrency()
    // Linking two sets: skip pairs whose MatchRecord::source is equal.
    bool only_across_sources = false;
    ScanStats* stats = nullptr;  // optional, not owned
};

// Indices into the scanned vector, left < right.
struct CandidatePair {
    std::size_t left = 0;
    std::size_t right = 0;
    double score = 0;
    std::vector<std::string> reasons;
};

// Finds likely duplicate pairs without comparing all pairs. Blocking: records are sorted in
// several orders and only near neighbours are scored (sorted neighbourhood, Hernandez & Stolfo):
//   exact groups  - E.164 phone, email match key, national id (neighbours must share the key);
//   name orders   - surname+given, given+surname, the name's tokens sorted (catches swapped
//                   first/last names), reversed surname (catches typos in the first letters);
//   other orders  - postcode+surname, birthday+surname.
// Names are transliterated skeletons, so Cyrillic and Latin spellings sort together.
// Cost: O(n log n) sorting plus at most 2 * 9 * (window - 1) scorings per record; work is split
// over `threads` std::threads. Output is sorted by (left, right) and does not depend on the
// thread count. Memory: about 1 KB per record.
std::vector<CandidatePair> ScanDuplicates(
    const std::vector<MatchRecord>& records, const ScanOptions& options = {}
);

// The same over records already prepared (lets a caller keep prepared keys between scans).
std::vector<CandidatePair> ScanPrepared(
    const std::vector<PreparedRecord>& records, const ScanOptions& options = {}
);

struct CandidateMatch {
    std::size_t index = 0;  // into `candidates`
    double score = 0;
    std::vector<std::string> reasons;
};

// On-entry check: scores `incoming` against every candidate (the caller fetches them by
// LookupKeysFor) and returns those scoring >= options.threshold, best first.
std::vector<CandidateMatch> FindDuplicatesFor(
    const MatchRecord& incoming,
    std::span<const MatchRecord> candidates,
    const ScanOptions& options = {}
);

// What to fetch candidates by for FindDuplicatesFor: exact E.164 phone, exact email match key,
// and a prefix of the transliterated name skeletons (store `NormalizePersonName(...).key` of
// surname and first name beside the record to query it). Empty strings mean "no such key".
struct LookupKeys {
    std::string phone;
    std::string email;
    std::string surname_prefix;  // first 3 bytes of the surname skeleton
    std::string given_prefix;    // first 3 bytes of the first-name skeleton (for swapped names)
};

LookupKeys LookupKeysFor(const MatchRecord& record, const MatchOptions& options = {});

}  // namespace voronka::quality
