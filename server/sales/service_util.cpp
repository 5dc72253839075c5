// Cursor-following lists and error renaming for composite sales operations.
#include "sales/service_util.hpp"

#include "access/permissions.hpp"

namespace voronka::sales::internal {

core::Result<std::vector<core::Json>> ListAll(
    records::RecordService& records,
    storage::Connection& c,
    const access::RequestContext& ctx,
    const std::string& entity,
    std::vector<records::FilterTerm> filters,
    const std::string& sort,
    size_t cap
) {
    records::ListQuery query;
    query.filters = std::move(filters);
    query.sort = sort;
    query.limit = 500;
    std::vector<core::Json> out;
    while (out.size() < cap) {
        VK_ASSIGN_OR_RETURN(records::ListPage page, records.List(c, ctx, entity, query));
        for (auto& item : page.data) {
            out.push_back(std::move(item));
        }
        if (!page.next_cursor) {
            break;
        }
        query.cursor = *page.next_cursor;
    }
    return out;
}

core::Error PrefixFields(core::Error error, const std::string& prefix) {
    for (auto& f : error.fields) {
        f.field = prefix + f.field;
    }
    return error;
}

void HideFields(
    const records::RecordService& records,
    const access::RequestContext& ctx,
    const std::string& entity,
    core::Json& body
) {
    if (!ctx.permissions || !body.is_object()) {
        return;
    }
    const auto& hidden = ctx.permissions->For(entity).hidden_fields;
    if (const records::EntityDef* def = records.registry().Find(entity)) {
        records::EraseHiddenFields(*def, hidden, body);
    } else {
        for (const auto& name : hidden) {
            body.erase(name);
        }
    }
}

bool FieldVisible(
    const records::RecordService& records,
    const access::RequestContext& ctx,
    const std::string& entity,
    std::string_view field
) {
    if (!ctx.permissions) {
        return true;
    }
    const auto& hidden = ctx.permissions->For(entity).hidden_fields;
    const records::EntityDef* def = records.registry().Find(entity);
    return def ? records::IsVisibleField(*def, field, hidden)
               : !hidden.contains(std::string(field));
}

}  // namespace voronka::sales::internal
