// The few SQL fragments that differ between SQLite and PostgreSQL, each one small function.
#pragma once

#include <string>
#include <string_view>

#include "storage/database.hpp"

namespace voronka::storage {

// Text value of a key of the JSON `custom` column: json_extract(custom,'$.k') / custom->>'k'.
// REQUIRES: key is a validated identifier ([a-z][a-z0-9_]*).
std::string JsonText(Dialect d, std::string_view column, std::string_view key);

// Numeric value of a JSON key; PostgreSQL's ->> gives text and needs a cast.
std::string JsonNumber(Dialect d, std::string_view column, std::string_view key);

// Boolean value of a JSON key as 0/1 (SQLite stores JSON true as 1; PostgreSQL gives 'true').
std::string JsonBool(Dialect d, std::string_view column, std::string_view key);

// The UTC "YYYY-MM" of a column of microseconds since the epoch.
std::string UtcMonth(Dialect d, std::string_view micros_column);

// Null-safe equality: `a IS b` / `a IS NOT DISTINCT FROM b`.
std::string NullSafeEquals(Dialect d, std::string_view a, std::string_view b);

// Case-insensitive substring match of a column against a parameter that holds the folded
// needle already wrapped for the dialect (see ContainsPattern).
std::string ContainsExpr(Dialect d, std::string_view column, std::string_view param);

// Case-insensitive prefix match.
std::string StartsExpr(Dialect d, std::string_view column, std::string_view param);

// The parameter value for ContainsExpr / StartsExpr: folded needle, LIKE-escaped on PostgreSQL.
std::string ContainsPattern(Dialect d, std::string_view needle);
std::string StartsPattern(Dialect d, std::string_view needle);

// Rewrites $1..$n to ?1..?n for SQLite (which numbers `$name` parameters by first use).
// Leaves quoted strings alone. PostgreSQL uses the text unchanged.
std::string RewritePlaceholders(std::string_view sql);

}  // namespace voronka::storage
