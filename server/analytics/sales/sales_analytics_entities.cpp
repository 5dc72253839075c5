// Metadata and write hooks of sales plans, campaign costs and saved reports.
#include "analytics/sales/sales_analytics_entities.hpp"

#include "analytics/sales/analytics_sql.hpp"
#include "analytics/sales/period_rollups.hpp"
#include "core/id.hpp"

namespace voronka::analytics {

using core::Error;
using core::Json;
using records::FieldType;
using records::WriteHookArgs;

namespace {

std::string Str(const Json& body, std::string_view key) {
    auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

core::Status CheckPeriod(const Json& values) {
    if (!ParseMonth(Str(values, "period"))) {
        return Error::InvalidField("period", "must be a month YYYY-MM");
    }
    return core::Ok();
}

core::Status CheckTeam(storage::Connection& tx, int64_t tenant_id, const std::string& team) {
    if (!core::IsIdShaped(team)) {
        return Error::InvalidField("team_id", "refers to a team that does not exist");
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows found,
        tx.Query("SELECT 1 FROM teams WHERE tenant_id = $1 AND id = $2", {tenant_id, team})
    );
    if (found.empty()) {
        return Error::InvalidField("team_id", "refers to a team that does not exist");
    }
    return core::Ok();
}

// Without a currency the amount is in the tenant's default currency.
core::Status DefaultCurrency(WriteHookArgs& a) {
    if (!a.values["currency"].is_null()) {
        return core::Ok();
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        a.tx.Query("SELECT default_currency FROM tenants WHERE id = $1", {a.ctx.tenant_id})
    );
    a.values["currency"] = rows.empty() ? std::string("RUB") : storage::AsText(rows.rows[0][0]);
    return core::Ok();
}

core::Status PlanHook(WriteHookArgs& a) {
    Json& v = a.values;
    VK_RETURN_IF_ERROR(CheckPeriod(v));
    const std::string team = Str(v, "team_id");
    if (!team.empty()) {
        VK_RETURN_IF_ERROR(CheckTeam(a.tx, a.ctx.tenant_id, team));
        // The engine makes the creator the owner of a new record; a team plan has no owner.
        if (!a.before && Str(v, "owner_id") == a.ctx.user_id) {
            v["owner_id"] = nullptr;
        }
        if (!Str(v, "owner_id").empty()) {
            return Error::InvalidField("team_id", "give owner_id or team_id, not both");
        }
    } else if (Str(v, "owner_id").empty()) {
        return Error::InvalidField("owner_id", "give owner_id or team_id");
    }
    if (!v["amount"].is_string() || v["amount"].get<std::string>().starts_with("-")) {
        return Error::InvalidField("amount", "must be a non-negative amount");
    }
    return DefaultCurrency(a);
}

core::Status CostHook(WriteHookArgs& a) {
    VK_RETURN_IF_ERROR(CheckPeriod(a.values));
    if (!a.values["amount"].is_string() || a.values["amount"].get<std::string>().starts_with("-")) {
        return Error::InvalidField("amount", "must be a non-negative amount");
    }
    return DefaultCurrency(a);
}

// [a-z][a-z0-9_.]{0,70}: a field name, "custom." prefix allowed.
bool IsFieldName(std::string_view name) {
    if (name.empty() || name.size() > 71 || name[0] < 'a' || name[0] > 'z') {
        return false;
    }
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) {
            return false;
        }
    }
    return true;
}

// "count" or "sum|avg|min|max:field".
bool IsAggregateName(std::string_view name) {
    if (name == "count") {
        return true;
    }
    const size_t colon = name.find(':');
    const std::string_view op = name.substr(0, colon);
    return colon != std::string_view::npos &&
           (op == "sum" || op == "avg" || op == "min" || op == "max") &&
           IsFieldName(name.substr(colon + 1));
}

core::Status CheckDefinition(const records::EntityRegistry& registry, const Json& d) {
    const std::string field = "definition";
    if (!d.is_object()) {
        return Error::InvalidField(
            field, "must be an object {entity, group_by, aggregate, filters}"
        );
    }
    for (const auto& [key, value] : d.items()) {
        if (key != "entity" && key != "group_by" && key != "aggregate" && key != "filters") {
            return Error::InvalidField(field, "has an unknown key '" + key + "'");
        }
    }
    const std::string entity = Str(d, "entity");
    if (entity.empty() || !registry.Find(entity)) {
        return Error::InvalidField(field, "entity must name an entity");
    }
    auto names = [&](const char* key, size_t min, size_t max, bool (*valid)(std::string_view)
                 ) -> core::Status {
        const Json& list = d.contains(key) ? d[key] : Json::array();
        if (!list.is_array() || list.size() < min || list.size() > max) {
            return Error::InvalidField(
                field,
                std::string(key) + " must be a list of " + std::to_string(min) + " to " +
                    std::to_string(max) + " names"
            );
        }
        for (const Json& item : list) {
            if (!item.is_string() || !valid(item.get<std::string>())) {
                return Error::InvalidField(field, std::string(key) + " holds an invalid name");
            }
        }
        return core::Ok();
    };
    VK_RETURN_IF_ERROR(names("group_by", 0, 2, IsFieldName));
    VK_RETURN_IF_ERROR(names("aggregate", 1, 10, IsAggregateName));
    const Json& filters = d.contains("filters") ? d["filters"] : Json::array();
    if (!filters.is_array() || filters.size() > 20) {
        return Error::InvalidField(field, "filters must be a list of up to 20 {field, op, value}");
    }
    for (const Json& f : filters) {
        if (!f.is_object() || !f.contains("field") || !f["field"].is_string() ||
            (f.contains("op") && !f["op"].is_string()) || !f.contains("value") ||
            !f["value"].is_string()) {
            return Error::InvalidField(
                field, "filters must be a list of {field, op, value} strings"
            );
        }
    }
    return core::Ok();
}

}  // namespace

