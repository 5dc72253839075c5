// Scans of stored records, the duplicate_pairs table and the data-quality report.
#include "quality/duplicate_pairs.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

#include "access/permissions.hpp"
#include "core/clock.hpp"
#include "quality/duplicate_finder.hpp"
#include "quality/duplicate_scan.hpp"
#include "quality/record_keys.hpp"
#include "quality/visible_reasons.hpp"
#include "records/record_service.hpp"

namespace voronka::quality {

using core::Error;
using core::Json;

namespace {

constexpr size_t kInsertChunk = 100;
constexpr size_t kRefreshChunk = 500;

// The stored key columns ComputeKeys fills, by kind.
std::vector<std::string> KeyColumns(RecordKind kind) {
    if (kind == RecordKind::kPerson) {
        return {"email_key", "name_key", "name_latin", "quality_flags"};
    }
    return {"email_key", "name_key", "website_key", "inn_key", "quality_flags"};
}

std::string KeyValue(const RecordKeys& keys, const std::string& column) {
    if (column == "email_key") {
        return keys.email_key;
    }
    if (column == "name_key") {
        return keys.name_key;
    }
    if (column == "name_latin") {
        return keys.name_latin;
    }
    if (column == "website_key") {
        return keys.website_key;
    }
    if (column == "inn_key") {
        return keys.inn_key;
    }
    return Json(keys.flags).dump();
}

std::string Title(const records::EntityDef& def, const Json& body) {
    std::string title;
    for (const std::string& name : def.title_fields) {
        auto it = body.find(name);
        if (it != body.end() && it->is_string() && !it->get<std::string>().empty()) {
            title += (title.empty() ? "" : " ") + it->get<std::string>();
        }
    }
    return title;
}

struct Streamed {
    std::vector<std::string> ids;
    std::vector<std::string> titles;
    std::vector<std::string> websites;  // companies only
    std::vector<MatchRecord> records;
    std::vector<std::pair<std::string, std::vector<std::string>>> refresh;  // id, key values
    std::string region;
};

core::Status Stream(
    storage::Connection& c,
    const records::EntityDef& def,
    RecordKind kind,
    int64_t tenant_id,
    const EntityScanOptions& options,
    Streamed& out
) {
    VK_ASSIGN_OR_RETURN(out.region, TenantRegion(c, tenant_id));
    std::vector<std::string> columns = {"id"};
    auto add = [&](const std::string& name) {
        if (def.Field(name) && std::find(columns.begin(), columns.end(), name) == columns.end()) {
            columns.push_back(name);
        }
    };
    for (const std::string& name : MatchColumns(kind)) {
        add(name);
    }
    for (const std::string& name : def.title_fields) {
        add(name);
    }
    const std::vector<std::string> key_columns = KeyColumns(kind);
    bool has_keys = true;
    for (const std::string& name : key_columns) {
        has_keys = has_keys && def.Field(name);
        add(name);
    }
    const bool refresh = options.refresh_keys && has_keys;
    std::string select;
    for (const std::string& name : columns) {
        select += (select.empty() ? "" : ", ") + name;
    }
    const std::string sql =
        "SELECT " + select + " FROM " + def.name +
        " WHERE tenant_id = $1 AND deleted_at IS NULL AND id > $2 ORDER BY id LIMIT " +
        std::to_string(std::max<size_t>(options.page_size, 1));
    std::string after;
    while (true) {
        VK_ASSIGN_OR_RETURN(storage::Rows rows, c.Query(sql, {tenant_id, after}));
        for (const auto& row : rows.rows) {
            Json body = Json::object();
            for (size_t i = 0; i < columns.size(); ++i) {
                body[columns[i]] =
                    storage::IsNull(row[i]) ? Json(nullptr) : Json(storage::AsText(row[i]));
            }
            const bool need_keys = refresh || kind == RecordKind::kCompany;
            const RecordKeys keys = need_keys ? ComputeKeys(kind, body) : RecordKeys();
            if (refresh) {
                std::vector<std::string> values;
                bool differs = false;
                for (const std::string& name : key_columns) {
                    values.push_back(KeyValue(keys, name));
                    const Json& stored = body[name];
                    const std::string current = stored.is_string() ? stored.get<std::string>() : "";
                    differs = differs || current != values.back();
                }
                if (differs) {
                    out.refresh.emplace_back(storage::AsText(row[0]), std::move(values));
                }
            }
            out.ids.push_back(storage::AsText(row[0]));
            out.titles.push_back(Title(def, body));
            if (kind == RecordKind::kCompany) {
                out.websites.push_back(keys.website_key);
            }
            out.records.push_back(ToMatchRecord(kind, body));
        }
        if (rows.size() < options.page_size || rows.empty()) {
            return core::Ok();
        }
        after = out.ids.back();
    }
}

core::Status Refresh(
    storage::Database& db,
    const records::EntityDef& def,
    RecordKind kind,
    int64_t tenant_id,
    const std::vector<std::pair<std::string, std::vector<std::string>>>& refresh
) {
    const std::vector<std::string> key_columns = KeyColumns(kind);
    std::string sets;
    for (size_t i = 0; i < key_columns.size(); ++i) {
        sets += (i ? ", " : "") + key_columns[i] + " = $" + std::to_string(i + 3);
    }
    const std::string sql =
        "UPDATE " + def.name + " SET " + sets + " WHERE tenant_id = $1 AND id = $2";
    for (size_t start = 0; start < refresh.size(); start += kRefreshChunk) {
        VK_RETURN_IF_ERROR(db.Write([&](storage::Connection& tx) -> core::Status {
            for (size_t i = start; i < std::min(refresh.size(), start + kRefreshChunk); ++i) {
                std::vector<storage::Value> params{tenant_id, refresh[i].first};
                for (size_t k = 0; k < key_columns.size(); ++k) {
                    const std::string& v = refresh[i].second[k];
                    // An empty flag list is "[]"; an absent key is NULL.
                    params.push_back(v.empty() ? storage::Value(nullptr) : storage::Value(v));
                }
                VK_RETURN_IF_ERROR(
                    tx.Execute(sql, params).has_value()
                        ? core::Ok()
                        : core::Status(Error::Internal("refreshing keys failed"))
                );
            }
            return core::Ok();
        }));
    }
    return core::Ok();
}

// Joins duplicate_pairs with both records (live ones only) and the caller's scope on each.
std::string PairJoin(
    const records::EntityDef& def,
    const access::RequestContext& ctx,
    std::vector<storage::Value>& params
) {
    std::string sql =
        " FROM duplicate_pairs p JOIN " + def.name +
        " a ON a.tenant_id = p.tenant_id AND a.id = p.left_id AND a.deleted_at IS NULL JOIN " +
        def.name +
        " b ON b.tenant_id = p.tenant_id AND b.id = p.right_id AND b.deleted_at IS NULL "
        "WHERE p.tenant_id = $1 AND p.entity = $2";
    const access::Scope scope =
        ctx.permissions ? ctx.permissions->For(def.name).read : access::Scope::kNone;
    if (scope == access::Scope::kNone) {
        return sql + " AND 1 = 0";
    }
    if (def.has_owner) {
        for (const char* side : {"a.owner_id", "b.owner_id"}) {
            const std::string condition = records::ScopeCondition(ctx, scope, params, side);
            if (!condition.empty()) {
                sql += " AND " + condition;
            }
        }
    }
    return sql;
}

std::string Csv(std::string_view text) {
    if (text.find_first_of(",\"\n\r") == std::string_view::npos) {
        return std::string(text);
    }
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    return out + "\"";
}

std::string Join(const std::vector<std::string>& items, char separator) {
    std::string out;
    for (const std::string& item : items) {
        if (!out.empty()) {
            out += separator;
        }
        out += item;
    }
    return out;
}

}  // namespace

core::Result<EntityScan> ScanEntity(
    storage::Database& db,
    const records::EntityRegistry& registry,
    int64_t tenant_id,
    std::string_view entity,
    const EntityScanOptions& options
) {
    const auto started = std::chrono::steady_clock::now();
    const QualityProfile* profile = FindProfile(entity);
    const records::EntityDef* def = registry.Find(entity);
    if (!profile || !def) {
        return Error::NotFound("No duplicate detection for '" + std::string(entity) + "'");
    }
    Streamed streamed;
    VK_RETURN_IF_ERROR(db.Read([&](storage::Connection& c) {
        return Stream(c, *def, profile->kind, tenant_id, options, streamed);
    }));
    EntityScan scan;
    scan.entity = def->name;
    scan.records = streamed.ids.size();
    scan.keys_refreshed = streamed.refresh.size();
    VK_RETURN_IF_ERROR(Refresh(db, *def, profile->kind, tenant_id, streamed.refresh));

    ScanOptions scan_options;
    scan_options.match.default_region = streamed.region;
    scan_options.threshold = PreAdjustThreshold(profile->kind, options.threshold);
    scan_options.window = options.window;
    scan_options.threads = options.threads;
    for (CandidatePair& p : ScanDuplicates(streamed.records, scan_options)) {
        MatchResult result{p.score, std::move(p.reasons)};
        if (profile->kind == RecordKind::kCompany) {
            result = AdjustForKind(
                profile->kind,
                Json{{"website_key", streamed.websites[p.left]}},
                Json{{"website_key", streamed.websites[p.right]}},
                std::move(result)
            );
        }
        if (result.score < options.threshold) {
            continue;
        }
        scan.pairs.push_back(
            {streamed.ids[p.left],
             streamed.ids[p.right],
             streamed.titles[p.left],
             streamed.titles[p.right],
             result.score,
             std::move(result.reasons)}
        );
    }
    scan.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return scan;
}

core::Status StorePairs(
    storage::Connection& tx, int64_t tenant_id, const EntityScan& scan, int64_t now_micros
) {
    VK_RETURN_IF_ERROR(
        tx.Execute(
              "DELETE FROM duplicate_pairs WHERE tenant_id = $1 AND entity = $2",
              {tenant_id, scan.entity}
        )
                .has_value()
            ? core::Ok()
            : core::Status(Error::Internal("clearing duplicate pairs failed"))
    );
    for (size_t start = 0; start < scan.pairs.size(); start += kInsertChunk) {
        std::string sql =
            "INSERT INTO duplicate_pairs (tenant_id, entity, left_id, right_id, score, reasons, "
            "scanned_at) VALUES ";
        std::vector<storage::Value> params{tenant_id, scan.entity, now_micros};
        for (size_t i = start; i < std::min(scan.pairs.size(), start + kInsertChunk); ++i) {
            const ScannedPair& p = scan.pairs[i];
            const size_t base = params.size();
            params.emplace_back(p.left_id);
            params.emplace_back(p.right_id);
            params.emplace_back(p.score);
            params.emplace_back(Json(p.reasons).dump());
            sql += std::string(i == start ? "" : ", ") + "($1, $2, $" + std::to_string(base + 1) +
                   ", $" + std::to_string(base + 2) + ", $" + std::to_string(base + 3) + ", $" +
                   std::to_string(base + 4) + ", $3)";
        }
        auto inserted = tx.Execute(sql, params);
        if (!inserted) {
            return std::move(inserted).error();
        }
    }
    return core::Ok();
}

core::Status ForgetPairs(
    storage::Connection& tx, int64_t tenant_id, std::string_view entity, std::string_view record_id
) {
    auto deleted = tx.Execute(
        "DELETE FROM duplicate_pairs WHERE tenant_id = $1 AND entity = $2 AND "
        "(left_id = $3 OR right_id = $3)",
        {tenant_id, std::string(entity), std::string(record_id)}
    );
    return deleted ? core::Ok() : core::Status(std::move(deleted).error());
}

core::Result<Json> ListPairs(
    storage::Connection& c,
    const access::RequestContext& ctx,
    const records::EntityRegistry& registry,
    std::string_view entity,
    int limit,
    std::string_view cursor
) {
    const records::EntityDef* def = registry.Find(entity);
    if (!FindProfile(entity) || !def) {
        return Error::InvalidField("entity", "must be one of contacts, companies, leads");
    }
    if (limit < 1 || limit > 500) {
        return Error::InvalidField("limit", "must be between 1 and 500");
    }
    int64_t offset = 0;
    if (!cursor.empty()) {
        auto [ptr, ec] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), offset);
        if (ec != std::errc() || ptr != cursor.data() + cursor.size() || offset < 0) {
            return Error::InvalidField("cursor", "is not a cursor of this list");
        }
    }
    std::vector<storage::Value> params{ctx.tenant_id, std::string(entity)};
    std::string titles;
    for (const std::string& name : def->title_fields) {
        titles += ", a." + name + ", b." + name;
    }
    const std::string join = PairJoin(*def, ctx, params);
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        c.Query(
            "SELECT p.left_id, p.right_id, p.score, p.reasons, p.scanned_at" + titles + join +
                " ORDER BY p.score DESC, p.left_id, p.right_id LIMIT " + std::to_string(limit + 1) +
                " OFFSET " + std::to_string(offset),
            params
        )
    );
    // A title is built from the record's fields: the ones the role hides stay out of it.
    static const std::set<std::string> kNothingHidden;
    const std::set<std::string>& hidden =
        ctx.permissions ? ctx.permissions->For(def->name).hidden_fields : kNothingHidden;
    Json data = Json::array();
    for (size_t r = 0; r < rows.size() && r < static_cast<size_t>(limit); ++r) {
        const auto& row = rows.rows[r];
        std::string left_title;
        std::string right_title;
        for (size_t t = 0; t < def->title_fields.size(); ++t) {
            if (!records::IsVisibleField(*def, def->title_fields[t], hidden)) {
                continue;
            }
            for (auto [title, column] :
                 {std::pair{&left_title, 5 + 2 * t}, std::pair{&right_title, 6 + 2 * t}}) {
                const std::string part = storage::AsText(row[column]);
                if (!part.empty()) {
                    *title += (title->empty() ? "" : " ") + part;
                }
            }
        }
        Json stored = Json::parse(storage::AsText(row[3]), nullptr, false);
        std::vector<std::string> reasons;
        for (const Json& reason : stored.is_array() ? stored : Json::array()) {
            if (reason.is_string()) {
                reasons.push_back(reason.get<std::string>());
            }
        }
        data.push_back(
            {{"entity", std::string(entity)},
             {"left", {{"id", storage::AsText(row[0])}, {"title", left_title}}},
             {"right", {{"id", storage::AsText(row[1])}, {"title", right_title}}},
             {"score", std::round(storage::AsDouble(row[2]) * 1000.0) / 1000.0},
             {"reasons", VisibleReasons(std::move(reasons), *def, hidden)},
             {"scanned_at", core::FormatTimestamp(storage::AsInt(row[4]))}}
        );
    }
    const bool more = rows.size() > static_cast<size_t>(limit);
    return Json{
        {"data", std::move(data)},
        {"next_cursor", more ? Json(std::to_string(offset + limit)) : Json(nullptr)}};
}

