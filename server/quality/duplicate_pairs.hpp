// Duplicate detection at scale over stored records (scan a tenant's entity, keep the pairs in
// duplicate_pairs, list them) and the data-quality report.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "access/request_context.hpp"
#include "core/json.hpp"
#include "core/result.hpp"
#include "records/metadata.hpp"
#include "storage/database.hpp"

namespace voronka::quality {

struct EntityScanOptions {
    double threshold = 0.5;
    int window = 6;   // see ScanOptions::window
    int threads = 0;  // 0 = hardware concurrency
    // Recompute the stored matching keys and quality_flags of records whose stored ones differ
    // (rows written before the keys existed). Derived columns: no new version, no event.
    bool refresh_keys = true;
    size_t page_size = 5000;  // rows per query while streaming
};

struct ScannedPair {
    std::string left_id;  // left_id < right_id
    std::string right_id;
    std::string left_title;
    std::string right_title;
    double score = 0;
    std::vector<std::string> reasons;
};

struct EntityScan {
    std::string entity;
    size_t records = 0;
    size_t keys_refreshed = 0;
    std::vector<ScannedPair> pairs;  // sorted by (left_id, right_id)
    double seconds = 0;
};

// Streams every live record of the tenant's `entity` (one of QualityProfiles()) from `db` in
// pages of one read snapshot, scans them with ScanDuplicates and returns the pairs scoring >=
// threshold. Memory: about 1.5 KB per record. kNotFound for an entity without a quality profile.
core::Result<EntityScan> ScanEntity(
    storage::Database& db,
    const records::EntityRegistry& registry,
    int64_t tenant_id,
    std::string_view entity,
    const EntityScanOptions& options = {}
);

// Replaces the stored pairs of (tenant, scan.entity) with scan.pairs, in one transaction.
core::Status StorePairs(
    storage::Connection& tx, int64_t tenant_id, const EntityScan& scan, int64_t now_micros
);

// Forgets stored pairs that involve `record_id` (after a merge).
core::Status ForgetPairs(
    storage::Connection& tx, int64_t tenant_id, std::string_view entity, std::string_view record_id
);

// Stored pairs of `entity` whose records are both live and readable by the caller, best first:
// {"data": [{"entity", "left": {"id", "title"}, "right": {...}, "score", "reasons",
// "scanned_at"}], "next_cursor"}. The cursor is opaque (an offset). limit in [1, 500].
core::Result<core::Json> ListPairs(
    storage::Connection& c,
    const access::RequestContext& ctx,
    const records::EntityRegistry& registry,
    std::string_view entity,
    int limit,
    std::string_view cursor
);

// Per entity of QualityProfiles() that is registered, over the records the caller may read:
// {"entities": {"contacts": {"records", "invalid_phone", "invalid_email", "no_phone_or_email",
// "no_name", "duplicate_pairs", "records_in_duplicate_pairs"[, "invalid_website",
// "invalid_inn"]}}, "generated_at"}. Duplicates come from the last scan (duplicate_pairs).
core::Result<core::Json> QualityReport(
    storage::Connection& c,
    const access::RequestContext& ctx,
    const records::EntityRegistry& registry,
    int64_t now_micros
);

// Writes pairs as CSV: entity,left_id,right_id,score,reasons,left_title,right_title (reasons
// joined with ';'), with a header line.
std::string PairsCsvHeader();
std::string PairCsvLine(std::string_view entity, const ScannedPair& pair);

}  // namespace voronka::quality
