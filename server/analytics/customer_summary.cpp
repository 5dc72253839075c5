// Builds (x, t_x, T, mean repeat value, holdout) per customer from raw transactions.
#include "analytics/customer_summary.hpp"

#include <algorithm>
#include <unordered_map>

namespace voronka::analytics {

core::Result<TimeUnit> ParseTimeUnit(std::string_view text) {
    if (text == "day") {
        return TimeUnit::kDay;
    }
    if (text == "week") {
        return TimeUnit::kWeek;
    }
    return core::Error::Invalid("unit must be 'day' or 'week', got '" + std::string(text) + "'");
}

double DaysPerUnit(TimeUnit unit) {
    switch (unit) {
        case TimeUnit::kDay:
            return 1.0;
        case TimeUnit::kWeek:
            return 7.0;
    }
    return 1.0;
}

std::optional<CustomerSummary> SummariseCustomer(
    std::string customer_id, std::vector<DayValue>& history, const SummaryOptions& options
) {
    std::stable_sort(history.begin(), history.end(), [](const DayValue& l, const DayValue& r) {
        return l.day < r.day;
    });
    // Merge same-day purchases.
    size_t kept = 0;
    for (size_t i = 0; i < history.size(); ++i) {
        if (kept > 0 && history[kept - 1].day == history[i].day) {
            history[kept - 1].value += history[i].value;
        } else {
            history[kept++] = history[i];
        }
    }
    history.resize(kept);
    if (history.empty() || history.front().day > options.calibration_end_day) {
        return std::nullopt;
    }
    const double unit_days = DaysPerUnit(options.unit);
    CustomerSummary s;
    s.customer_id = std::move(customer_id);
    s.first_day = history.front().day;
    s.first_value = history.front().value;
    s.age = (options.calibration_end_day - s.first_day) / unit_days;
    double repeat_value = 0;
    for (size_t i = 1; i < history.size(); ++i) {
        if (history[i].day <= options.calibration_end_day) {
            ++s.frequency;
            repeat_value += history[i].value;
            s.recency = (history[i].day - s.first_day) / unit_days;
        } else {
            ++s.holdout_frequency;
            s.holdout_value += history[i].value;
        }
    }
    s.monetary_value = s.frequency > 0 ? repeat_value / static_cast<double>(s.frequency) : 0;
    return s;
}

std::vector<CustomerSummary> SummariseTransactions(
    const std::vector<Transaction>& transactions, const SummaryOptions& options
) {
    std::unordered_map<std::string_view, size_t> index_of;
    std::vector<std::string_view> ids;
    std::vector<std::vector<DayValue>> days;
    for (const auto& tx : transactions) {
        if (options.observation_end_day && tx.day > *options.observation_end_day) {
            continue;
        }
        const auto [it, inserted] = index_of.try_emplace(tx.customer_id, ids.size());
        if (inserted) {
            ids.push_back(tx.customer_id);
            days.emplace_back();
        }
        days[it->second].push_back({tx.day, tx.amount});
    }
    std::vector<CustomerSummary> summaries;
    summaries.reserve(ids.size());
    for (size_t c = 0; c < ids.size(); ++c) {
        if (auto s = SummariseCustomer(std::string(ids[c]), days[c], options)) {
            summaries.push_back(std::move(*s));
        }
    }
    return summaries;
}

}  // namespace voronka::analytics
