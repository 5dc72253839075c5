// Global search: one document per record, kept in the same transaction as the record.
// SQLite uses FTS5 (unicode61 folds Cyrillic and Latin case); PostgreSQL a 'simple' tsvector.
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include "core/text.hpp"
#include "records/record_row.hpp"
#include "records/record_service.hpp"

namespace voronka::records {

using core::Error;

namespace {

// Splits text into letter/digit tokens (Unicode-aware); everything else separates tokens, so
// no FTS5 or tsquery syntax can reach the query.
std::vector<std::string> Tokens(std::string_view text, size_t max_tokens) {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), text.size()));
    u.foldCase();
    std::vector<std::string> out;
    icu::UnicodeString current;
    auto flush = [&] {
        if (!current.isEmpty() && out.size() < max_tokens) {
            std::string s;
            current.toUTF8String(s);
            out.push_back(std::move(s));
        }
        current.remove();
    };
    for (int32_t i = 0; i < u.length();) {
        const UChar32 ch = u.char32At(i);
        if (u_isalnum(ch)) {
            current.append(ch);
        } else {
            flush();
        }
        i += U16_LENGTH(ch);
    }
    flush();
    return out;
}

std::string Title(const EntityDef& def, const Json& values) {
    std::string title;
    for (const auto& name : def.title_fields) {
        auto it = values.find(name);
        if (it != values.end() && it->is_string()) {
            title += (title.empty() ? "" : " ") + it->get<std::string>();
        }
    }
    return title;
}

std::string Body(const EntityDef& def, const Json& values) {
    std::string body;
    for (const FieldDef& f : def.fields) {
        if (!f.searchable) {
            continue;
        }
        const Json v = internal::ValueOf(f, values);
        if (!v.is_string()) {
            continue;
        }
        const std::string text = v.get<std::string>();
        body += text + " ";
        if (f.type == FieldType::kPhone) {
            // Digits alone, so "915 123" and "+7915123" both find the number by prefix.
            std::string digits;
            for (char ch : text) {
                if (ch >= '0' && ch <= '9') {
                    digits.push_back(ch);
                }
            }
            body += digits + " ";
            if (digits.size() > 10) {
                body += digits.substr(digits.size() - 10) + " ";
            }
        }
    }
    return body;
}

Json OwnerOf(const Json& values) {
    auto it = values.find("owner_id");
    return it != values.end() && it->is_string() ? *it : Json(nullptr);
}

}  // namespace

bool internal::SearchDocumentDiffers(const EntityDef& def, const Json& before, const Json& after) {
    return OwnerOf(before) != OwnerOf(after) || Title(def, before) != Title(def, after) ||
           Body(def, before) != Body(def, after);
}

Status RecordService::IndexForSearch(
    Connection& tx,
    const RequestContext& ctx,
    const EntityDef& def,
    const std::string& id,
    const Json& values,
    bool replace
) {
    if (replace) {
        VK_RETURN_IF_ERROR(UnindexForSearch(tx, ctx, def, id));
    }
    if (def.personal) {
        return core::Ok();
    }
    const std::string title = Title(def, values);
    const std::string body = Body(def, values);
    const auto owner = values.contains("owner_id") && values["owner_id"].is_string()
                           ? storage::Value(values["owner_id"].get<std::string>())
                           : storage::Value(nullptr);
    if (tx.dialect() == storage::Dialect::kSqlite) {
        // No RETURNING here: it makes SQLite open a statement savepoint, and FTS5 flushes its
        // pending index data (the other records of the group commit) to new segments at every
        // savepoint, which made each create pay a flush and merge (~1 ms on a large index).
        VK_ASSIGN_OR_RETURN(
            int64_t inserted,
            tx.Execute(
                "INSERT INTO search_docs (tenant_id, entity, record_id, title, owner_id) "
                "VALUES ($1, $2, $3, $4, $5)",
                {ctx.tenant_id, def.name, id, title, owner}
            )
        );
        (void)inserted;
        VK_ASSIGN_OR_RETURN(storage::Rows doc, tx.Query("SELECT last_insert_rowid()"));
        // Keyed by the negated doc_id: newest first is then FTS5's fast, ascending order. The
        // rows of a group commit go in just before it commits, in that order too: inserted as
        // they come (each lower than the one before), FTS5 would write a segment per record.
        const int64_t key = -storage::AsInt(doc.rows[0][0]);
        return tx.InsertBeforeCommit(
            key,
            "INSERT INTO search_fts (rowid, tenant_key, body) VALUES ($1, $2, $3)",
            {key, "t" + std::to_string(ctx.tenant_id), title + " " + body}
        );
    }
    auto inserted = tx.Execute(
        "INSERT INTO search_docs (tenant_id, entity, record_id, title, owner_id, body) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {ctx.tenant_id, def.name, id, title, owner, core::FoldCase(title + " " + body)}
    );
    return inserted ? core::Ok() : Status(std::move(inserted).error());
}

