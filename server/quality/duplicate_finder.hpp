// Duplicates of one record among the stored records of its tenant: candidates fetched by indexed
// keys (E.164 phone, email key, name blocking key, INN, website), scored by the matcher.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "access/request_context.hpp"
#include "core/json.hpp"
#include "core/result.hpp"
#include "quality/record_keys.hpp"
#include "records/metadata.hpp"
#include "storage/database.hpp"

namespace voronka::quality {

struct DuplicateMatch {
    std::string entity;
    std::string id;
    std::string title;
    double score = 0;
    std::vector<std::string> reasons;

    // {"entity", "id", "title", "score" (3 decimals), "reasons"}
    core::Json ToJson() const;
};

struct FindOptions {
    double threshold = 0.5;
    size_t limit = 10;
    // true: only records the caller may read (API responses); false: the whole tenant (links
    // that hooks keep, which must not depend on who happened to write the record).
    bool apply_scope = true;
    std::string exclude_id;  // the record itself
};

// Records of `target` (an entity of `kind`, e.g. contacts) that are likely the same as
// `record`, an API body of an entity of the same kind (e.g. a lead), best first. Reads only;
// `c` may be a read connection or the write transaction. An unknown target or a caller without
// read rights on it gives an empty list.
core::Result<std::vector<DuplicateMatch>> FindStoredDuplicates(
    storage::Connection& c,
    const access::RequestContext& ctx,
    const records::EntityDef& target,
    RecordKind kind,
    const core::Json& record,
    const FindOptions& options
);

// The entities a record of `entity` is compared with: itself, plus contacts for leads.
std::vector<std::string> DuplicateTargets(std::string_view entity);

// Duplicates of `record` (an API body of `entity`) in every target of DuplicateTargets, within
// the caller's read scope, best first, at most `limit`: a JSON array of DuplicateMatch::ToJson.
core::Result<core::Json> DuplicatesJson(
    storage::Connection& c,
    const access::RequestContext& ctx,
    const records::EntityRegistry& registry,
    std::string_view entity,
    const core::Json& record,
    size_t limit
);

// The tenant's default phone region ("RU" when unset).
core::Result<std::string> TenantRegion(storage::Connection& c, int64_t tenant_id);

}  // namespace voronka::quality
