// Sort-and-unique compression of (x, t_x, T) triples into weighted groups.
#include "analytics/recency_frequency.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <unordered_map>

namespace voronka::analytics {

namespace {

std::vector<double> Distinct(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return values;
}

uint32_t IndexOf(const std::vector<double>& sorted, double value) {
    return static_cast<uint32_t>(
        std::lower_bound(sorted.begin(), sorted.end(), value) - sorted.begin()
    );
}

}  // namespace

core::Result<RecencyFrequencyData> CompressRecencyFrequency(
    const std::vector<RecencyFrequency>& observations
) {
    if (observations.empty()) {
        return core::Error::Invalid("no customers to fit");
    }
    for (size_t i = 0; i < observations.size(); ++i) {
        const auto& o = observations[i];
        const bool valid = o.frequency >= 0 && std::isfinite(o.recency) && std::isfinite(o.age) &&
                           o.recency >= 0 && o.recency <= o.age &&
                           (o.frequency > 0 || o.recency == 0);
        if (!valid) {
            return core::Error::Invalid(
                "observation " + std::to_string(i) +
                " is impossible: x=" + std::to_string(o.frequency) +
                " t_x=" + std::to_string(o.recency) + " T=" + std::to_string(o.age)
            );
        }
    }
    std::vector<RecencyFrequency> sorted = observations;
    const auto key = [](const RecencyFrequency& o) {
        return std::tie(o.frequency, o.recency, o.age);
    };
    std::sort(sorted.begin(), sorted.end(), [&](const auto& l, const auto& r) {
        return key(l) < key(r);
    });

    RecencyFrequencyData data;
    std::vector<double> values;
    values.reserve(sorted.size());
    for (const auto& o : sorted) {
        values.push_back(static_cast<double>(o.frequency));
    }
    data.frequencies = Distinct(values);
    values.clear();
    for (const auto& o : sorted) {
        values.push_back(o.recency);
    }
    data.recencies = Distinct(values);
    values.clear();
    for (const auto& o : sorted) {
        values.push_back(o.age);
    }
    data.ages = Distinct(std::move(values));

    std::unordered_map<uint64_t, uint32_t> age_pair_of;
    const auto pair_key = [](uint32_t high, uint32_t low) {
        return (static_cast<uint64_t>(high) << 32) | low;
    };
    for (size_t i = 0; i < sorted.size(); ++i) {
        if (i > 0 && key(sorted[i]) == key(sorted[i - 1])) {
            data.groups.back().weight += 1;
            continue;
        }
        RecencyFrequencyData::Group group;
        group.frequency_index = IndexOf(data.frequencies, static_cast<double>(sorted[i].frequency));
        group.recency_index = IndexOf(data.recencies, sorted[i].recency);
        group.age_index = IndexOf(data.ages, sorted[i].age);
        group.weight = 1.0;
        // Sorted by (x, t_x, T): equal (x, t_x) pairs are adjacent.
        const bool same_recency_pair =
            !data.groups.empty() && data.groups.back().frequency_index == group.frequency_index &&
            data.groups.back().recency_index == group.recency_index;
        if (!same_recency_pair) {
            data.recency_pairs.push_back({group.frequency_index, group.recency_index});
        }
        group.recency_pair_index = static_cast<uint32_t>(data.recency_pairs.size() - 1);
        const auto [it, inserted] = age_pair_of.try_emplace(
            pair_key(group.frequency_index, group.age_index),
            static_cast<uint32_t>(data.age_pairs.size())
        );
        if (inserted) {
            data.age_pairs.push_back({group.frequency_index, group.age_index});
        }
        group.age_pair_index = it->second;
        data.groups.push_back(group);
    }
    data.customers = static_cast<double>(sorted.size());
    return data;
}

std::vector<RecencyFrequency> ToRecencyFrequency(const std::vector<CustomerSummary>& summaries) {
    std::vector<RecencyFrequency> out;
    out.reserve(summaries.size());
    for (const auto& s : summaries) {
        out.push_back({s.frequency, s.recency, s.age});
    }
    return out;
}

}  // namespace voronka::analytics