records::EntityDef SalesPlanEntity() {
    records::EntityDef e;
    e.name = "sales_plans";
    e.label = "Sales plans";
    e.title_fields = {"period"};
    e.all_scope_writes = true;
    e.fields = {
        {.name = "period",
         .type = FieldType::kText,
         .label = "Month (YYYY-MM)",
         .required = true,
         .max_length = 7},
        {.name = "owner_id", .type = FieldType::kUser, .label = "User"},
        {.name = "team_id", .type = FieldType::kText, .label = "Team", .max_length = 64},
        {.name = "amount",
         .type = FieldType::kMoney,
         .label = "Plan",
         .required = true,
         .currency_field = "currency"},
        {.name = "currency", .type = FieldType::kCurrency, .label = "Currency"},
    };
    e.before_write = {PlanHook};
    return e;
}

records::EntityDef CampaignCostEntity(const std::vector<std::string>& sources) {
    records::EntityDef e;
    e.name = "campaign_costs";
    e.label = "Campaign costs";
    e.title_fields = {"source", "campaign", "period"};
    e.has_owner = false;
    e.all_scope_writes = true;
    e.fields = {
        {.name = "source",
         .type = FieldType::kEnum,
         .label = "Source",
         .required = true,
         .options = sources},
        {.name = "campaign", .type = FieldType::kText, .label = "Campaign", .max_length = 200},
        {.name = "period",
         .type = FieldType::kText,
         .label = "Month (YYYY-MM)",
         .required = true,
         .max_length = 7},
        {.name = "amount",
         .type = FieldType::kMoney,
         .label = "Cost",
         .required = true,
         .currency_field = "currency"},
        {.name = "currency", .type = FieldType::kCurrency, .label = "Currency"},
    };
    e.before_write = {CostHook};
    return e;
}

records::EntityDef ReportEntity(const records::EntityRegistry& registry) {
    records::EntityDef e;
    e.name = "reports";
    e.label = "Reports";
    e.title_fields = {"name"};
    e.fields = {
        {.name = "name",
         .type = FieldType::kText,
         .label = "Name",
         .required = true,
         .searchable = true,
         .max_length = 200},
        {.name = "definition", .type = FieldType::kJson, .label = "Definition", .required = true},
        {.name = "shared_team_id",
         .type = FieldType::kText,
         .label = "Shared with team",
         .max_length = 64},
        {.name = "owner_id", .type = FieldType::kUser, .label = "Owner"},
    };
    e.before_write = {[&registry](WriteHookArgs& a) -> core::Status {
        VK_RETURN_IF_ERROR(CheckDefinition(registry, a.values["definition"]));
        const std::string team = Str(a.values, "shared_team_id");
        if (!team.empty()) {
            auto checked = CheckTeam(a.tx, a.ctx.tenant_id, team);
            if (!checked) {
                return Error::InvalidField(
                    "shared_team_id", "refers to a team that does not exist"
                );
            }
        }
        return core::Ok();
    }};
    return e;
}

void RegisterSalesAnalyticsEntities(records::EntityRegistry& registry) {
    std::vector<std::string> sources;
    if (const records::EntityDef* deals = registry.Find("deals")) {
        if (const records::FieldDef* f = deals->Field("source")) {
            sources = f->options;
        }
    }
    registry.Register(SalesPlanEntity());
    registry.Register(CampaignCostEntity(sources));
    registry.Register(ReportEntity(registry));
    ExtendForPeriodRollups(registry);
}

}  // namespace voronka::analytics