core::Result<Json> QualityReport(
    storage::Connection& c,
    const access::RequestContext& ctx,
    const records::EntityRegistry& registry,
    int64_t now_micros
) {
    Json entities = Json::object();
    for (const QualityProfile& profile : QualityProfiles()) {
        const records::EntityDef* def = registry.Find(profile.entity);
        if (!def || !def->Field("quality_flags")) {
            continue;
        }
        const access::Scope scope =
            ctx.permissions ? ctx.permissions->For(def->name).read : access::Scope::kNone;
        if (scope == access::Scope::kNone) {
            continue;
        }
        std::vector<storage::Value> params{ctx.tenant_id};
        std::string where = " FROM " + def->name + " WHERE tenant_id = $1 AND deleted_at IS NULL";
        if (def->has_owner) {
            const std::string condition = records::ScopeCondition(ctx, scope, params);
            if (!condition.empty()) {
                where += " AND " + condition;
            }
        }
        std::vector<std::string> flags = {"invalid_phone", "invalid_email"};
        if (profile.kind == RecordKind::kCompany) {
            flags.emplace_back("invalid_website");
            flags.emplace_back("invalid_inn");
        }
        const std::string no_name =
            profile.kind == RecordKind::kPerson
                ? "COALESCE(first_name, '') = '' AND COALESCE(last_name, '') = ''"
                : "COALESCE(name, '') = ''";
        std::string sql =
            "SELECT COUNT(*), "
            "SUM(CASE WHEN COALESCE(phone, '') = '' AND COALESCE(email, '') = '' THEN 1 ELSE 0 "
            "END), "
            "SUM(CASE WHEN " +
            no_name + " THEN 1 ELSE 0 END)";
        for (const std::string& flag : flags) {
            sql += ", SUM(CASE WHEN quality_flags LIKE '%\"" + flag + "\"%' THEN 1 ELSE 0 END)";
        }
        VK_ASSIGN_OR_RETURN(storage::Rows counts, c.Query(sql + where, params));
        const auto& row = counts.rows[0];
        Json item = {
            {"records", storage::AsInt(row[0])},
            {"no_phone_or_email", storage::AsInt(row[1])},
            {"no_name", storage::AsInt(row[2])}};
        for (size_t i = 0; i < flags.size(); ++i) {
            item[flags[i]] = storage::AsInt(row[3 + i]);
        }
        std::vector<storage::Value> pair_params{ctx.tenant_id, def->name};
        const std::string join = PairJoin(*def, ctx, pair_params);
        VK_ASSIGN_OR_RETURN(storage::Rows pairs, c.Query("SELECT COUNT(*)" + join, pair_params));
        VK_ASSIGN_OR_RETURN(
            storage::Rows involved,
            c.Query(
                "SELECT COUNT(*) FROM (SELECT p.left_id AS id" + join + " UNION SELECT p.right_id" +
                    join + ") AS involved",
                pair_params
            )
        );
        item["duplicate_pairs"] = storage::AsInt(pairs.rows[0][0]);
        item["records_in_duplicate_pairs"] = storage::AsInt(involved.rows[0][0]);
        entities[def->name] = std::move(item);
    }
    return Json{
        {"entities", std::move(entities)}, {"generated_at", core::FormatTimestamp(now_micros)}};
}

std::string PairsCsvHeader() {
    return "entity,left_id,right_id,score,reasons,left_title,right_title\n";
}

std::string PairCsvLine(std::string_view entity, const ScannedPair& pair) {
    char score[32];
    std::snprintf(score, sizeof(score), "%.3f", pair.score);
    return Csv(entity) + "," + Csv(pair.left_id) + "," + Csv(pair.right_id) + "," + score + "," +
           Csv(Join(pair.reasons, ';')) + "," + Csv(pair.left_title) + "," + Csv(pair.right_title) +
           "\n";
}

}  // namespace voronka::quality
