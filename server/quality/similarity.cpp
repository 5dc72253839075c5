// Jaro-Winkler, token-set similarity and bounded edit distance, written for short ASCII keys.
#include "quality/similarity.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace voronka::quality {
namespace {

// Splits on single spaces (keys are produced with collapsed spaces).
template <class F>
void ForEachToken(std::string_view text, F&& f) {
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        if (end > start) {
            f(text.substr(start, end - start));
        }
        start = end + 1;
    }
}

double BestPartnerAverage(std::string_view from, std::string_view to) {
    double total = 0;
    int count = 0;
    ForEachToken(from, [&](std::string_view token) {
        double best = 0;
        ForEachToken(to, [&](std::string_view other) {
            best = std::max(best, JaroWinkler(token, other));
        });
        total += best;
        ++count;
    });
    return count == 0 ? 0.0 : total / count;
}

}  // namespace

double JaroWinkler(std::string_view a, std::string_view b) {
    if (a.empty() && b.empty()) {
        return 1.0;
    }
    if (a.empty() || b.empty()) {
        return 0.0;
    }
    if (a == b) {
        return 1.0;
    }
    if (a.size() > b.size()) {
        std::swap(a, b);
    }
    // Matched-position flags: bit masks for the usual short keys, byte vectors beyond 64.
    const bool small = b.size() <= 64;
    std::uint64_t a_bits = 0;
    std::uint64_t b_bits = 0;
    std::vector<char> a_flags;
    std::vector<char> b_flags;
    if (!small) {
        a_flags.assign(a.size(), 0);
        b_flags.assign(b.size(), 0);
    }
    const auto b_taken = [&](std::size_t j) {
        return small ? ((b_bits >> j) & 1U) != 0 : b_flags[j] != 0;
    };
    const std::size_t window = std::max<std::size_t>(b.size() / 2, 1) - 1;
    std::size_t matches = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::size_t lo = i > window ? i - window : 0;
        const std::size_t hi = std::min(i + window + 1, b.size());
        for (std::size_t j = lo; j < hi; ++j) {
            if (a[i] == b[j] && !b_taken(j)) {
                if (small) {
                    a_bits |= std::uint64_t{1} << i;
                    b_bits |= std::uint64_t{1} << j;
                } else {
                    a_flags[i] = 1;
                    b_flags[j] = 1;
                }
                ++matches;
                break;
            }
        }
    }
    if (matches == 0) {
        return 0.0;
    }
    std::size_t half_transpositions = 0;
    std::size_t k = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const bool a_matched = small ? ((a_bits >> i) & 1U) != 0 : a_flags[i] != 0;
        if (!a_matched) {
            continue;
        }
        while (!b_taken(k)) {
            ++k;
        }
        if (a[i] != b[k]) {
            ++half_transpositions;
        }
        ++k;
    }
    const double m = static_cast<double>(matches);
    const double jaro = (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) +
                         (m - static_cast<double>(half_transpositions) / 2.0) / m) /
                        3.0;
    std::size_t prefix = 0;
    while (prefix < 4 && prefix < a.size() && a[prefix] == b[prefix]) {
        ++prefix;
    }
    return jaro + static_cast<double>(prefix) * 0.1 * (1.0 - jaro);
}

double TokenSimilarity(std::string_view a, std::string_view b) {
    if (a.empty() || b.empty()) {
        return 0.0;
    }
    if (a == b) {
        return 1.0;
    }
    return (BestPartnerAverage(a, b) + BestPartnerAverage(b, a)) / 2.0;
}

int BoundedEditDistance(std::string_view a, std::string_view b, int max_distance) {
    const int n = static_cast<int>(a.size());
    const int m = static_cast<int>(b.size());
    if (std::abs(n - m) > max_distance) {
        return max_distance + 1;
    }
    // Three rolling rows of the OSA dynamic programme; on the stack for the usual short keys.
    constexpr int kStackColumns = 40;
    std::array<int, 3 * kStackColumns> stack_rows{};
    std::vector<int> heap_rows;
    int* rows = stack_rows.data();
    if (m + 1 > kStackColumns) {
        heap_rows.assign(3 * static_cast<std::size_t>(m + 1), 0);
        rows = heap_rows.data();
    }
    int* two_back = rows;
    int* previous = rows + (m + 1);
    int* current = rows + 2 * (m + 1);
    for (int j = 0; j <= m; ++j) {
        previous[j] = j;
    }
    for (int i = 1; i <= n; ++i) {
        current[0] = i;
        int row_min = current[0];
        for (int j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int value = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                value = std::min(value, two_back[j - 2] + 1);
            }
            current[j] = value;
            row_min = std::min(row_min, value);
        }
        if (row_min > max_distance) {
            return max_distance + 1;
        }
        std::swap(two_back, previous);
        std::swap(previous, current);
    }
    return std::min(previous[m], max_distance + 1);
}

}  // namespace voronka::quality