Status RecordService::UnindexForSearch(
    Connection& tx, const RequestContext& ctx, const EntityDef& def, const std::string& id
) {
    if (tx.dialect() == storage::Dialect::kSqlite) {
        VK_ASSIGN_OR_RETURN(
            storage::Rows old,
            tx.Query(
                "DELETE FROM search_docs WHERE tenant_id = $1 AND entity = $2 AND record_id = $3 "
                "RETURNING doc_id",
                {ctx.tenant_id, def.name, id}
            )
        );
        for (const auto& row : old.rows) {
            if (tx.DropBeforeCommit(-storage::AsInt(row[0]))) {
                continue;  // indexed earlier in this commit: never written to search_fts
            }
            VK_RETURN_IF_ERROR(
                tx.Execute("DELETE FROM search_fts WHERE rowid = -$1", {row[0]}).has_value()
                    ? core::Ok()
                    : Status(Error::Internal("search unindex failed"))
            );
        }
        return core::Ok();
    }
    auto removed = tx.Execute(
        "DELETE FROM search_docs WHERE tenant_id = $1 AND entity = $2 AND record_id = $3",
        {ctx.tenant_id, def.name, id}
    );
    return removed ? core::Ok() : Status(std::move(removed).error());
}

namespace {

// A one-digit word before the last (the "1" of "alex.1.58363", a house number) is matched
// whole: as a prefix it would merge the doclists of every number starting with that digit.
bool IsPrefixWord(const std::vector<std::string>& tokens, size_t i) {
    const std::string& t = tokens[i];
    return i + 1 == tokens.size() || t.size() != 1 || t[0] < '0' || t[0] > '9';
}

// Up to `fetch` documents of the tenant that hold every word, newest first: entity, record_id,
// title, owner_id.
Result<storage::Rows> NewestMatches(
    Connection& c, int64_t tenant_id, const std::vector<std::string>& tokens, int64_t fetch
) {
    if (c.dialect() == storage::Dialect::kSqlite) {
        std::string match = "tenant_key : t" + std::to_string(tenant_id) + " AND body : (";
        for (size_t i = 0; i < tokens.size(); ++i) {
            match += (i ? " AND \"" : "\"") + tokens[i] + (IsPrefixWord(tokens, i) ? "\"*" : "\"");
        }
        match += ")";
        // FTS5 walks the doclists in rowid order (the negated doc_id) and stops after the page.
        // Ordering by bm25 rank would score every match, which in a tenant of a million records
        // is most of them for a short prefix (80 ms and more per query).
        return c.Query(
            "SELECT d.entity, d.record_id, d.title, d.owner_id FROM search_fts f "
            "JOIN search_docs d ON d.doc_id = -f.rowid WHERE search_fts MATCH $1 "
            "AND d.tenant_id = $2 ORDER BY f.rowid LIMIT $3",
            {match, tenant_id, fetch}
        );
    }
    std::string tsquery;
    for (size_t i = 0; i < tokens.size(); ++i) {
        tsquery += (i ? " & " : "") + tokens[i] + (IsPrefixWord(tokens, i) ? ":*" : "");
    }
    return c.Query(
        "SELECT entity, record_id, title, owner_id FROM search_docs "
        "WHERE tenant_id = $1 AND tsv @@ to_tsquery('simple', $2) "
        "ORDER BY doc_id DESC LIMIT $3",
        {tenant_id, tsquery, fetch}
    );
}

bool ReadsEverything(const RequestContext& ctx) {
    if (!ctx.permissions) {
        return false;
    }
    auto all = [](const access::EntityRights& rights) {
        return rights.read == access::Scope::kAll && rights.hidden_fields.empty();
    };
    return all(ctx.permissions->default_rights) &&
           std::all_of(
               ctx.permissions->entities.begin(),
               ctx.permissions->entities.end(),
               [&](const auto& entry) { return all(entry.second); }
           );
}

}  // namespace

