// Saved list views: metadata plus the shape checks of the JSON fields and one default per list.
#include "records/list_view_entity.hpp"

#include <string>

namespace voronka::records {

using core::Error;

namespace {

constexpr size_t kMaxFilters = 20;
constexpr size_t kMaxColumns = 60;

// `filters` holds the list's query parameters: {"filter[status]": "new", ...}; `columns` the
// field names shown. Checked here so a stored view always replays as a valid list request.
Status CheckShape(const Json& v) {
    std::vector<core::FieldError> errors;
    if (auto f = v.find("filters"); f != v.end() && !f->is_null()) {
        if (!f->is_object() || f->size() > kMaxFilters) {
            errors.push_back({"filters", "must be an object of at most 20 filter parameters"});
        } else {
            for (const auto& [key, value] : f->items()) {
                if (!key.starts_with("filter[") || key.size() > 200 || !value.is_string() ||
                    value.get<std::string>().size() > 1000) {
                    errors.push_back(
                        {"filters." + key.substr(0, 200),
                         "must be a filter[...] parameter with a text value"}
                    );
                }
            }
        }
    }
    if (auto c = v.find("columns"); c != v.end() && !c->is_null()) {
        bool ok = c->is_array() && c->size() <= kMaxColumns;
        for (size_t i = 0; ok && i < c->size(); ++i) {
            ok = (*c)[i].is_string() && IsIdentifier((*c)[i].get<std::string>());
        }
        if (!ok) {
            errors.push_back({"columns", "must be a list of at most 60 field names"});
        }
    }
    if (!errors.empty()) {
        return Error::Invalid("Validation failed", std::move(errors));
    }
    return core::Ok();
}

WriteHook ListViewHook() {
    return [](WriteHookArgs& a) -> Status {
        Json& v = a.values;
        if (v["visibility"].is_null()) {
            v["visibility"] = "private";
        }
        if (v["is_default"].is_null()) {
            v["is_default"] = false;
        }
        VK_RETURN_IF_ERROR(CheckShape(v));
        if (!v["is_default"].get<bool>()) {
            return core::Ok();
        }
        // One default view per owner and list: the one the list opens with.
        const std::string id = a.before ? (*a.before)["id"].get<std::string>() : std::string();
        VK_ASSIGN_OR_RETURN(
            storage::Rows others,
            a.tx.Query(
                "SELECT id FROM list_views WHERE tenant_id = $1 AND owner_id = $2 AND entity = $3 "
                "AND is_default = 1 AND deleted_at IS NULL AND id <> $4",
                {a.ctx.tenant_id,
                 v["owner_id"].is_string() ? v["owner_id"].get<std::string>() : "",
                 v["entity"].is_string() ? v["entity"].get<std::string>() : "",
                 id}
            )
        );
        if (!others.empty()) {
            return Error::Conflict(
                "Another view of this list is already the default",
                {{"is_default", "another view of this list is already the default"}}
            );
        }
        return core::Ok();
    };
}

}  // namespace

EntityDef ListViewEntity() {
    EntityDef e;
    e.name = "list_views";
    e.label = "Saved views";
    e.title_fields = {"name"};
    e.default_sort = "name";
    e.personal = true;
    e.fields = {
        {.name = "entity",
         .type = FieldType::kEnum,
         .label = "List",
         .required = true,
         .options = {"deals", "leads", "contacts", "companies", "activities", "products"}},
        {.name = "name",
         .type = FieldType::kText,
         .label = "Name",
         .required = true,
         .max_length = 100},
        {.name = "filters", .type = FieldType::kJson, .label = "Filters"},
        {.name = "sort", .type = FieldType::kText, .label = "Sort", .max_length = 100},
        {.name = "columns", .type = FieldType::kJson, .label = "Columns"},
        {.name = "visibility",
         .type = FieldType::kEnum,
         .label = "Visible to",
         .options = {"private", "team"}},
        {.name = "is_default", .type = FieldType::kBool, .label = "Default"},
        {.name = "owner_id", .type = FieldType::kUser, .label = "Owner"},
    };
    e.before_write = {ListViewHook()};
    return e;
}

}  // namespace voronka::records
