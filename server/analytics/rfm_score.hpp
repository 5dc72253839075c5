// RFM scoring: recency, frequency and monetary quintile scores and named customer segments.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/transaction_reader.hpp"

namespace voronka::analytics {

struct RfmInput {
    std::string customer_id;
    double recency_days = 0;  // days since the last purchase (lower is better)
    int64_t frequency = 0;    // purchases (or purchase days)
    double monetary = 0;      // total (or mean) spend
};

// Segments over R and FM = the average of F and M rounded half up (so 4 and 5 give 5):
//
//   R \ FM |  1                2                  3                  4          5
//   -------+------------------------------------------------------------------------------
//   5      |  new              potential loyalist potential loyalist champions  champions
//   4      |  promising        potential loyalist potential loyalist loyal      loyal
//   3      |  about to sleep   about to sleep     need attention     loyal      loyal
//   2      |  hibernating      hibernating        at risk            at risk    cannot lose
//   1      |  lost             lost               at risk            at risk    cannot lose
//
// Every cell has exactly one segment, so each customer gets one.
enum class RfmSegment {
    kChampions,
    kLoyal,
    kPotentialLoyalist,
    kNew,
    kPromising,
    kNeedAttention,
    kAboutToSleep,
    kAtRisk,
    kCannotLose,
    kHibernating,
    kLost,
};

// snake_case name: "champions", "loyal", "potential_loyalist", "new", "promising",
// "need_attention", "about_to_sleep", "at_risk", "cannot_lose", "hibernating", "lost".
std::string_view RfmSegmentName(RfmSegment segment);

// The table above. REQUIRES: scores in 1..5.
RfmSegment RfmSegmentFor(int recency_score, int frequency_score, int monetary_score);

struct RfmScore {
    std::string customer_id;
    int recency_score = 0;
    int frequency_score = 0;
    int monetary_score = 0;
    RfmSegment segment = RfmSegment::kLost;
};

// Quintile scores 1-5 over the given customers (5 = most recent / most frequent / highest spend).
// A customer's score is 1 + floor(5 * midrank / n), where midrank is the 0-based rank of the
// middle of its tie group in the "worse to better" order: without ties each score holds 20 % of
// customers, and equal values always get equal scores. Output order follows the input.
std::vector<RfmScore> ScoreRfm(const std::vector<RfmInput>& customers);

// Per customer: recency = as_of_day - last purchase day, frequency = distinct purchase days,
// monetary = total amount, for purchases on or before as_of_day. Order of first appearance.
std::vector<RfmInput> RfmFromTransactions(
    const std::vector<Transaction>& transactions, int32_t as_of_day
);

}  // namespace voronka::analytics
