// Multi-row inserts of records, events and search documents in the record engine's shapes.
// The search title/body rules mirror records/search_index.cpp; keep the two in step.
#include "sales/bulk_writer.hpp"

#include "core/text.hpp"
#include "records/field_codec.hpp"

namespace voronka::sales {

using core::Json;

namespace {

Json ValueOf(const records::FieldDef& f, const Json& values) {
    auto it = values.find(f.name);
    return it == values.end() ? Json(nullptr) : *it;
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
        const Json v = ValueOf(f, values);
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

std::string Placeholders(size_t first, size_t count) {
    std::string out = "(";
    for (size_t i = 0; i < count; ++i) {
        out += (i ? ", $" : "$") + std::to_string(first + i);
    }
    return out + ")";
}

core::Status Exec(
    storage::Connection& tx, const std::string& sql, const std::vector<storage::Value>& params
) {
    auto r = tx.Execute(sql, params);
    return r ? core::Ok() : core::Status(std::move(r).error());
}

}  // namespace

BulkWriter::BulkWriter(
    storage::Connection& tx,
    const access::RequestContext& ctx,
    const records::EntityDef& def,
    bool run_hooks,
    size_t rows_per_statement
)
    : tx_(tx),
      ctx_(ctx),
      def_(def),
      run_hooks_(run_hooks),
      rows_per_statement_(rows_per_statement) {}

Json BulkWriter::CreateChanges(const records::EntityDef& def, const Json& values) {
    Json changes = Json::object();
    for (const records::FieldDef& f : def.fields) {
        if (f.custom) {
            continue;
        }
        Json to = ValueOf(f, values);
        if (!to.is_null()) {
            changes[f.name] = {{"from", nullptr}, {"to", std::move(to)}};
        }
    }
    return changes;
}

core::Status BulkWriter::Add(
    const std::string& id, Json values, int64_t created_at, std::vector<BulkEvent> updates
) {
    if (run_hooks_) {
        // The engine's starting point: every built-in field present, custom fields empty.
        for (const records::FieldDef& f : def_.fields) {
            if (!f.custom && !values.contains(f.name)) {
                values[f.name] = nullptr;
            }
        }
        values["custom"] = Json::object();
        if (def_.has_owner && values["owner_id"].is_null()) {
            values["owner_id"] = ctx_.user_id;
        }
        for (const records::WriteHook& hook : def_.before_write) {
            records::WriteHookArgs args{tx_, ctx_, def_, nullptr, values};
            VK_RETURN_IF_ERROR(hook(args));
        }
    }
    std::vector<BulkEvent> events;
    events.reserve(updates.size() + 1);
    events.push_back({created_at, "create", CreateChanges(def_, values)});
    for (BulkEvent& update : updates) {
        for (const auto& [field, change] : update.changes.items()) {
            values[field] = change.value("to", Json(nullptr));
        }
        events.push_back(std::move(update));
    }
    pending_.push_back({id, std::move(values), std::move(events)});
    if (pending_.size() >= rows_per_statement_) {
        return Flush();
    }
    return core::Ok();
}

core::Status BulkWriter::Flush() {
    if (pending_.empty()) {
        return core::Ok();
    }
    VK_RETURN_IF_ERROR(FlushRows());
    VK_RETURN_IF_ERROR(FlushEvents());
    VK_RETURN_IF_ERROR(FlushSearch());
    pending_.clear();
    return core::Ok();
}

core::Status BulkWriter::FlushRows() {
    std::string columns = "tenant_id, id, version, created_at, updated_at, created_by, updated_by";
    size_t per_row = 7;
    for (const records::FieldDef& f : def_.fields) {
        if (!f.custom) {
            columns += ", " + f.name;
            ++per_row;
        }
    }
    columns += ", custom";
    ++per_row;
    std::vector<storage::Value> params;
    params.reserve(per_row * pending_.size());
    std::string rows;
    for (const Pending& p : pending_) {
        rows += (rows.empty() ? "" : ", ") + Placeholders(params.size() + 1, per_row);
        const storage::Value actor =
            ctx_.user_id.empty() ? storage::Value(nullptr) : storage::Value(ctx_.user_id);
        params.emplace_back(ctx_.tenant_id);
        params.emplace_back(p.id);
        params.emplace_back(static_cast<int64_t>(p.events.size()));
        params.emplace_back(p.events.front().at);
        params.emplace_back(p.events.back().at);
        params.push_back(actor);
        params.push_back(actor);
        for (const records::FieldDef& f : def_.fields) {
            if (f.custom) {
                continue;
            }
            VK_ASSIGN_OR_RETURN(
                storage::Value stored,
                records::ToStorage(f, ValueOf(f, p.values), CurrencyOf(f, p.values))
            );
            params.push_back(std::move(stored));
        }
        params.emplace_back(std::string("{}"));
    }
    return Exec(tx_, "INSERT INTO " + def_.name + " (" + columns + ") VALUES " + rows, params);
}

core::Status BulkWriter::FlushEvents() {
    std::vector<storage::Value> params;
    std::string rows;
    size_t count = 0;
    auto flush = [&]() -> core::Status {
        if (rows.empty()) {
            return core::Ok();
        }
        VK_RETURN_IF_ERROR(Exec(
            tx_,
            "INSERT INTO events (tenant_id, entity, record_id, version, action, actor_id, at, "
            "changes) "
            "VALUES " +
                rows,
            params
        ));
        params.clear();
        rows.clear();
        count = 0;
        return core::Ok();
    };
    for (const Pending& p : pending_) {
        for (size_t v = 0; v < p.events.size(); ++v) {
            const BulkEvent& e = p.events[v];
            rows += (rows.empty() ? "" : ", ") + Placeholders(params.size() + 1, 8);
            params.emplace_back(ctx_.tenant_id);
            params.emplace_back(def_.name);
            params.emplace_back(p.id);
            params.emplace_back(static_cast<int64_t>(v + 1));
            params.emplace_back(e.action);
            params.emplace_back(
                ctx_.user_id.empty() ? storage::Value(nullptr) : storage::Value(ctx_.user_id)
            );
            params.emplace_back(e.at);
            params.emplace_back(e.changes.dump());
            if (++count >= rows_per_statement_ * 2) {
                VK_RETURN_IF_ERROR(flush());
            }
        }
    }
    return flush();
}

core::Status BulkWriter::FlushSearch() {
    const bool sqlite = tx_.dialect() == storage::Dialect::kSqlite;
    int64_t next_doc = 0;
    if (sqlite) {
        // FTS5 rows share their rowid with search_docs, so ids are assigned here.
        VK_ASSIGN_OR_RETURN(
            storage::Rows max, tx_.Query("SELECT COALESCE(MAX(doc_id), 0) FROM search_docs")
        );
        next_doc = storage::AsInt(max.rows[0][0]) + 1;
    }
    std::vector<storage::Value> docs;
    std::vector<storage::Value> fts;
    std::string doc_rows;
    std::string fts_rows;
    const std::string tenant_key = "t" + std::to_string(ctx_.tenant_id);
    for (const Pending& p : pending_) {
        const std::string title = Title(def_, p.values);
        const std::string text = title + " " + Body(def_, p.values);
        auto owner = p.values.find("owner_id");
        const storage::Value owner_id = owner != p.values.end() && owner->is_string()
                                            ? storage::Value(owner->get<std::string>())
                                            : storage::Value(nullptr);
        if (sqlite) {
            doc_rows += (doc_rows.empty() ? "" : ", ") + Placeholders(docs.size() + 1, 6);
            docs.insert(docs.end(), {next_doc, ctx_.tenant_id, def_.name, p.id, title, owner_id});
            fts_rows += (fts_rows.empty() ? "" : ", ") + Placeholders(fts.size() + 1, 3);
            fts.insert(fts.end(), {next_doc, tenant_key, text});
            ++next_doc;
        } else {
            doc_rows += (doc_rows.empty() ? "" : ", ") + Placeholders(docs.size() + 1, 6);
            docs.insert(
                docs.end(), {ctx_.tenant_id, def_.name, p.id, title, owner_id, core::FoldCase(text)}
            );
        }
    }
    if (sqlite) {
        VK_RETURN_IF_ERROR(Exec(
            tx_,
            "INSERT INTO search_docs (doc_id, tenant_id, entity, record_id, title, owner_id) "
            "VALUES " +
                doc_rows,
            docs
        ));
        return Exec(
            tx_, "INSERT INTO search_fts (rowid, tenant_key, body) VALUES " + fts_rows, fts
        );
    }
    return Exec(
        tx_,
        "INSERT INTO search_docs (tenant_id, entity, record_id, title, owner_id, body) VALUES " +
            doc_rows,
        docs
    );
}

}  // namespace voronka::sales
