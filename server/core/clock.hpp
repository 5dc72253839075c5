// Time as int64 microseconds since the Unix epoch (UTC), with an injectable clock for tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace voronka::core {

class Clock {
public:
    virtual ~Clock() = default;
    virtual int64_t NowMicros() const = 0;
};

class SystemClock final : public Clock {
public:
    int64_t NowMicros() const override;
};

// A clock tests move by hand instead of sleeping.
class ManualClock final : public Clock {
public:
    explicit ManualClock(int64_t now_micros) : now_(now_micros) {}

    int64_t NowMicros() const override { return now_; }

    void Advance(int64_t micros) { now_ += micros; }

private:
    int64_t now_;
};

// "2026-11-23T05:06:24.123456Z" (microseconds kept when non-zero).
std::string FormatTimestamp(int64_t micros);

// Accepts RFC 3339 date-times with Z or a numeric offset, fraction optional.
std::optional<int64_t> ParseTimestamp(std::string_view text);

// Validates a calendar date "YYYY-MM-DD" (leap years included).
bool IsValidDate(std::string_view text);

}  // namespace voronka::core
