// Date parsing by hand: GCC 12's libstdc++ has the C++20 calendar types but not std::chrono::parse.
#include "analytics/date_format.hpp"

#include <chrono>
#include <cstdio>

namespace voronka::analytics {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads between min_digits and max_digits digits at text[*pos].
bool ReadNumber(std::string_view text, size_t* pos, int min_digits, int max_digits, int* out) {
    int value = 0;
    int digits = 0;
    while (*pos < text.size() && digits < max_digits && IsDigit(text[*pos])) {
        value = value * 10 + (text[*pos] - '0');
        ++*pos;
        ++digits;
    }
    *out = value;
    return digits >= min_digits;
}

core::Error BadDate(std::string_view text, std::string_view format) {
    return core::Error::Invalid(
        "date '" + std::string(text) + "' does not match format '" + std::string(format) + "'"
    );
}

}  // namespace

core::Result<int32_t> ParseDate(std::string_view text, std::string_view format) {
    int year = -1;
    int month = -1;
    int day = -1;
    size_t pos = 0;
    for (size_t f = 0; f < format.size(); ++f) {
        if (format[f] != '%') {
            if (pos >= text.size() || text[pos] != format[f]) {
                return BadDate(text, format);
            }
            ++pos;
            continue;
        }
        if (++f >= format.size()) {
            return core::Error::Invalid("date format '" + std::string(format) + "' ends with %");
        }
        // A directive glued to the next one (%Y%m%d) must use its full width to be unambiguous.
        const bool glued = f + 1 < format.size() && format[f + 1] == '%' && f + 2 < format.size() &&
                           format[f + 2] != '%';
        const int min_two = glued ? 2 : 1;
        bool ok = true;
        switch (format[f]) {
            case 'Y':
                ok = ReadNumber(text, &pos, 4, 4, &year);
                break;
            case 'm':
                ok = ReadNumber(text, &pos, min_two, 2, &month);
                break;
            case 'd':
                ok = ReadNumber(text, &pos, min_two, 2, &day);
                break;
            case '%':
                ok = pos < text.size() && text[pos] == '%';
                ++pos;
                break;
            default:
                return core::Error::Invalid(
                    "date format '" + std::string(format) + "' uses unsupported directive %" +
                    format[f] + " (supported: %Y %m %d %%)"
                );
        }
        if (!ok) {
            return BadDate(text, format);
        }
    }
    if (pos != text.size()) {
        return BadDate(text, format);
    }
    if (year < 0 || month < 0 || day < 0) {
        return core::Error::Invalid(
            "date format '" + std::string(format) + "' must contain %Y, %m and %d"
        );
    }
    const std::chrono::year_month_day ymd{
        std::chrono::year{year},
        std::chrono::month{static_cast<unsigned>(month)},
        std::chrono::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) {
        return core::Error::Invalid("date '" + std::string(text) + "' is not a calendar date");
    }
    return static_cast<int32_t>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

std::string FormatDate(int32_t day) {
    const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
    char buffer[16];
    std::snprintf(
        buffer,
        sizeof(buffer),
        "%04d-%02u-%02u",
        static_cast<int>(ymd.year()),
        static_cast<unsigned>(ymd.month()),
        static_cast<unsigned>(ymd.day())
    );
    return buffer;
}

int32_t MonthIndex(int32_t day) {
    const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
    return static_cast<int32_t>(ymd.year()) * 12 + static_cast<int32_t>(unsigned(ymd.month())) - 1;
}

std::string FormatMonth(int32_t month_index) {
    char buffer[16];
    std::snprintf(buffer, sizeof(buffer), "%04d-%02d", month_index / 12, month_index % 12 + 1);
    return buffer;
}

}  // namespace voronka::analytics
