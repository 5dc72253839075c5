// Cohort retention matrix: customers grouped by first-purchase month, active share by month since.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analytics/transaction_reader.hpp"

namespace voronka::analytics {

struct CohortRow {
    std::string cohort_month;       // YYYY-MM of the customers' first purchase
    int64_t customers = 0;          // cohort size
    std::vector<int64_t> active;    // active[k]: customers with a purchase in cohort month + k
    std::vector<double> retention;  // active[k] / customers; retention[0] = 1
};

// One row per cohort month, oldest first. Each row runs from month 0 to the last month present
// in the data, so rows form the usual triangle. Amounts are ignored. Empty input, empty result.
std::vector<CohortRow> CohortRetention(const std::vector<Transaction>& transactions);

}  // namespace voronka::analytics
