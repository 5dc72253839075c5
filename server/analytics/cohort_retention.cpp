// Cohort retention by calendar month of first purchase.
#include "analytics/cohort_retention.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "analytics/date_format.hpp"

namespace voronka::analytics {

std::vector<CohortRow> CohortRetention(const std::vector<Transaction>& transactions) {
    if (transactions.empty()) {
        return {};
    }
    std::unordered_map<std::string_view, std::set<int32_t>> months_of;
    int32_t last_month = MonthIndex(transactions.front().day);
    for (const auto& tx : transactions) {
        const int32_t month = MonthIndex(tx.day);
        months_of[tx.customer_id].insert(month);
        last_month = std::max(last_month, month);
    }
    // cohort month -> active counts by offset
    std::map<int32_t, std::vector<int64_t>> active;
    for (const auto& [customer, months] : months_of) {
        const int32_t cohort = *months.begin();
        auto& counts = active[cohort];
        counts.resize(static_cast<size_t>(last_month - cohort + 1), 0);
        for (const int32_t month : months) {
            ++counts[static_cast<size_t>(month - cohort)];
        }
    }
    std::vector<CohortRow> rows;
    for (auto& [cohort, counts] : active) {
        CohortRow row;
        row.cohort_month = FormatMonth(cohort);
        row.customers = counts[0];
        for (const int64_t count : counts) {
            row.retention.push_back(static_cast<double>(count) / static_cast<double>(counts[0]));
        }
        row.active = std::move(counts);
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace voronka::analytics
