// Timestamp formatting and parsing; GCC 12 lacks std::chrono::parse, so RFC 3339 is read by hand.
#include "core/clock.hpp"

#include <chrono>
#include <cstdio>

namespace voronka::core {

int64_t SystemClock::NowMicros() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch()
    )
        .count();
}

namespace {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
    const std::chrono::year_month_day ymd{
        std::chrono::year(static_cast<int>(y)), std::chrono::month(m), std::chrono::day(d)};
    return std::chrono::sys_days(ymd).time_since_epoch().count();
}

bool ReadDigits(std::string_view text, size_t pos, size_t count, int& out) {
    if (pos + count > text.size()) {
        return false;
    }
    out = 0;
    for (size_t i = pos; i < pos + count; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
        out = out * 10 + (text[i] - '0');
    }
    return true;
}

}  // namespace

std::string FormatTimestamp(int64_t micros) {
    using namespace std::chrono;
    const sys_time<microseconds> tp{microseconds(micros)};
    const auto day = floor<days>(tp);
    const year_month_day ymd{day};
    const hh_mm_ss<microseconds> tod{tp - day};
    char buf[40];
    const long fraction = static_cast<long>(tod.subseconds().count());
    if (fraction != 0) {
        std::snprintf(
            buf,
            sizeof buf,
            "%04d-%02u-%02uT%02ld:%02ld:%02ld.%06ldZ",
            static_cast<int>(ymd.year()),
            static_cast<unsigned>(ymd.month()),
            static_cast<unsigned>(ymd.day()),
            static_cast<long>(tod.hours().count()),
            static_cast<long>(tod.minutes().count()),
            static_cast<long>(tod.seconds().count()),
            fraction
        );
    } else {
        std::snprintf(
            buf,
            sizeof buf,
            "%04d-%02u-%02uT%02ld:%02ld:%02ldZ",
            static_cast<int>(ymd.year()),
            static_cast<unsigned>(ymd.month()),
            static_cast<unsigned>(ymd.day()),
            static_cast<long>(tod.hours().count()),
            static_cast<long>(tod.minutes().count()),
            static_cast<long>(tod.seconds().count())
        );
    }
    return buf;
}

bool IsValidDate(std::string_view text) {
    int y, m, d;
    if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !ReadDigits(text, 0, 4, y) ||
        !ReadDigits(text, 5, 2, m) || !ReadDigits(text, 8, 2, d)) {
        return false;
    }
    const std::chrono::year_month_day ymd{
        std::chrono::year(y),
        std::chrono::month(static_cast<unsigned>(m)),
        std::chrono::day(static_cast<unsigned>(d))};
    return ymd.ok();
}

std::optional<int64_t> ParseTimestamp(std::string_view text) {
    if (text.size() < 10 || !IsValidDate(text.substr(0, 10))) {
        return std::nullopt;
    }
    int y, mo, d, h = 0, mi = 0, s = 0;
    (void)ReadDigits(text, 0, 4, y);
    (void)ReadDigits(text, 5, 2, mo);
    (void)ReadDigits(text, 8, 2, d);
    size_t pos = 10;
    int64_t micros = 0;
    int64_t offset_seconds = 0;
    if (pos < text.size()) {
        if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') {
            return std::nullopt;
        }
        if (!ReadDigits(text, pos + 1, 2, h) || text.size() < pos + 9 || text[pos + 3] != ':' ||
            !ReadDigits(text, pos + 4, 2, mi) || text[pos + 6] != ':' ||
            !ReadDigits(text, pos + 7, 2, s) || h > 23 || mi > 59 || s > 60) {
            return std::nullopt;
        }
        pos += 9;
        if (pos < text.size() && text[pos] == '.') {
            ++pos;
            int64_t scale = 100000;
            size_t digits = 0;
            while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
                if (digits++ < 6) {
                    micros += (text[pos] - '0') * scale;
                    scale /= 10;
                }
                ++pos;
            }
            if (digits == 0) {
                return std::nullopt;
            }
        }
        if (pos >= text.size()) {
            return std::nullopt;  // A date-time needs an explicit zone.
        }
        if (text[pos] == 'Z' || text[pos] == 'z') {
            ++pos;
        } else if (text[pos] == '+' || text[pos] == '-') {
            int oh, om;
            if (!ReadDigits(text, pos + 1, 2, oh) || text.size() < pos + 6 ||
                text[pos + 3] != ':' || !ReadDigits(text, pos + 4, 2, om)) {
                return std::nullopt;
            }
            offset_seconds = (oh * 3600 + om * 60) * (text[pos] == '+' ? 1 : -1);
            pos += 6;
        } else {
            return std::nullopt;
        }
        if (pos != text.size()) {
            return std::nullopt;
        }
    }
    const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    const int64_t seconds = days * 86400 + h * 3600 + mi * 60 + s - offset_seconds;
    return seconds * 1000000 + micros;
}

}  // namespace voronka::core
