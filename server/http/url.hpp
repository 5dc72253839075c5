// Request-target parsing: origin-form split into a percent-decoded path and query pairs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "http/http_types.hpp"

namespace voronka::http {

// Decodes %XX escapes (and '+' as a space when plus_is_space, for query strings). nullopt when an
// escape is truncated or not hex.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// "a=1&filter%5Bname%5D%5Bop%5D=x+y&flag" -> {{"a","1"},{"filter[name][op]","x y"},{"flag",""}}:
// decoded, in order, keys kept verbatim after decoding, empty pieces skipped. nullopt on a bad
// escape.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query);

// Sets request.target, .path and .query from an origin-form target ("/path?query"). Returns
// Invalid when the target does not start with '/', has a bad escape, or decodes to a NUL byte or
// to invalid UTF-8. The path is decoded as a whole, so "%2F" becomes a segment separator.
core::Status ParseTarget(std::string_view target, Request& request);

}  // namespace voronka::http
