// Multi-pass sorted-neighbourhood duplicate scan and the on-entry duplicate check.
#include "quality/duplicate_scan.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <thread>

#include "quality/normalize.hpp"

namespace voronka::quality {
namespace {

using Index = std::uint32_t;
constexpr Index kAbsent = std::numeric_limits<Index>::max();
constexpr char kSep = '\x01';  // sorts below every printable byte, so shorter keys group first

// One blocking order. For an exact pass, neighbours must also share `exact_field`.
struct Pass {
    std::string (*key)(const PreparedRecord&);  // empty key = record not in this pass
    std::string PreparedRecord::*exact_field = nullptr;
};

std::string Join(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (std::string_view part : parts) {
        if (!out.empty()) {
            out.push_back(kSep);
        }
        out.append(part);
    }
    return out;
}

std::string Reversed(std::string_view s) { return std::string(s.rbegin(), s.rend()); }

std::string SortedNameTokens(const PreparedRecord& r) {
    std::vector<std::string_view> tokens;
    for (std::string_view part : {std::string_view(r.given), std::string_view(r.surname)}) {
        std::size_t start = 0;
        while (start < part.size()) {
            std::size_t end = part.find(' ', start);
            if (end == std::string_view::npos) {
                end = part.size();
            }
            if (end > start) {
                tokens.push_back(part.substr(start, end - start));
            }
            start = end + 1;
        }
    }
    std::sort(tokens.begin(), tokens.end());
    std::string out;
    for (std::string_view token : tokens) {
        if (!out.empty()) {
            out.push_back(' ');
        }
        out.append(token);
    }
    return out;
}

const std::vector<Pass>& Passes() {
    static const std::vector<Pass> passes = {
        {[](const PreparedRecord& r) {
             return r.phone.empty() ? std::string() : Join({r.phone, r.surname, r.given});
         },
         &PreparedRecord::phone},
        {[](const PreparedRecord& r) {
             return r.email.empty() ? std::string() : Join({r.email, r.surname, r.given});
         },
         &PreparedRecord::email},
        {[](const PreparedRecord& r) {
             return r.national_id.empty() ? std::string()
                                          : Join({r.national_id, r.surname, r.given});
         },
         &PreparedRecord::national_id},
        {[](const PreparedRecord& r) {
            return r.surname.empty() && r.given.empty() ? std::string()
                                                        : Join({r.surname, r.given, r.birthday});
        }},
        {[](const PreparedRecord& r) {
            return r.given.empty() || r.surname.empty() ? std::string()
                                                        : Join({r.given, r.surname, r.birthday});
        }},
        {[](const PreparedRecord& r) {
            const std::string tokens = SortedNameTokens(r);
            return tokens.empty() ? std::string() : Join({tokens, r.birthday});
        }},
        {[](const PreparedRecord& r) {
            return r.surname.empty() ? std::string()
                                     : Join({Reversed(r.surname), Reversed(r.given)});
        }},
        {[](const PreparedRecord& r) {
            return r.postcode.empty() ? std::string() : Join({r.postcode, r.surname, r.given});
        }},
        {[](const PreparedRecord& r) {
            return r.birthday.empty() ? std::string() : Join({r.birthday, r.surname, r.given});
        }},
    };
    return passes;
}

double SecondsBetween(
    std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to
) {
    return std::chrono::duration<double>(to - from).count();
}

int ThreadCount(int requested) {
    if (requested > 0) {
        return requested;
    }
    const unsigned hardware = std::thread::hardware_concurrency();
    return hardware == 0 ? 1 : static_cast<int>(hardware);
}

// Runs work(i) for i in [0, count) on `threads` threads, handing out chunks dynamically.
void ParallelFor(
    std::size_t count,
    int threads,
    std::size_t chunk,
    const std::function<void(std::size_t, std::size_t, int)>& work
) {
    std::atomic<std::size_t> next{0};
    const auto worker = [&](int thread_index) {
        while (true) {
            const std::size_t begin = next.fetch_add(chunk);
            if (begin >= count) {
                return;
            }
            work(begin, std::min(count, begin + chunk), thread_index);
        }
    };
    const int extra =
        std::max(0, std::min<int>(threads, static_cast<int>((count + chunk - 1) / chunk)) - 1);
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(extra));
    for (int t = 1; t <= extra; ++t) {
        pool.emplace_back(worker, t);
    }
    worker(0);
    for (std::thread& thread : pool) {
        thread.join();
    }
}

struct SortedPass {
    std::vector<Index> order;  // record indices in key order (only records with a key)
    std::vector<Index> rank;   // position of each record in `order`, or kAbsent
};

// The first 8 bytes, big-endian, zero-padded: orders like the string for keys without NUL bytes.
std::uint64_t KeyPrefix(const std::string& key) {
    std::uint64_t prefix = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        prefix <<= 8;
        if (i < key.size()) {
            prefix |= static_cast<unsigned char>(key[i]);
        }
    }
    return prefix;
}

SortedPass SortPass(const std::vector<PreparedRecord>& records, const Pass& pass) {
    std::vector<std::string> keys(records.size());
    std::vector<std::pair<std::uint64_t, Index>> items;
    items.reserve(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        keys[i] = pass.key(records[i]);
        if (!keys[i].empty()) {
            items.emplace_back(KeyPrefix(keys[i]), static_cast<Index>(i));
        }
    }
    // Comparing the integer prefix first keeps most comparisons out of the string heap.
    std::sort(items.begin(), items.end(), [&keys](const auto& x, const auto& y) {
        if (x.first != y.first) {
            return x.first < y.first;
        }
        const int c = keys[x.second].compare(keys[y.second]);
        return c != 0 ? c < 0 : x.second < y.second;
    });
    SortedPass out;
    out.rank.assign(records.size(), kAbsent);
    out.order.reserve(items.size());
    for (const auto& item : items) {
        out.rank[item.second] = static_cast<Index>(out.order.size());
        out.order.push_back(item.second);
    }
    return out;
}

}  // namespace

