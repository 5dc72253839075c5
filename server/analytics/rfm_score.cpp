// RFM midrank quintiles and the R x FM segment table.
#include "analytics/rfm_score.hpp"

#include <algorithm>
#include <numeric>
#include <set>
#include <unordered_map>

namespace voronka::analytics {

namespace {

// Scores by `better_value` (higher is better) with tie-aware midranks.
std::vector<int> QuintileScores(const std::vector<double>& better_value) {
    const size_t n = better_value.size();
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t l, size_t r) {
        return better_value[l] < better_value[r];
    });
    std::vector<int> scores(n);
    for (size_t begin = 0; begin < n;) {
        size_t end = begin;
        while (end < n && better_value[order[end]] == better_value[order[begin]]) {
            ++end;
        }
        const double midrank = (static_cast<double>(begin) + static_cast<double>(end - 1)) / 2.0;
        const int score = std::min(5, 1 + static_cast<int>(5.0 * midrank / static_cast<double>(n)));
        for (size_t i = begin; i < end; ++i) {
            scores[order[i]] = score;
        }
        begin = end;
    }
    return scores;
}

}  // namespace

std::string_view RfmSegmentName(RfmSegment segment) {
    switch (segment) {
        case RfmSegment::kChampions:
            return "champions";
        case RfmSegment::kLoyal:
            return "loyal";
        case RfmSegment::kPotentialLoyalist:
            return "potential_loyalist";
        case RfmSegment::kNew:
            return "new";
        case RfmSegment::kPromising:
            return "promising";
        case RfmSegment::kNeedAttention:
            return "need_attention";
        case RfmSegment::kAboutToSleep:
            return "about_to_sleep";
        case RfmSegment::kAtRisk:
            return "at_risk";
        case RfmSegment::kCannotLose:
            return "cannot_lose";
        case RfmSegment::kHibernating:
            return "hibernating";
        case RfmSegment::kLost:
            return "lost";
    }
    return "lost";
}

RfmSegment RfmSegmentFor(int recency_score, int frequency_score, int monetary_score) {
    using S = RfmSegment;
    const int fm = (frequency_score + monetary_score + 1) / 2;  // average, rounded half up
    // Rows R = 1..5, columns FM = 1..5, as in the header.
    static constexpr S kTable[5][5] = {
        {S::kLost, S::kLost, S::kAtRisk, S::kAtRisk, S::kCannotLose},
        {S::kHibernating, S::kHibernating, S::kAtRisk, S::kAtRisk, S::kCannotLose},
        {S::kAboutToSleep, S::kAboutToSleep, S::kNeedAttention, S::kLoyal, S::kLoyal},
        {S::kPromising, S::kPotentialLoyalist, S::kPotentialLoyalist, S::kLoyal, S::kLoyal},
        {S::kNew, S::kPotentialLoyalist, S::kPotentialLoyalist, S::kChampions, S::kChampions},
    };
    return kTable[std::clamp(recency_score, 1, 5) - 1][std::clamp(fm, 1, 5) - 1];
}

std::vector<RfmScore> ScoreRfm(const std::vector<RfmInput>& customers) {
    std::vector<double> recency, frequency, monetary;
    for (const auto& c : customers) {
        recency.push_back(-c.recency_days);
        frequency.push_back(static_cast<double>(c.frequency));
        monetary.push_back(c.monetary);
    }
    const auto r = QuintileScores(recency);
    const auto f = QuintileScores(frequency);
    const auto m = QuintileScores(monetary);
    std::vector<RfmScore> scores;
    scores.reserve(customers.size());
    for (size_t i = 0; i < customers.size(); ++i) {
        scores.push_back(
            {customers[i].customer_id, r[i], f[i], m[i], RfmSegmentFor(r[i], f[i], m[i])}
        );
    }
    return scores;
}

std::vector<RfmInput> RfmFromTransactions(
    const std::vector<Transaction>& transactions, int32_t as_of_day
) {
    std::unordered_map<std::string_view, size_t> index_of;
    std::vector<RfmInput> out;
    std::vector<std::set<int32_t>> days;
    for (const auto& tx : transactions) {
        if (tx.day > as_of_day) {
            continue;
        }
        const auto [it, inserted] = index_of.try_emplace(tx.customer_id, out.size());
        if (inserted) {
            out.push_back({tx.customer_id, 0, 0, 0});
            days.emplace_back();
        }
        days[it->second].insert(tx.day);
        out[it->second].monetary += tx.amount;
    }
    for (size_t i = 0; i < out.size(); ++i) {
        out[i].frequency = static_cast<int64_t>(days[i].size());
        out[i].recency_days = as_of_day - *days[i].rbegin();
    }
    return out;
}

}  // namespace voronka::analytics
