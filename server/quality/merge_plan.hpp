// Merge planning: which values the surviving record keeps when two duplicates are merged, and
// the resulting per-field change list (input to the merge endpoint and its undo).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/result.hpp"

namespace voronka::quality {

enum class FieldChoice {
    kSurvivor,  // keep the survivor's value (even if empty)
    kOther,     // take the merged-away record's value (even if empty)
};

struct FieldChange {
    std::string field;
    core::Json before;  // the survivor's value before the merge (null if absent)
    core::Json after;
};

struct MergePlan {
    core::Json survivor;               // complete field values of the merged record
    std::vector<FieldChange> changes;  // fields whose value differs from the survivor's, by name
};

// Fields that always keep the survivor's value and may not be chosen.
inline constexpr const char* kMergeSystemFields[] = {
    "id", "tenant_id", "created_at", "updated_at", "version"};

// Plans merging `other` into `survivor`, both JSON objects of one entity. For every field of
// either record: an explicit choice wins; without one the survivor's value is kept unless it is
// absent, null or "" and `other` has a value (blanks are filled). Nested objects and arrays are
// values like any other. Pure: reads only its arguments.
// Errors (kInvalid): a record is not an object; a choice names a field present in neither
// record or a system field (FieldError names the field).
core::Result<MergePlan> PlanMerge(
    const core::Json& survivor,
    const core::Json& other,
    const std::map<std::string, FieldChoice>& choices = {}
);

}  // namespace voronka::quality
