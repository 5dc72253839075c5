// Dialect fragments; each has exact expected strings for both databases in dialect_test.cpp.
#include "storage/dialect.hpp"

#include <string>

#include "core/text.hpp"

namespace voronka::storage {

std::string JsonText(Dialect d, std::string_view column, std::string_view key) {
    if (d == Dialect::kSqlite) {
        return "json_extract(" + std::string(column) + ", '$." + std::string(key) + "')";
    }
    return "(" + std::string(column) + " ->> '" + std::string(key) + "')";
}

std::string JsonNumber(Dialect d, std::string_view column, std::string_view key) {
    if (d == Dialect::kSqlite) {
        return JsonText(d, column, key);
    }
    return "(" + std::string(column) + " ->> '" + std::string(key) + "')::double precision";
}

std::string JsonBool(Dialect d, std::string_view column, std::string_view key) {
    if (d == Dialect::kSqlite) {
        return JsonText(d, column, key);
    }
    return "(" + std::string(column) + " ->> '" + std::string(key) + "')::boolean::int";
}

std::string UtcMonth(Dialect d, std::string_view micros_column) {
    const std::string column(micros_column);
    if (d == Dialect::kSqlite) {
        return "strftime('%Y-%m', " + column + " / 1000000, 'unixepoch')";
    }
    return "to_char(TIMESTAMP 'epoch' + " + column + " * INTERVAL '1 microsecond', 'YYYY-MM')";
}

std::string NullSafeEquals(Dialect d, std::string_view a, std::string_view b) {
    if (d == Dialect::kSqlite) {
        return std::string(a) + " IS " + std::string(b);
    }
    return std::string(a) + " IS NOT DISTINCT FROM " + std::string(b);
}

std::string ContainsExpr(Dialect d, std::string_view column, std::string_view param) {
    if (d == Dialect::kSqlite) {
        // vk_fold is registered by the SQLite driver (ICU case folding); LIKE there is ASCII-only.
        return "instr(vk_fold(" + std::string(column) + "), " + std::string(param) + ") > 0";
    }
    return std::string(column) + "::text ILIKE " + std::string(param) + " ESCAPE '\\'";
}

std::string StartsExpr(Dialect d, std::string_view column, std::string_view param) {
    if (d == Dialect::kSqlite) {
        return "instr(vk_fold(" + std::string(column) + "), " + std::string(param) + ") = 1";
    }
    return std::string(column) + "::text ILIKE " + std::string(param) + " ESCAPE '\\'";
}

namespace {

std::string EscapeLike(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') {
            out.push_back('\\');
        }
        out.push_back(c);
    }
    return out;
}

}  // namespace

std::string ContainsPattern(Dialect d, std::string_view needle) {
    if (d == Dialect::kSqlite) {
        return core::FoldCase(needle);
    }
    return "%" + EscapeLike(needle) + "%";
}

std::string StartsPattern(Dialect d, std::string_view needle) {
    if (d == Dialect::kSqlite) {
        return core::FoldCase(needle);
    }
    return EscapeLike(needle) + "%";
}

std::string RewritePlaceholders(std::string_view sql) {
    std::string out;
    out.reserve(sql.size());
    char quote = 0;
    for (size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        if (quote) {
            out.push_back(c);
            if (c == quote) {
                quote = 0;
            }
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            out.push_back(c);
            continue;
        }
        if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            out.push_back('?');
            continue;
        }
        out.push_back(c);
    }
    return out;
}

}  // namespace voronka::storage
