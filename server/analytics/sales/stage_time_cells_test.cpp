#include "analytics/sales/stage_time_cells.hpp"

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

namespace voronka::analytics {
namespace {

constexpr int64_t kHour = 3'600'000'000;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kNow = 1'790'000'000'000'000;  // 2026-09

// Rows of one stage, their cells, and a reader over the rows that counts what it returns.
struct Stage {
    std::vector<StageTimeRow> rows;
    int64_t read_rows = 0;

    std::vector<StageTimeCell> Cells() const {
        StageTimeCellDeltas deltas;
        for (const auto& row : rows) {
            AddStageTimeCell(row, 1, deltas);
        }
        std::vector<StageTimeCell> cells;
        for (const auto& [key, cell] : deltas) {
            cells.push_back(cell);
        }
        return cells;
    }

    ReadStageTimes Reader() {
        return [this](
                   std::optional<MicrosRange> finished, std::optional<MicrosRange> open
               ) -> core::Result<std::vector<int64_t>> {
            std::vector<int64_t> out;
            for (const auto& row : rows) {
                if (row.open_at) {
                    const int64_t start = *row.open_at - row.closed_micros.value_or(0);
                    if (open && start >= open->lo && start <= open->hi) {
                        out.push_back(kNow - start);
                    }
                } else if (row.closed_micros && finished && *row.closed_micros >= finished->lo &&
                           *row.closed_micros <= finished->hi) {
                    out.push_back(*row.closed_micros);
                }
            }
            read_rows += static_cast<int64_t>(out.size());
            return out;
        };
    }

    // The figures from every row, as the velocity counted them before the cells.
    StageTimeSummary Expected() const {
        StageTimeSummary s;
        std::vector<int64_t> times;
        for (const auto& row : rows) {
            ++s.deals;
            if (row.open_at) {
                times.push_back(row.closed_micros.value_or(0) + kNow - *row.open_at);
            } else if (row.closed_micros) {
                times.push_back(*row.closed_micros);
            }
        }
        std::sort(times.begin(), times.end());
        s.timed = static_cast<int64_t>(times.size());
        for (int64_t t : times) {
            s.total_micros += t;
        }
        if (!times.empty()) {
            const auto lo = static_cast<size_t>((s.timed + 1) / 2 - 1);
            const auto hi = static_cast<size_t>((s.timed + 2) / 2 - 1);
            s.middle_micros = times[lo] + (lo == hi ? 0 : times[hi]);
            s.middle_n = lo == hi ? 1 : 2;
        }
        return s;
    }
};

void ExpectSame(const StageTimeSummary& got, const StageTimeSummary& want) {
    EXPECT_EQ(got.deals, want.deals);
    EXPECT_EQ(got.timed, want.timed);
    EXPECT_EQ(got.total_micros, want.total_micros);
    EXPECT_EQ(got.middle_micros, want.middle_micros);
    EXPECT_EQ(got.middle_n, want.middle_n);
}

TEST(StageTimeCellsTest, MedianAndTotalEqualTheRowsForRandomStages) {
    std::mt19937_64 rng(20261123);
    auto uniform = [&](int64_t lo, int64_t hi) {
        return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
    };
    for (int round = 0; round < 300; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        Stage stage;
        const int64_t n = uniform(0, round < 150 ? 12 : 3000);
        // Narrow spreads put many equal or close times in a cell; wide ones cross the hour,
        // day and 30-day cells and the open cells' day boundaries.
        const int64_t spread = std::vector<int64_t>{
            kHour,
            3 * kDay,
            200 * kDay,
            2000 * kDay,
            5000 * kDay}[static_cast<size_t>(uniform(0, 4))];
        for (int64_t i = 0; i < n; ++i) {
            StageTimeRow row{"p", "s", std::nullopt, std::nullopt};
            const int64_t kind = uniform(0, 9);
            if (kind < 5) {
                row.closed_micros = uniform(0, spread);
                if (uniform(0, 50) == 0) {
                    row.closed_micros = -uniform(1, kDay);  // a clock set back
                }
            } else if (kind < 9) {
                row.open_at = kNow - uniform(0, spread);
                if (uniform(0, 3) == 0) {
                    row.closed_micros = uniform(0, spread);  // an earlier visit of the stage
                }
            }
            stage.rows.push_back(row);
        }
        auto got = SummariseStageTimes(stage.Cells(), kNow, stage.Reader());
        ASSERT_TRUE(got) << got.error().message;
        ExpectSame(*got, stage.Expected());
    }
}

TEST(StageTimeCellsTest, ReadsOnlyTheRowsAroundTheMedian) {
    std::mt19937_64 rng(7);
    std::exponential_distribution<double> days(1.0 / 12);
    Stage stage;
    for (int i = 0; i < 20000; ++i) {
        const auto micros = static_cast<int64_t>(days(rng) * static_cast<double>(kDay));
        StageTimeRow row{"p", "s", std::nullopt, std::nullopt};
        if (i % 4 == 0) {
            row.open_at = kNow - micros;
        } else {
            row.closed_micros = micros;
        }
        stage.rows.push_back(row);
    }
    auto got = SummariseStageTimes(stage.Cells(), kNow, stage.Reader());
    ASSERT_TRUE(got) << got.error().message;
    ExpectSame(*got, stage.Expected());
    EXPECT_GT(stage.read_rows, 0);
    EXPECT_LT(stage.read_rows, 20000 / 20);
}

TEST(StageTimeCellsTest, CellsOutOfStepWithTheRowsAreAnError) {
    Stage stage;
    for (int i = 0; i < 10; ++i) {
        stage.rows.push_back({"p", "s", i * kDay, std::nullopt});
    }
    const std::vector<StageTimeCell> cells = stage.Cells();
    stage.rows.pop_back();  // a row gone without its cell
    stage.rows.erase(stage.rows.begin() + 4);
    auto got = SummariseStageTimes(cells, kNow, stage.Reader());
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, core::ErrorCode::kInternal);
}

TEST(StageTimeCellsTest, ChangesCancelOut) {
    StageTimeCellDeltas deltas;
    const StageTimeRow open{"p", "s", 5 * kHour, kNow - 3 * kDay};
    const StageTimeRow closed{"p", "s", 5 * kHour + 3 * kDay, std::nullopt};
    AddStageTimeCell(open, 1, deltas);
    AddStageTimeCell(open, -1, deltas);
    AddStageTimeCell(closed, 1, deltas);
    std::vector<char> live;
    for (const auto& [key, cell] : deltas) {
        if (cell.deals != 0 || cell.offset_micros != 0) {
            live.push_back(std::get<2>(key));
        }
    }
    EXPECT_EQ(live, std::vector<char>{'f'});
}

}  // namespace
}  // namespace voronka::analytics
