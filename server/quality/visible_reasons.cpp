#include "quality/visible_reasons.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace voronka::quality {

namespace {

struct ReasonFields {
    std::string_view subject;  // what the matcher's reason names, e.g. "phone" in "same_phone"
    std::array<std::string_view, 4> fields;
};

// Fields behind each subject the matcher (matcher.cpp) and record_keys.cpp report on.
constexpr std::array<ReasonFields, 11> kReasonFields{{
    {"phone", {"phone"}},
    {"email", {"email"}},
    {"national_id", {"inn", "national_id"}},
    {"birthday", {"birthday"}},
    {"postcode", {"address", "postcode"}},
    {"street_number", {"address"}},
    {"region", {"address", "region"}},
    {"patronymic", {"middle_name"}},
    {"names", {"first_name", "last_name", "middle_name", "name"}},
    {"name", {"first_name", "last_name", "middle_name", "name"}},
    {"website", {"website"}},
}};

// "same_phone", "phone_differs", "birthday_typo", "name_similar:0.93" -> "phone", "phone",
// "birthday", "name".
std::string_view Subject(std::string_view reason) {
    reason = reason.substr(0, reason.find(':'));
    if (reason.starts_with("same_")) {
        return reason.substr(5);
    }
    for (const ReasonFields& r : kReasonFields) {
        if (reason.starts_with(r.subject) &&
            (reason.size() == r.subject.size() || reason[r.subject.size()] == '_')) {
            return r.subject;
        }
    }
    return reason;
}

}  // namespace

std::vector<std::string> VisibleReasons(
    std::vector<std::string> reasons,
    const records::EntityDef& def,
    const std::set<std::string>& hidden
) {
    if (hidden.empty()) {
        return reasons;
    }
    std::erase_if(reasons, [&](const std::string& reason) {
        const std::string_view subject = Subject(reason);
        for (const ReasonFields& r : kReasonFields) {
            if (r.subject != subject) {
                continue;
            }
            return std::any_of(r.fields.begin(), r.fields.end(), [&](std::string_view field) {
                return !field.empty() && def.Field(field) &&
                       !records::IsVisibleField(def, field, hidden);
            });
        }
        return false;
    });
    return reasons;
}

}  // namespace voronka::quality