bool RecordService::HidesSearchedFields(const RequestContext& ctx, std::string_view entity) const {
    if (!ctx.permissions) {
        return false;
    }
    const auto& hidden = ctx.permissions->For(entity).hidden_fields;
    if (hidden.empty()) {
        return false;
    }
    const EntityDef* def = registry_.Find(entity);
    if (!def) {
        return true;  // a custom entity: check every document
    }
    for (const std::string& name : hidden) {
        const FieldDef* f = def->Field(name);
        // Not built in: a custom field, which may be searchable.
        if (!f || f->searchable ||
            std::find(def->title_fields.begin(), def->title_fields.end(), name) !=
                def->title_fields.end()) {
            return true;
        }
    }
    return false;
}

Result<Json> RecordService::Search(
    Connection& c, const RequestContext& ctx, std::string_view query, int limit
) {
    if (limit < 1 || limit > 100) {
        return Error::InvalidField("limit", "must be between 1 and 100");
    }
    if (!core::IsValidUtf8(query) || query.size() > 500) {
        return Error::InvalidField("q", "must be valid UTF-8 up to 500 bytes");
    }
    const std::vector<std::string> tokens = Tokens(query, 8);
    if (tokens.empty()) {
        return Json{{"data", Json::array()}};
    }
    auto prefix = [&](size_t i) { return IsPrefixWord(tokens, i); };
    // Every match is kept for a role that reads every record and field, so its page is read
    // exactly; for others scope drops rows below, so more are read, and more again (up to
    // kMaxFetchPages pages' worth) while the page is short and the index had more.
    constexpr int64_t kMaxFetchPages = 64;
    int64_t fetch = ReadsEverything(ctx) ? limit : static_cast<int64_t>(limit) * 4;
    Json data = Json::array();
    std::set<std::string> team;
    bool team_loaded = false;
    for (;;) {
        VK_ASSIGN_OR_RETURN(storage::Rows rows, NewestMatches(c, ctx.tenant_id, tokens, fetch));
        for (const auto& row : rows.rows) {
            const std::string entity = storage::AsText(row[0]);
            const std::string owner = storage::AsText(row[3]);
            const access::Scope scope =
                ctx.permissions ? ctx.permissions->For(entity).read : access::Scope::kNone;
            bool visible = scope == access::Scope::kAll ||
                           (scope != access::Scope::kNone && owner == ctx.user_id);
            if (!visible && scope == access::Scope::kTeam && !ctx.team_id.empty()) {
                if (!team_loaded) {
                    VK_ASSIGN_OR_RETURN(
                        storage::Rows members,
                        c.Query(
                            "SELECT id FROM users WHERE tenant_id = $1 AND team_id = $2",
                            {ctx.tenant_id, ctx.team_id}
                        )
                    );
                    for (const auto& m : members.rows) {
                        team.insert(storage::AsText(m[0]));
                    }
                    team_loaded = true;
                }
                visible = team.contains(owner);
            }
            if (!visible) {
                continue;
            }
            std::string title = storage::AsText(row[2]);
            if (HidesSearchedFields(ctx, entity)) {
                // The stored document holds every field: match again on what the role may see, so a
                // hidden value can neither be searched for nor appear in the title.
                VK_ASSIGN_OR_RETURN(auto def, Meta(c, ctx, entity));
                auto record = LoadRow(c, ctx, *def, storage::AsText(row[1]), false);
                if (!record) {
                    continue;
                }
                const Json shown = Present(ctx, *def, std::move(record->body));
                title = Title(*def, shown);
                const std::vector<std::string> words =
                    Tokens(title + " " + Body(*def, shown), 100000);
                bool all = true;
                for (size_t i = 0; i < tokens.size() && all; ++i) {
                    all = std::any_of(words.begin(), words.end(), [&](const std::string& w) {
                        return prefix(i) ? w.starts_with(tokens[i]) : w == tokens[i];
                    });
                }
                if (!all) {
                    continue;
                }
            }
            data.push_back(
                {{"entity", entity}, {"id", storage::AsText(row[1])}, {"title", std::move(title)}}
            );
            if (data.size() >= static_cast<size_t>(limit)) {
                break;
            }
        }
        if (data.size() >= static_cast<size_t>(limit) ||
            rows.rows.size() < static_cast<size_t>(fetch) ||
            fetch >= static_cast<int64_t>(limit) * kMaxFetchPages) {
            break;
        }
        fetch *= 4;
        data = Json::array();
    }
    return Json{{"data", std::move(data)}};
}

}  // namespace voronka::records
