// Tenant metadata: built-in entity definitions overlaid with custom fields added at run time.
#include "core/text.hpp"
#include "records/record_service.hpp"
#include "storage/dialect.hpp"

namespace voronka::records {

using core::Error;

namespace {

constexpr size_t kMaxCustomFields = 200;

bool AllowedForCustom(FieldType t) {
    return t != FieldType::kReference && t != FieldType::kUser && t != FieldType::kMoney &&
           t != FieldType::kCurrency;
}

}  // namespace

Result<std::shared_ptr<const EntityDef>> RecordService::Meta(
    Connection& c, const RequestContext& ctx, std::string_view entity
) {
    const EntityDef* builtin = registry_.Find(entity);
    if (!builtin || ctx.tenant_id <= 0) {
        return Error::NotFound("Unknown entity '" + std::string(entity) + "'");
    }
    const auto key = std::make_pair(ctx.tenant_id, std::string(entity));
    {
        std::lock_guard lock(cache_mutex_);
        auto it = cache_.find(key);
        if (it != cache_.end() && it->second.meta_version == ctx.meta_version) {
            return it->second.def;
        }
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        c.Query(
            "SELECT name, type, label, options, required FROM custom_fields "
            "WHERE tenant_id = $1 AND entity = $2 ORDER BY created_at, name",
            {ctx.tenant_id, std::string(entity)}
        )
    );
    auto def = std::make_shared<EntityDef>(*builtin);
    for (const auto& row : rows.rows) {
        FieldDef f;
        f.name = storage::AsText(row[0]);
        f.type = ParseFieldType(storage::AsText(row[1])).value_or(FieldType::kText);
        f.label = storage::AsText(row[2]);
        Json options = Json::parse(storage::AsText(row[3]), nullptr, false);
        if (options.is_array()) {
            for (const auto& o : options) {
                if (o.is_string()) {
                    f.options.push_back(o.get<std::string>());
                }
            }
        }
        f.required = storage::AsInt(row[4]) != 0;
        f.custom = true;
        f.searchable = f.type == FieldType::kText || f.type == FieldType::kEmail ||
                       f.type == FieldType::kPhone;
        def->fields.push_back(std::move(f));
    }
    std::lock_guard lock(cache_mutex_);
    cache_[key] = {ctx.meta_version, def};
    return std::shared_ptr<const EntityDef>(def);
}

Result<Json> RecordService::AddCustomField(
    Connection& tx, const RequestContext& ctx, std::string_view entity, const Json& input
) {
    if (!ctx.permissions || !ctx.permissions->manage_metadata) {
        return Error::Forbidden("Only administrators can add fields");
    }
    VK_ASSIGN_OR_RETURN(auto def, Meta(tx, ctx, entity));
    if (!input.is_object()) {
        return Error::Invalid("The request body must be a JSON object");
    }
    std::vector<core::FieldError> errors;
    const std::string name =
        input.value("name", Json()).is_string() ? input["name"].get<std::string>() : "";
    if (!IsIdentifier(name)) {
        errors.push_back({"name", "must match [a-z][a-z0-9_]* (at most 63 characters)"});
    } else if (def->Field(name) || IsSystemField(name) || name.ends_with("_e164")) {
        errors.push_back({"name", "is already a field of " + def->name});
    }
    std::optional<FieldType> type;
    if (input.contains("type") && input["type"].is_string()) {
        type = ParseFieldType(input["type"].get<std::string>());
    }
    if (!type || !AllowedForCustom(*type)) {
        errors.push_back(
            {"type",
             "must be one of text, email, phone, url, integer, number, bool, date, datetime, enum, "
             "multi_enum, json"}
        );
    }
    std::string label = input.contains("label") && input["label"].is_string()
                            ? core::Trim(input["label"].get<std::string>())
                            : "";
    if (label.empty() || label.size() > 200 || !core::IsValidUtf8(label)) {
        errors.push_back({"label", "is required (1 to 200 bytes)"});
    }
    Json options = Json::array();
    if (input.contains("options") && !input["options"].is_null()) {
        if (!input["options"].is_array() || input["options"].size() > 200) {
            errors.push_back({"options", "must be an array of up to 200 strings"});
        } else {
            for (const auto& o : input["options"]) {
                if (!o.is_string() || o.get<std::string>().empty() ||
                    o.get<std::string>().size() > 200 || !core::IsValidUtf8(o.get<std::string>())) {
                    errors.push_back({"options", "must be an array of up to 200 strings"});
                    break;
                }
                options.push_back(core::NormalizeNfc(o.get<std::string>()));
            }
        }
    }
    if (type && (*type == FieldType::kEnum || *type == FieldType::kMultiEnum) && options.empty()) {
        errors.push_back({"options", "an enum needs at least one option"});
    }
    bool required = false;
    if (input.contains("required")) {
        if (!input["required"].is_boolean()) {
            errors.push_back({"required", "must be true or false"});
        } else {
            required = input["required"].get<bool>();
        }
    }
    for (const auto& [key, value] : input.items()) {
        if (key != "name" && key != "type" && key != "label" && key != "options" &&
            key != "required") {
            errors.push_back({key, "is not a property of a field"});
        }
    }
    size_t custom_count = 0;
    for (const auto& f : def->fields) {
        custom_count += f.custom ? 1 : 0;
    }
    if (custom_count >= kMaxCustomFields) {
        errors.push_back({"name", "this entity already has the maximum number of custom fields"});
    }
    if (!errors.empty()) {
        return Error::Invalid("Invalid field definition", std::move(errors));
    }
    VK_RETURN_IF_ERROR(
        tx.Execute(
              "INSERT INTO custom_fields (tenant_id, entity, name, type, label, options, required, "
              "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
              {ctx.tenant_id,
               def->name,
               name,
               std::string(FieldTypeName(*type)),
               label,
               options.dump(),
               int64_t{required ? 1 : 0},
               clock_.NowMicros()}
        )
                .has_value()
            ? core::Ok()
            : Status(Error::Conflict(
                  "A field with this name already exists", {{"name", "already exists"}}
              ))
    );
    VK_RETURN_IF_ERROR(
        tx.Execute(
              "UPDATE tenants SET meta_version = meta_version + 1 WHERE id = $1", {ctx.tenant_id}
        )
                .has_value()
            ? core::Ok()
            : Status(Error::Internal("meta_version bump failed"))
    );
    // One expression index per (entity, field name, kind) serves every tenant that has it, so
    // filters and sorts on custom fields stay indexed without a restart.
    const bool numeric = *type == FieldType::kInteger || *type == FieldType::kNumber ||
                         *type == FieldType::kDateTime;
    const std::string expr = *type == FieldType::kBool
                                 ? storage::JsonBool(tx.dialect(), "custom", name)
                             : numeric ? storage::JsonNumber(tx.dialect(), "custom", name)
                                       : storage::JsonText(tx.dialect(), "custom", name);
    const std::string index =
        "cf_" + def->name + "_" + name + "_" + std::string(numeric ? "n" : "t");
    VK_RETURN_IF_ERROR(tx.ExecuteScript(
        "CREATE INDEX IF NOT EXISTS " + index + " ON " + def->name + " (tenant_id, (" + expr + "))"
    ));
    {
        std::lock_guard lock(cache_mutex_);
        cache_.erase({ctx.tenant_id, def->name});
    }
    return Json{
        {"name", name},
        {"type", FieldTypeName(*type)},
        {"label", label},
        {"options", options},
        {"required", required},
        {"custom", true},
    };
}

Json RecordService::Describe(const EntityDef& def) {
    Json fields = Json::array();
    for (const FieldDef& f : def.fields) {
        Json field = {
            {"name", f.name},
            {"type", FieldTypeName(f.type)},
            {"label", f.label.empty() ? f.name : f.label},
            {"required", f.required},
            {"read_only", f.read_only},
            {"custom", f.custom},
        };
        if (!f.options.empty()) {
            field["options"] = f.options;
        }
        if (!f.ref_entity.empty()) {
            field["ref_entity"] = f.ref_entity;
        }
        if (!f.currency_field.empty()) {
            field["currency_field"] = f.currency_field;
        }
        fields.push_back(std::move(field));
    }
    return Json{
        {"name", def.name},
        {"label", def.label},
        {"fields", std::move(fields)},
        {"title_fields", def.title_fields}};
}

std::shared_ptr<const EntityDef> RecordService::ViewFor(
    const RequestContext& ctx, std::shared_ptr<const EntityDef> def
) {
    if (!ctx.permissions) {
        return def;
    }
    const access::EntityRights& rights = ctx.permissions->For(def->name);
    if (rights.hidden_fields.empty() && rights.read_only_fields.empty()) {
        return def;
    }
    auto view = std::make_shared<EntityDef>(*def);
    std::erase_if(view->fields, [&](const FieldDef& f) {
        return IsHiddenBy(f, rights.hidden_fields);
    });
    for (FieldDef& f : view->fields) {
        f.read_only = f.read_only || rights.read_only_fields.contains(f.name);
    }
    std::erase_if(view->title_fields, [&](const std::string& name) {
        return rights.hidden_fields.contains(name);
    });
    return view;
}

Result<access::FieldCatalog> RecordService::FieldCatalog(Connection& c, const RequestContext& ctx) {
    access::FieldCatalog catalog;
    for (const EntityDef* builtin : registry_.All()) {
        VK_ASSIGN_OR_RETURN(auto def, Meta(c, ctx, builtin->name));
        auto& fields = catalog[def->name];
        for (const FieldDef& f : def->fields) {
            fields.insert(f.name);
        }
    }
    return catalog;
}

Status RecordService::PurgeTenant(Connection& tx, int64_t tenant_id) {
    for (const EntityDef* def : registry_.All()) {
        VK_RETURN_IF_ERROR(
            tx.Execute("DELETE FROM " + def->name + " WHERE tenant_id = $1", {tenant_id})
                    .has_value()
                ? core::Ok()
                : Status(Error::Internal("purge failed"))
        );
    }
    for (const char* table : {"events", "idempotency_keys", "audit_log"}) {
        VK_RETURN_IF_ERROR(
            tx.Execute(std::string("DELETE FROM ") + table + " WHERE tenant_id = $1", {tenant_id})
                    .has_value()
                ? core::Ok()
                : Status(Error::Internal("purge failed"))
        );
    }
    if (tx.dialect() == storage::Dialect::kSqlite) {
        // Documents indexed earlier in this commit are not in search_fts yet: forget them.
        VK_ASSIGN_OR_RETURN(
            storage::Rows docs,
            tx.Query("SELECT doc_id FROM search_docs WHERE tenant_id = $1", {tenant_id})
        );
        for (const auto& row : docs.rows) {
            tx.DropBeforeCommit(-storage::AsInt(row[0]));
        }
        VK_RETURN_IF_ERROR(
            tx.Execute(
                  "DELETE FROM search_fts WHERE rowid IN (SELECT -doc_id FROM search_docs WHERE "
                  "tenant_id = $1)",
                  {tenant_id}
            )
                    .has_value()
                ? core::Ok()
                : Status(Error::Internal("purge failed"))
        );
    }
    auto docs = tx.Execute("DELETE FROM search_docs WHERE tenant_id = $1", {tenant_id});
    return docs ? core::Ok() : Status(std::move(docs).error());
}

}  // namespace voronka::records
