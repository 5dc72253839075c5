// Multi-row inserts of records, events and search documents in the record engine's shapes.
// The search title/body rules mirror records/search_index.cpp; keep the two in step.
#include "sales/bulk_writer.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "records/field_codec.hpp"
#include "storage/batch_insert.hpp"

namespace voronka::sales {

using core::Json;

namespace {

constexpr size_t kSystemColumns =
    7;  // tenant_id, id, version, created_at, updated_at, created_by, updated_by

const Json& ValueOf(const records::FieldDef& f, const Json& values) {
    static const Json kNull;
    auto it = values.find(f.name);
    return it == values.end() ? kNull : *it;
}

std::string CurrencyOf(const records::FieldDef& f, const Json& values) {
    if (f.currency_field.empty()) {
        return {};
    }
    auto it = values.find(f.currency_field);
    return it != values.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Title(const records::EntityDef& def, const Json& values) {
    std::string title;
    for (const auto& name : def.title_fields) {
        auto it = values.find(name);
        if (it != values.end() && it->is_string()) {
            title += (title.empty() ? "" : " ") + it->get<std::string>();
        }
    }
    return title;
}

std::string Body(const records::EntityDef& def, const Json& values) {
    std::string body;
    for (const records::FieldDef& f : def.fields) {
        if (!f.searchable || f.custom) {
            continue;
        }
        const Json& v = ValueOf(f, values);
        if (!v.is_string()) {
            continue;
        }
        const std::string& text = v.get_ref<const std::string&>();
        body += text + " ";
        if (f.type == records::FieldType::kPhone) {
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

// v.dump(), without a serializer per value for the common cases: text that needs no escaping
// (nlohmann writes valid UTF-8 as is) and integers.
std::string Dump(const Json& v) {
    if (v.is_string()) {
        const std::string& text = v.get_ref<const std::string&>();
        const bool plain = std::none_of(text.begin(), text.end(), [](char c) {
            return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
        });
        if (plain && core::IsValidUtf8(text)) {
            std::string out;
            out.reserve(text.size() + 2);
            out += '"';
            out += text;
            out += '"';
            return out;
        }
    } else if (v.is_number_integer()) {
        return v.is_number_unsigned() ? std::to_string(v.get<uint64_t>())
                                      : std::to_string(v.get<int64_t>());
    }
    return v.dump();
}

// The engine's create event, {field: {"from": null, "to": value}} for non-null built-in fields,
// as nlohmann would dump it (keys in byte order), without building the object.
std::string CreateChanges(const records::EntityDef& def, const Json& values) {
    std::vector<std::pair<std::string_view, std::string>> parts;
    for (const records::FieldDef& f : def.fields) {
        const Json& v = ValueOf(f, values);
        if (!f.custom && !v.is_null()) {
            parts.emplace_back(f.name, Dump(v));
        }
    }
    std::sort(parts.begin(), parts.end());
    std::string out = "{";
    for (const auto& [name, dumped] : parts) {
        out += (out.size() > 1 ? ",\"" : "\"");
        out += name;
        out += "\":{\"from\":null,\"to\":";
        out += dumped;
        out += "}";
    }
    return out + "}";
}

// "($first, ..., $first+count-1)": one row of a VALUES list.
std::string Placeholders(size_t first, size_t count) {
    return "(" + storage::Placeholders(first, count) + ")";
}

// Inserts `rows` rows of `per_row` values, filled by fill(row, params), with as few distinct
// statements as possible: chunks of a power of two rows, so every statement text recurs and
// stays in the driver's prepared-statement cache (preparing thousands of numbered parameters
// is slow in SQLite). The parameter vector is reused between chunks.
template <class Fill>
core::Status InsertRows(
    storage::Connection& tx, const std::string& head, size_t per_row, size_t rows, Fill&& fill
) {
    constexpr size_t kMaxParams = 2000;
    size_t chunk = 1;
    while (chunk * 2 * per_row <= kMaxParams && chunk < 256) {
        chunk *= 2;
    }
    std::vector<storage::Value> params;
    params.reserve(chunk * per_row);
    size_t done = 0;
    while (done < rows) {
        size_t n = chunk;
        while (n > rows - done) {
            n /= 2;
        }
        std::string sql = head + " VALUES ";
        params.clear();
        for (size_t r = 0; r < n; ++r) {
            sql += (r ? ", " : "") + Placeholders(r * per_row + 1, per_row);
            VK_RETURN_IF_ERROR(fill(done + r, params));
        }
        auto inserted = tx.Execute(sql, params);
        if (!inserted) {
            return std::move(inserted).error();
        }
        done += n;
    }
    return core::Ok();
}

constexpr size_t kEventColumns = 8;

core::Status Run(
    storage::Connection& tx, const std::string& sql, const std::vector<storage::Value>& params
) {
    auto done = tx.Execute(sql, params);
    return done ? core::Ok() : core::Status(std::move(done).error());
}

// PostgreSQL: many rows per statement, one round trip each.
core::Status WriteMultiRow(
    storage::Connection& tx,
    const access::RequestContext& ctx,
    const records::EntityDef& def,
    const std::string& insert_record,
    size_t per_row,
    const std::string& insert_event,
    const std::vector<PreparedRecord>& records
) {
    VK_RETURN_IF_ERROR(InsertRows(
        tx,
        insert_record,
        per_row,
        records.size(),
        [&](size_t i, std::vector<storage::Value>& params) -> core::Status {
            params.insert(params.end(), records[i].row.begin(), records[i].row.end());
            return core::Ok();
        }
    ));
    std::vector<const std::vector<storage::Value>*> events;
    for (const PreparedRecord& r : records) {
        for (const auto& event : r.events) {
            events.push_back(&event);
        }
    }
    VK_RETURN_IF_ERROR(InsertRows(
        tx,
        insert_event,
        kEventColumns,
        events.size(),
        [&](size_t i, std::vector<storage::Value>& params) -> core::Status {
            params.insert(params.end(), events[i]->begin(), events[i]->end());
            return core::Ok();
        }
    ));
    return InsertRows(
        tx,
        "INSERT INTO search_docs (tenant_id, entity, record_id, title, owner_id, body)",
        6,
        records.size(),
        [&](size_t i, std::vector<storage::Value>& params) -> core::Status {
            const PreparedRecord& p = records[i];
            params.insert(
                params.end(),
                {ctx.tenant_id, def.name, p.id, p.title, p.owner_id, core::FoldCase(p.search_text)}
            );
            return core::Ok();
        }
    );
}

}  // namespace

BulkWriter::BulkWriter(
    storage::Connection& tx,
    const access::RequestContext& ctx,
    const records::EntityDef& def,
    bool run_hooks,
    size_t rows_per_flush
)
    : tx_(tx), ctx_(ctx), def_(def), run_hooks_(run_hooks), rows_per_flush_(rows_per_flush) {}

core::Result<PreparedRecord> BulkWriter::Prepare(
    storage::Connection& c,
    const access::RequestContext& ctx,
    const records::EntityDef& def,
    bool run_hooks,
    const std::string& id,
    Json values,
    int64_t created_at,
    std::vector<BulkEvent> updates
) {
    if (def.has_owner && ValueOf(*def.Field("owner_id"), values).is_null()) {
        values["owner_id"] = ctx.user_id;
    }
    if (run_hooks) {
        values["custom"] = Json::object();
        for (const records::WriteHook& hook : def.before_write) {
            records::WriteHookArgs args{c, ctx, def, nullptr, values};
            VK_RETURN_IF_ERROR(hook(args));
        }
    }
    PreparedRecord out;
    out.id = id;
    const storage::Value actor =
        ctx.user_id.empty() ? storage::Value(nullptr) : storage::Value(ctx.user_id);
    auto add_event = [&](int64_t at, std::string action, std::string changes) {
        out.events.push_back(
            {ctx.tenant_id,
             def.name,
             id,
             static_cast<int64_t>(out.events.size() + 1),
             std::move(action),
             actor,
             at,
             std::move(changes)}
        );
    };
    out.events.reserve(updates.size() + 1);
    add_event(created_at, "create", CreateChanges(def, values));
    int64_t updated_at = created_at;
    for (BulkEvent& update : updates) {
        for (const auto& [field, change] : update.changes.items()) {
            values[field] = change.value("to", Json(nullptr));
        }
        add_event(update.at, std::move(update.action), update.changes.dump());
        updated_at = update.at;
    }
    out.row.reserve(kSystemColumns + def.fields.size() + 1);
    out.row.emplace_back(ctx.tenant_id);
    out.row.emplace_back(id);
    out.row.emplace_back(static_cast<int64_t>(out.events.size()));
    out.row.emplace_back(created_at);
    out.row.emplace_back(updated_at);
    out.row.push_back(actor);
    out.row.push_back(actor);
    for (const records::FieldDef& f : def.fields) {
        if (f.custom) {
            continue;
        }
        VK_ASSIGN_OR_RETURN(
            storage::Value stored, records::ToStorage(f, ValueOf(f, values), CurrencyOf(f, values))
        );
        out.row.push_back(std::move(stored));
    }
    out.row.emplace_back(std::string("{}"));
    out.title = Title(def, values);
    out.search_text = out.title + " " + Body(def, values);
    auto owner = values.find("owner_id");
    out.owner_id = owner != values.end() && owner->is_string()
                       ? storage::Value(owner->get<std::string>())
                       : storage::Value(nullptr);
    return out;
}

core::Status BulkWriter::Write(
    storage::Connection& tx,
    const access::RequestContext& ctx,
    const records::EntityDef& def,
    std::vector<PreparedRecord> records
) {
    if (records.empty()) {
        return core::Ok();
    }
    std::string columns = "tenant_id, id, version, created_at, updated_at, created_by, updated_by";
    size_t per_row = kSystemColumns;
    for (const records::FieldDef& f : def.fields) {
        if (!f.custom) {
            columns += ", " + f.name;
            ++per_row;
        }
    }
    columns += ", custom";
    ++per_row;
    for (const PreparedRecord& r : records) {
        if (r.row.size() != per_row) {
            return core::Error::Internal("bulk row of " + def.name + " has the wrong width");
        }
    }
    const std::string insert_record = "INSERT INTO " + def.name + " (" + columns + ")";
    const std::string insert_event =
        "INSERT INTO events (tenant_id, entity, record_id, version, action, actor_id, at, changes)";
    if (tx.dialect() != storage::Dialect::kSqlite) {
        return WriteMultiRow(tx, ctx, def, insert_record, per_row, insert_event, records);
    }
    const std::string record_sql = insert_record + " VALUES " + Placeholders(1, per_row);
    for (const PreparedRecord& r : records) {
        VK_RETURN_IF_ERROR(Run(tx, record_sql, r.row));
    }
    const std::string event_sql = insert_event + " VALUES " + Placeholders(1, kEventColumns);
    for (const PreparedRecord& r : records) {
        for (const std::vector<storage::Value>& event : r.events) {
            VK_RETURN_IF_ERROR(Run(tx, event_sql, event));
        }
    }
    // FTS5 rows share their rowid with search_docs, so ids are assigned here.
    VK_ASSIGN_OR_RETURN(
        storage::Rows max, tx.Query("SELECT COALESCE(MAX(doc_id), 0) FROM search_docs")
    );
    int64_t doc_id = storage::AsInt(max.rows[0][0]);
    const int64_t first_doc = doc_id + 1;
    std::vector<storage::Value> doc(6);
    doc[1] = ctx.tenant_id;
    doc[2] = def.name;
    for (PreparedRecord& r : records) {
        doc[0] = ++doc_id;
        doc[3] = std::move(r.id);
        doc[4] = std::move(r.title);
        doc[5] = std::move(r.owner_id);
        VK_RETURN_IF_ERROR(
            Run(tx,
                "INSERT INTO search_docs (doc_id, tenant_id, entity, record_id, title, owner_id) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                doc)
        );
    }
    std::vector<storage::Value> fts(3);
    fts[1] = "t" + std::to_string(ctx.tenant_id);
    // The search index keys documents by the negated doc_id; FTS5 flushes its pending terms to a
    // new segment whenever a rowid is lower than the last one, so the batch goes in newest first.
    doc_id = first_doc + static_cast<int64_t>(records.size());
    for (auto r = records.rbegin(); r != records.rend(); ++r) {
        fts[0] = -(--doc_id);
        fts[2] = std::move(r->search_text);
        VK_RETURN_IF_ERROR(
            Run(tx, "INSERT INTO search_fts (rowid, tenant_key, body) VALUES ($1, $2, $3)", fts)
        );
    }
    return core::Ok();
}

core::Result<std::vector<std::string>> BulkWriter::DropSecondaryIndexes(
    storage::Connection& tx, const std::string& table
) {
    std::vector<std::string> create;
    if (tx.dialect() != storage::Dialect::kSqlite) {
        return create;
    }
    // sql IS NULL: the indexes behind PRIMARY KEY and UNIQUE constraints, which stay.
    VK_ASSIGN_OR_RETURN(
        storage::Rows indexes,
        tx.Query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 "
            "AND sql IS NOT NULL ORDER BY name",
            {table}
        )
    );
    for (const auto& row : indexes.rows) {
        VK_RETURN_IF_ERROR(tx.ExecuteScript("DROP INDEX \"" + storage::AsText(row[0]) + "\""));
        create.push_back(storage::AsText(row[1]));
    }
    return create;
}

core::Status BulkWriter::Add(
    const std::string& id, Json values, int64_t created_at, std::vector<BulkEvent> updates
) {
    VK_ASSIGN_OR_RETURN(
        PreparedRecord prepared,
        Prepare(tx_, ctx_, def_, run_hooks_, id, std::move(values), created_at, std::move(updates))
    );
    pending_.push_back(std::move(prepared));
    if (pending_.size() >= rows_per_flush_) {
        return Flush();
    }
    return core::Ok();
}

core::Status BulkWriter::Flush() {
    std::vector<PreparedRecord> batch;
    batch.swap(pending_);
    return Write(tx_, ctx_, def_, std::move(batch));
}

}  // namespace voronka::sales
