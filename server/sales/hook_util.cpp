// Fixed-point parsing of JSON numbers and the thread-local forced values of domain writes.
#include "sales/hook_util.hpp"

#include <cmath>

namespace voronka::sales::internal {

std::optional<int64_t> ToFixed(const Json& value, int digits) {
    int64_t scale = 1;
    for (int i = 0; i < digits; ++i) {
        scale *= 10;
    }
    if (value.is_number_integer()) {
        const int64_t v = value.get<int64_t>();
        if (v > INT64_MAX / scale || v < INT64_MIN / scale) {
            return std::nullopt;
        }
        return v * scale;
    }
    if (!value.is_number()) {
        return std::nullopt;
    }
    const double scaled = value.get<double>() * static_cast<double>(scale);
    // Beyond 2^53 a double no longer holds every integer; such values are not exact input.
    if (!std::isfinite(scaled) || std::fabs(scaled) > 9.0e15) {
        return std::nullopt;
    }
    const double rounded = std::round(scaled);
    // JSON "33.33" arrives as 33.329999999999998; accept what is a decimal with `digits` places.
    if (std::fabs(scaled - rounded) > 1e-6) {
        return std::nullopt;
    }
    return static_cast<int64_t>(rounded);
}

namespace {
thread_local const ForcedValues* g_forced = nullptr;
}

ForcedValues::ForcedValues(std::string entity, Json values)
    : entity_(std::move(entity)), values_(std::move(values)), previous_(g_forced) {
    g_forced = this;
}

ForcedValues::~ForcedValues() { g_forced = previous_; }

const Json* ForcedValues::Current(std::string_view entity) {
    for (const ForcedValues* f = g_forced; f; f = f->previous_) {
        if (f->entity_ == entity) {
            return &f->values_;
        }
    }
    return nullptr;
}

}  // namespace voronka::sales::internal