std::vector<CandidatePair> ScanPrepared(
    const std::vector<PreparedRecord>& records, const ScanOptions& options
) {
    if (records.size() < 2 || records.size() >= kAbsent) {
        return {};
    }
    const int threads = ThreadCount(options.threads);
    const auto blocking_start = std::chrono::steady_clock::now();
    const std::vector<Pass>& passes = Passes();
    std::vector<SortedPass> sorted(passes.size());
    ParallelFor(passes.size(), threads, 1, [&](std::size_t begin, std::size_t end, int) {
        for (std::size_t p = begin; p < end; ++p) {
            sorted[p] = SortPass(records, passes[p]);
        }
    });

    const auto scoring_start = std::chrono::steady_clock::now();
    std::atomic<std::size_t> comparisons{0};
    const auto window = static_cast<std::size_t>(std::max(2, options.window));
    std::vector<std::vector<CandidatePair>> found(static_cast<std::size_t>(threads));
    ParallelFor(records.size(), threads, 2048, [&](std::size_t begin, std::size_t end, int thread) {
        std::vector<Index> candidates;
        for (std::size_t i = begin; i < end; ++i) {
            candidates.clear();
            const PreparedRecord& record = records[i];
            for (std::size_t p = 0; p < passes.size(); ++p) {
                const Index pos = sorted[p].rank[i];
                if (pos == kAbsent) {
                    continue;
                }
                const std::vector<Index>& order = sorted[p].order;
                const auto exact = passes[p].exact_field;
                const auto consider = [&](std::size_t at) {
                    const Index j = order[at];
                    if (exact != nullptr && records[j].*exact != record.*exact) {
                        return false;
                    }
                    if (j > i) {
                        candidates.push_back(j);
                    }
                    return true;
                };
                for (std::size_t d = 1; d < window && pos + d < order.size(); ++d) {
                    if (!consider(pos + d)) {
                        break;
                    }
                }
                for (std::size_t d = 1; d < window && d <= pos; ++d) {
                    if (!consider(pos - d)) {
                        break;
                    }
                }
            }
            std::sort(candidates.begin(), candidates.end());
            candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
            comparisons.fetch_add(candidates.size(), std::memory_order_relaxed);
            for (Index j : candidates) {
                if (options.only_across_sources && records[j].source == record.source) {
                    continue;
                }
                if (!ReachesThreshold(record, records[j], options.threshold)) {
                    continue;
                }
                MatchResult result = ExplainMatch(record, records[j]);
                found[static_cast<std::size_t>(thread)].push_back(
                    {i, j, result.score, std::move(result.reasons)}
                );
            }
        }
    });

    if (options.stats != nullptr) {
        options.stats->comparisons = comparisons.load();
        options.stats->blocking_seconds = SecondsBetween(blocking_start, scoring_start);
        options.stats->scoring_seconds =
            SecondsBetween(scoring_start, std::chrono::steady_clock::now());
    }
    std::vector<CandidatePair> pairs;
    for (auto& part : found) {
        std::move(part.begin(), part.end(), std::back_inserter(pairs));
    }
    std::sort(pairs.begin(), pairs.end(), [](const CandidatePair& x, const CandidatePair& y) {
        return x.left != y.left ? x.left < y.left : x.right < y.right;
    });
    return pairs;
}

std::vector<CandidatePair> ScanDuplicates(
    const std::vector<MatchRecord>& records, const ScanOptions& options
) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<PreparedRecord> prepared(records.size());
    ParallelFor(
        records.size(),
        ThreadCount(options.threads),
        4096,
        [&](std::size_t begin, std::size_t end, int) {
            for (std::size_t i = begin; i < end; ++i) {
                prepared[i] = PrepareRecord(records[i], options.match);
            }
        }
    );
    const double prepare_seconds = SecondsBetween(start, std::chrono::steady_clock::now());
    std::vector<CandidatePair> pairs = ScanPrepared(prepared, options);
    if (options.stats != nullptr) {
        options.stats->prepare_seconds = prepare_seconds;
    }
    return pairs;
}

std::vector<CandidateMatch> FindDuplicatesFor(
    const MatchRecord& incoming, std::span<const MatchRecord> candidates, const ScanOptions& options
) {
    const PreparedRecord probe = PrepareRecord(incoming, options.match);
    std::vector<CandidateMatch> matches;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        std::optional<MatchResult> result =
            MatchIfReaches(probe, candidates[i], options.match, options.threshold);
        if (result) {
            matches.push_back({i, result->score, std::move(result->reasons)});
        }
    }
    std::stable_sort(
        matches.begin(),
        matches.end(),
        [](const CandidateMatch& x, const CandidateMatch& y) { return x.score > y.score; }
    );
    return matches;
}

LookupKeys LookupKeysFor(const MatchRecord& record, const MatchOptions& options) {
    const PreparedRecord prepared = PrepareRecord(record, options);
    LookupKeys keys;
    keys.phone = prepared.phone;
    keys.email = prepared.email;
    keys.surname_prefix = prepared.surname.substr(0, 3);
    keys.given_prefix = prepared.given.substr(0, 3);
    return keys;
}

}  // namespace voronka::quality
