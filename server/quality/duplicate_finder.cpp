// On-entry duplicate check: a handful of indexed lookups, then the matcher on what they return.
#include "quality/duplicate_finder.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "access/permissions.hpp"
#include "quality/duplicate_scan.hpp"
#include "quality/visible_reasons.hpp"
#include "records/record_service.hpp"

namespace voronka::quality {

using core::Json;

namespace {

// Caps on each lookup: a very common name block must not turn a create into a table scan.
constexpr int kExactLimit = 50;
constexpr int kNameLimit = 100;

std::string Str(const Json& body, std::string_view key) {
    auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Json DuplicateMatch::ToJson() const {
    return Json{
        {"entity", entity},
        {"id", id},
        {"title", title},
        {"score", std::round(score * 1000.0) / 1000.0},
        {"reasons", reasons}};
}

core::Result<std::string> TenantRegion(storage::Connection& c, int64_t tenant_id) {
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows, c.Query("SELECT default_region FROM tenants WHERE id = $1", {tenant_id})
    );
    if (rows.empty() || storage::AsText(rows.rows[0][0]).empty()) {
        return std::string("RU");
    }
    return storage::AsText(rows.rows[0][0]);
}

core::Result<std::vector<DuplicateMatch>> FindStoredDuplicates(
    storage::Connection& c,
    const access::RequestContext& ctx,
    const records::EntityDef& target,
    RecordKind kind,
    const Json& record,
    const FindOptions& options
) {
    std::vector<DuplicateMatch> out;
    const access::Scope scope = !options.apply_scope ? access::Scope::kAll
                                : ctx.permissions    ? ctx.permissions->For(target.name).read
                                                     : access::Scope::kNone;
    if (scope == access::Scope::kNone || ctx.tenant_id <= 0 || options.limit == 0) {
        return out;
    }
    static const std::set<std::string> kNothingHidden;
    const std::set<std::string>& hidden = options.apply_scope && ctx.permissions
                                              ? ctx.permissions->For(target.name).hidden_fields
                                              : kNothingHidden;
    const RecordKeys keys = ExactKeys(kind, record);
    const std::vector<std::string> blocks = NameBlocks(kind, record);
    std::string phone = Str(record, "phone_e164");

    // The exact-key query and the name-block query each bind their own parameters ($1 tenant,
    // $2 the record itself): PostgreSQL refuses parameters a statement does not use.
    std::vector<storage::Value> params{ctx.tenant_id, options.exclude_id};
    std::vector<storage::Value> name_params = params;
    // "$a, $b" for the usable values, each added to `to`.
    auto in_list = [](const std::vector<std::string>& values, std::vector<storage::Value>& to) {
        std::string in;
        for (const std::string& v : values) {
            if (v.empty() || v.ends_with("/") || v.starts_with("/")) {
                continue;  // no key, or a bare surname: too unselective to fetch by
            }
            to.emplace_back(v);
            in += (in.empty() ? "$" : ", $") + std::to_string(to.size());
        }
        return in;
    };
    std::vector<std::string> lookups;
    auto lookup = [&](const char* column, const std::vector<std::string>& values) {
        if (!target.Field(column)) {
            return;
        }
        const std::string in = in_list(values, params);
        if (in.empty()) {
            return;
        }
        // No deleted_at here: with it SQLite (no ANALYZE statistics) prefers scanning the
        // tenant's primary-key range to the key's covering index. The outer query drops them.
        lookups.push_back(
            "SELECT id FROM (SELECT id FROM " + target.name + " WHERE tenant_id = $1 AND " +
            column + " IN (" + in + ") LIMIT " + std::to_string(kExactLimit) + ") AS k" +
            std::to_string(lookups.size())
        );
    };
    lookup("phone_e164", {phone});
    lookup("email_key", {keys.email_key});
    std::vector<std::string> names = {blocks[0]};
    if (kind == RecordKind::kCompany) {
        lookup("inn_key", {keys.inn_key});
        lookup("website_key", {keys.website_key});
    } else if (blocks[1] != blocks[0]) {
        names.push_back(blocks[1]);
    }
    const std::string name_in =
        target.Field("name_key") ? in_list(names, name_params) : std::string();
    if (lookups.empty() && name_in.empty()) {
        return out;
    }

    std::vector<std::string> columns = {"id"};
    for (const std::string& name : MatchColumns(kind)) {
        if (target.Field(name)) {
            columns.push_back(name);
        }
    }
    for (const std::string& name : target.title_fields) {
        if (target.Field(name) &&
            std::find(columns.begin(), columns.end(), name) == columns.end()) {
            columns.push_back(name);
        }
    }
    if (kind == RecordKind::kCompany && target.Field("website_key")) {
        columns.emplace_back("website_key");
    }
    std::string select;
    for (const std::string& name : columns) {
        select += (select.empty() ? "" : ", ") + name;
    }
    // Live records other than this one, within the caller's read scope.
    auto live = [&](std::vector<storage::Value>& to) {
        std::string sql = " AND id <> $2 AND deleted_at IS NULL";
        const std::string condition =
            target.has_owner ? records::ScopeCondition(ctx, scope, to) : std::string();
        return condition.empty() ? sql : sql + " AND " + condition;
    };
    storage::Rows rows;
    if (!lookups.empty()) {
        // Exact keys match a handful of records: find their ids, then read those rows.
        std::string sql = "SELECT " + select + " FROM " + target.name + " WHERE tenant_id = $1" +
                          live(params) + " AND id IN (";
        for (size_t i = 0; i < lookups.size(); ++i) {
            sql += (i ? " UNION " : "") + lookups[i];
        }
        VK_ASSIGN_OR_RETURN(rows, c.Query(sql + ")", params));
    }
    if (!name_in.empty()) {
        // A name block can hold a hundred namesakes: the name-key index carries every column
        // read here (migration 0014), so they come from one index range, not a row each.
        const std::string sql = "SELECT " + select + " FROM " + target.name +
                                " WHERE tenant_id = $1 AND name_key IN (" + name_in + ")" +
                                live(name_params) + " LIMIT " + std::to_string(kNameLimit);
        VK_ASSIGN_OR_RETURN(storage::Rows named, c.Query(sql, name_params));
        // The exact keys find a handful of rows at most: a scan of them beats a set of ids.
        const size_t exact = rows.rows.size();
        for (auto& row : named.rows) {
            const auto first = rows.rows.begin();
            const bool found =
                std::any_of(first, first + static_cast<std::ptrdiff_t>(exact), [&](const auto& r) {
                    return r[0] == row[0];
                });
            if (!found) {
                rows.rows.push_back(std::move(row));
            }
        }
    }
    if (rows.empty()) {
        return out;
    }

    // Candidates straight from the rows: a JSON body is built only for the few that match.
    std::vector<MatchRecord> candidates;
    candidates.reserve(rows.size());
    for (const auto& row : rows.rows) {
        candidates.push_back(ToMatchRecord(kind, [&](std::string_view name) {
            const auto at = std::find(columns.begin(), columns.end(), name);
            const size_t i = static_cast<size_t>(at - columns.begin());
            return at == columns.end() || storage::IsNull(row[i]) ? std::string()
                                                                  : storage::AsText(row[i]);
        }));
    }
    auto body_of = [&](size_t index) {
        Json body = Json::object();
        for (size_t i = 0; i < columns.size(); ++i) {
            const storage::Value& v = rows.rows[index][i];
            body[columns[i]] = storage::IsNull(v) ? Json(nullptr) : Json(storage::AsText(v));
        }
        return body;
    };
    VK_ASSIGN_OR_RETURN(std::string region, TenantRegion(c, ctx.tenant_id));
    ScanOptions scan;
    scan.match.default_region = region;
    scan.threshold = PreAdjustThreshold(kind, options.threshold);
    const MatchRecord incoming = ToMatchRecord(kind, record);
    for (CandidateMatch& m : FindDuplicatesFor(incoming, candidates, scan)) {
        const Json body = body_of(m.index);
        MatchResult adjusted = AdjustForKind(kind, record, body, {m.score, std::move(m.reasons)});
        if (adjusted.score < options.threshold) {
            continue;
        }
        DuplicateMatch d;
        d.entity = target.name;
        d.id = Str(body, "id");
        for (const std::string& name : target.title_fields) {
            if (!records::IsVisibleField(target, name, hidden)) {
                continue;  // the title must not show what the role hides
            }
            const std::string part = Str(body, name);
            if (!part.empty()) {
                d.title += (d.title.empty() ? "" : " ") + part;
            }
        }
        d.score = adjusted.score;
        d.reasons = VisibleReasons(std::move(adjusted.reasons), target, hidden);
        out.push_back(std::move(d));
    }
    std::stable_sort(out.begin(), out.end(), [](const DuplicateMatch& a, const DuplicateMatch& b) {
        return a.score > b.score;
    });
    if (out.size() > options.limit) {
        out.resize(options.limit);
    }
    return out;
}

std::vector<std::string> DuplicateTargets(std::string_view entity) {
    if (entity == "leads") {
        return {"leads", "contacts"};
    }
    return {std::string(entity)};
}

core::Result<Json> DuplicatesJson(
    storage::Connection& c,
    const access::RequestContext& ctx,
    const records::EntityRegistry& registry,
    std::string_view entity,
    const Json& record,
    size_t limit
) {
    const QualityProfile* profile = FindProfile(entity);
    Json out = Json::array();
    if (!profile) {
        return out;
    }
    std::vector<DuplicateMatch> all;
    for (const std::string& target_name : DuplicateTargets(entity)) {
        const records::EntityDef* target = registry.Find(target_name);
        const QualityProfile* target_profile = FindProfile(target_name);
        if (!target || !target_profile || target_profile->kind != profile->kind) {
            continue;
        }
        FindOptions options;
        options.limit = limit;
        options.exclude_id = target_name == entity ? Str(record, "id") : std::string();
        VK_ASSIGN_OR_RETURN(
            std::vector<DuplicateMatch> found,
            FindStoredDuplicates(c, ctx, *target, profile->kind, record, options)
        );
        for (DuplicateMatch& d : found) {
            all.push_back(std::move(d));
        }
    }
    std::stable_sort(all.begin(), all.end(), [](const DuplicateMatch& a, const DuplicateMatch& b) {
        return a.score > b.score;
    });
    for (size_t i = 0; i < all.size() && i < limit; ++i) {
        out.push_back(all[i].ToJson());
    }
    return out;
}

}  // namespace voronka::quality
