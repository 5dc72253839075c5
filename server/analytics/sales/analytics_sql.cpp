// Dialect fragment, exact arithmetic, periods and drill-down URLs of the sales analytics.
#include "analytics/sales/analytics_sql.hpp"

#include <chrono>
#include <cstdio>

#include "core/money.hpp"

namespace voronka::analytics {

namespace chr = std::chrono;

__extension__ typedef __int128 Int128;

std::string ChangedTo(storage::Dialect d, std::string_view changes_column, std::string_view field) {
    if (d == storage::Dialect::kSqlite) {
        return "json_extract(" + std::string(changes_column) + ", '$." + std::string(field) +
               ".to')";
    }
    return "(" + std::string(changes_column) + "::jsonb -> '" + std::string(field) + "' ->> 'to')";
}

namespace {

// Rounds q + r/den (0 <= |r| < den, r with the sign of the quotient) half to even.
Int128 RoundHalfEven(Int128 num, Int128 den) {
    const bool negative = (num < 0) != (den < 0);
    Int128 n = num < 0 ? -num : num;
    const Int128 m = den < 0 ? -den : den;
    Int128 q = n / m;
    const Int128 r = n % m;
    if (2 * r > m || (2 * r == m && q % 2 == 1)) {
        ++q;
    }
    return negative ? -q : q;
}

}  // namespace

core::Json Ratio(int64_t num, int64_t den, int digits) {
    if (den == 0) {
        return nullptr;
    }
    Int128 scale = 1;
    for (int i = 0; i < digits; ++i) {
        scale *= 10;
    }
    const Int128 scaled = RoundHalfEven(static_cast<Int128>(num) * scale, den);
    const bool negative = scaled < 0;
    const Int128 a = negative ? -scaled : scaled;
    const auto whole = static_cast<long long>(a / scale);
    const auto frac = static_cast<long long>(a % scale);
    std::string out = (negative ? "-" : "") + std::to_string(whole);
    if (digits > 0) {
        std::string f = std::to_string(frac);
        out += "." + std::string(static_cast<size_t>(digits) - f.size(), '0') + f;
    }
    return out;
}

int64_t DivideHalfEven(int64_t num, int64_t den) {
    return static_cast<int64_t>(RoundHalfEven(num, den));
}

core::Json MoneyJson(const MoneyMap& sums) {
    core::Json out = core::Json::object();
    for (const auto& [currency, minor] : sums) {
        if (core::IsCurrencyCode(currency)) {
            out[currency] = core::FormatAmount(minor, currency);
        }
    }
    return out;
}

namespace {

std::string FormatDay(chr::sys_days day) {
    const chr::year_month_day ymd{day};
    char buf[48];
    std::snprintf(
        buf,
        sizeof buf,
        "%04d-%02u-%02u",
        static_cast<int>(ymd.year()),
        static_cast<unsigned>(ymd.month()),
        static_cast<unsigned>(ymd.day())
    );
    return buf;
}

int64_t Micros(chr::sys_days day) {
    return chr::duration_cast<chr::microseconds>(day.time_since_epoch()).count();
}

Period MakePeriod(chr::year_month first, bool quarter) {
    const chr::year_month end = first + chr::months(quarter ? 3 : 1);
    const chr::sys_days start_day{first / 1};
    const chr::sys_days end_day{end / 1};
    Period p;
    char label[48];
    if (quarter) {
        std::snprintf(
            label,
            sizeof label,
            "%04d-Q%u",
            static_cast<int>(first.year()),
            (static_cast<unsigned>(first.month()) - 1) / 3 + 1
        );
    } else {
        std::snprintf(
            label,
            sizeof label,
            "%04d-%02u",
            static_cast<int>(first.year()),
            static_cast<unsigned>(first.month())
        );
    }
    p.label = label;
    p.first_day = FormatDay(start_day);
    p.last_day = FormatDay(end_day - chr::days(1));
    p.start_micros = Micros(start_day);
    p.end_micros = Micros(end_day);
    return p;
}

}  // namespace

std::optional<Period> ParseMonth(std::string_view text) {
    if (text.size() != 7 || text[4] != '-') {
        return std::nullopt;
    }
    int year = 0;
    unsigned month = 0;
    for (size_t i = 0; i < 7; ++i) {
        if (i == 4) {
            continue;
        }
        if (text[i] < '0' || text[i] > '9') {
            return std::nullopt;
        }
        if (i < 4) {
            year = year * 10 + (text[i] - '0');
        } else {
            month = month * 10 + static_cast<unsigned>(text[i] - '0');
        }
    }
    if (year < 1970 || month < 1 || month > 12) {
        return std::nullopt;
    }
    return MakePeriod(chr::year(year) / chr::month(month), false);
}

Period PeriodAt(int64_t micros, bool quarter, int offset) {
    const auto day =
        chr::floor<chr::days>(chr::sys_time<chr::microseconds>(chr::microseconds(micros)));
    const chr::year_month_day ymd{day};
    unsigned month = static_cast<unsigned>(ymd.month());
    if (quarter) {
        month = (month - 1) / 3 * 3 + 1;
    }
    const chr::year_month first =
        ymd.year() / chr::month(month) + chr::months(offset * (quarter ? 3 : 1));
    return MakePeriod(first, quarter);
}

int64_t DayStartMicros(std::string_view date, bool next_day) {
    const int year = std::stoi(std::string(date.substr(0, 4)));
    const auto month = static_cast<unsigned>(std::stoi(std::string(date.substr(5, 2))));
    const auto day = static_cast<unsigned>(std::stoi(std::string(date.substr(8, 2))));
    chr::sys_days d{chr::year(year) / chr::month(month) / chr::day(day)};
    if (next_day) {
        d += chr::days(1);
    }
    return Micros(d);
}

namespace {

std::string Encode(std::string_view text) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == ',') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

}  // namespace

std::string ListUrl(std::string_view entity, const std::vector<records::FilterTerm>& terms) {
    std::string url = "/api/v1/" + std::string(entity);
    char sep = '?';
    for (const auto& t : terms) {
        url += sep;
        sep = '&';
        url += "filter[" + t.field + "]";
        if (t.op != "eq") {
            url += "[" + t.op + "]";
        }
        url += "=" + Encode(t.value);
    }
    return url;
}

}  // namespace voronka::analytics
