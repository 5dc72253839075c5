// Merging two duplicate records into one, and undoing it, through the record engine so that
// every change is a version with its event.
#pragma once

#include <string_view>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/result.hpp"
#include "records/record_service.hpp"

namespace voronka::quality {

class MergeService {
public:
    // Both must outlive the service.
    MergeService(records::RecordService& records, const core::Clock& clock);

    // input: {"survivor_id", "other_id", "fields"?: {"phone": "other", "custom_field":
    // "survivor"}}. In the caller's transaction: the survivor gets the chosen values (unchosen
    // blanks are filled from the other record, see PlanMerge) by an update; every reference to the
    // other record moves to the survivor (built-in kReference fields of every entity whose
    // ref_entity is `entity`, and related_entity/related_id pairs such as activities'); the other
    // record goes to the recycle bin; a merges row keeps what the undo needs. Only fields the
    // caller may write take part. Errors: kInvalid (bad input, same record, unknown field),
    // kNotFound (a record missing, of another tenant or out of read scope), kConflict (a record in
    // the recycle bin), kForbidden (no right to edit the survivor or delete the other). Returns
    // {"id", "entity", "survivor_id", "other_id", "survivor": record, "changes": [{field, before,
    // after}], "moved": [{entity, field, where, ids}], "created_at"}.
    core::Result<core::Json> Merge(
        storage::Connection& tx,
        const records::RequestContext& ctx,
        std::string_view entity,
        const core::Json& input
    );

    // Restores the other record, moves the references that the merge moved (and that still point
    // at the survivor) back, and reverts the survivor's merged fields whose value is still the
    // merged one, each as a new version. Fields changed since are left ("kept"). kNotFound for an
    // unknown merge or one of another tenant; kConflict when already undone, or when a record is
    // gone. Returns {"id", "survivor": record, "other": record, "reverted": [fields], "kept":
    // [fields], "moved_back": count}.
    core::Result<core::Json> Undo(
        storage::Connection& tx, const records::RequestContext& ctx, std::string_view merge_id
    );

    // The merges row as JSON (see Merge), plus "undone_at"/"undone_by". kNotFound as for Undo.
    core::Result<core::Json> Get(
        storage::Connection& c, const records::RequestContext& ctx, std::string_view merge_id
    );

private:
    records::RecordService& records_;
    const core::Clock& clock_;
};

}  // namespace voronka::quality
