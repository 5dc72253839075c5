// Field-by-field merge of two duplicate records into the survivor.
#include "quality/merge_plan.hpp"

#include <algorithm>
#include <string_view>

namespace voronka::quality {
namespace {

bool IsSystemField(std::string_view field) {
    return std::any_of(
        std::begin(kMergeSystemFields),
        std::end(kMergeSystemFields),
        [&](const char* name) { return field == name; }
    );
}

bool IsBlank(const core::Json& value) {
    return value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty());
}

core::Json ValueOf(const core::Json& record, const std::string& field) {
    const auto it = record.find(field);
    return it == record.end() ? core::Json(nullptr) : *it;
}

}  // namespace

core::Result<MergePlan> PlanMerge(
    const core::Json& survivor,
    const core::Json& other,
    const std::map<std::string, FieldChoice>& choices
) {
    if (!survivor.is_object()) {
        return core::Error::InvalidField("survivor", "must be an object");
    }
    if (!other.is_object()) {
        return core::Error::InvalidField("other", "must be an object");
    }
    for (const auto& [field, choice] : choices) {
        if (IsSystemField(field)) {
            return core::Error::InvalidField(field, "system field cannot be chosen");
        }
        if (!survivor.contains(field) && !other.contains(field)) {
            return core::Error::InvalidField(field, "unknown field");
        }
    }
    MergePlan plan;
    plan.survivor = survivor;
    // nlohmann objects iterate in key order, so the change list is sorted by field name.
    core::Json fields = survivor;
    fields.update(other);
    for (const auto& item : fields.items()) {
        const std::string& field = item.key();
        if (IsSystemField(field)) {
            continue;
        }
        const core::Json before = ValueOf(survivor, field);
        const core::Json theirs = ValueOf(other, field);
        core::Json after = before;
        if (const auto choice = choices.find(field); choice != choices.end()) {
            after = choice->second == FieldChoice::kOther ? theirs : before;
        } else if (IsBlank(before) && !IsBlank(theirs)) {
            after = theirs;
        }
        if (after == before) {
            continue;
        }
        if (after.is_null() && !other.contains(field)) {
            plan.survivor.erase(field);
        } else {
            plan.survivor[field] = after;
        }
        plan.changes.push_back({field, before, std::move(after)});
    }
    return plan;
}

}  // namespace voronka::quality
