// String similarity measures used by the duplicate scorer: Jaro-Winkler, a token-aware variant
// and a bounded Damerau edit distance for short digit strings.
#pragma once

#include <string_view>

namespace voronka::quality {

// Jaro-Winkler similarity in [0, 1] over bytes (callers pass ASCII matching keys), with the
// usual prefix bonus of 0.1 per common leading byte up to 4. Both empty -> 1, one empty -> 0.
// Hand-written: Debian 12 ships no C++ string-similarity library (no rapidfuzz-cpp package),
// and the measure is forty lines.
double JaroWinkler(std::string_view a, std::string_view b);

// Symmetric Monge-Elkan over space-separated tokens: each token is paired with its best
// Jaro-Winkler partner on the other side, averaged both ways. Insensitive to token order, so
// "ivan petrov" vs "petrov ivan" gives 1. Empty -> 0.
double TokenSimilarity(std::string_view a, std::string_view b);

// Optimal-string-alignment distance (insertions, deletions, substitutions and adjacent
// transpositions) if it is <= max_distance, else max_distance + 1. Cheap for short strings.
int BoundedEditDistance(std::string_view a, std::string_view b, int max_distance);

}  // namespace voronka::quality
