// Lead conversion: contact, company and deal from a lead in one transaction, lead kept as history.
#include <algorithm>

#include "sales/hook_util.hpp"
#include "sales/sales_entities.hpp"
#include "sales/sales_service.hpp"
#include "sales/service_util.hpp"

namespace voronka::sales {

using core::Error;
using internal::PrefixFields;
using internal::Str;

namespace {

// An existing record named by the request, or a field error naming it.
Result<records::Record> Existing(
    records::RecordService& records,
    Connection& tx,
    const RequestContext& ctx,
    const std::string& entity,
    const Json& id,
    const std::string& field
) {
    if (!id.is_string()) {
        return Error::InvalidField(field, "must be a record id");
    }
    auto found = records.Get(tx, ctx, entity, id.get<std::string>());
    if (!found) {
        if (found.error().code == core::ErrorCode::kNotFound) {
            return Error::InvalidField(field, "refers to a record that does not exist");
        }
        return std::move(found).error();
    }
    return found;
}

Json Copy(const Json& from, std::initializer_list<const char*> keys) {
    Json out = Json::object();
    for (const char* key : keys) {
        if (from.contains(key) && !from[key].is_null()) {
            out[key] = from[key];
        }
    }
    return out;
}

}  // namespace

Result<Json> SalesService::ConvertLead(
    Connection& tx, const RequestContext& ctx, const std::string& lead_id, const Json& input
) {
    if (!input.is_object()) {
        return Error::Invalid("The request body must be a JSON object");
    }
    for (const auto& [key, value] : input.items()) {
        if (key != "contact_id" && key != "company_id" && key != "deal") {
            return Error::InvalidField(key, "is not a parameter of conversion");
        }
    }
    VK_ASSIGN_OR_RETURN(records::Record lead, records_.Get(tx, ctx, "leads", lead_id));
    const Json& l = lead.body;
    if (Str(l, "status") == "converted") {
        return Error::Conflict(
            "The lead is already converted", {{"status", "is already converted"}}
        );
    }
    const Json owner = l.contains("owner_id") ? l["owner_id"] : Json(nullptr);

    Json company_id = nullptr;
    if (input.contains("company_id") && !input["company_id"].is_null()) {
        VK_ASSIGN_OR_RETURN(
            records::Record company,
            Existing(records_, tx, ctx, "companies", input["company_id"], "company_id")
        );
        company_id = company.body["id"];
    } else if (!Str(l, "company_name").empty()) {
        Json company = {{"name", l["company_name"]}, {"owner_id", owner}};
        auto made = records_.Create(tx, ctx, "companies", company);
        if (!made) {
            return PrefixFields(std::move(made).error(), "company.");
        }
        company_id = made->body["id"];
    }

    Json contact_id = nullptr;
    if (input.contains("contact_id") && !input["contact_id"].is_null()) {
        VK_ASSIGN_OR_RETURN(
            records::Record contact,
            Existing(records_, tx, ctx, "contacts", input["contact_id"], "contact_id")
        );
        contact_id = contact.body["id"];
    } else {
        Json contact = Copy(l, {"first_name", "last_name", "email", "phone", "source"});
        contact["owner_id"] = owner;
        contact["company_id"] = company_id;
        if (!Str(l, "message").empty()) {
            contact["notes"] = l["message"];
        }
        if (!contact.contains("first_name") && !contact.contains("last_name")) {
            contact["last_name"] =
                Str(l, "company_name").empty() ? Json(Str(l, "email")) : l["company_name"];
        }
        auto made = records_.Create(tx, ctx, "contacts", contact);
        if (!made) {
            return PrefixFields(std::move(made).error(), "contact.");
        }
        contact_id = made->body["id"];
    }

    Json deal_id = nullptr;
    Json deal_input = input.contains("deal") ? input["deal"] : Json::object();
    if (deal_input.is_object() && !deal_input.contains("pipeline_id") &&
        !deal_input.contains("stage_id")) {
        // No funnel named: the deal opens in the first open stage of the first active pipeline,
        // as a rep converting from the inbox expects; "deal": null converts without a deal.
        VK_ASSIGN_OR_RETURN(
            storage::Rows first,
            tx.Query(
                "SELECT p.id, s.id FROM pipelines p JOIN stages s ON s.tenant_id = p.tenant_id "
                "AND s.pipeline_id = p.id WHERE p.tenant_id = $1 AND p.deleted_at IS NULL AND "
                "COALESCE(p.archived, 0) = 0 AND s.deleted_at IS NULL AND COALESCE(s.archived, 0) "
                "= 0 AND s.kind = 'open' ORDER BY p.sort_order, p.id, s.position, s.id LIMIT 1",
                {ctx.tenant_id}
            )
        );
        if (first.rows.empty()) {
            deal_input = nullptr;
        } else {
            deal_input["pipeline_id"] = storage::AsText(first.rows[0][0]);
            deal_input["stage_id"] = storage::AsText(first.rows[0][1]);
        }
    }
    if (!deal_input.is_null()) {
        if (!deal_input.is_object()) {
            return Error::InvalidField(
                "deal", "must be an object {pipeline_id, stage_id, title?, amount?, currency?}"
            );
        }
        Json deal = deal_input;
        if (!deal.contains("title") || deal["title"].is_null()) {
            std::string title = Str(l, "company_name");
            if (title.empty()) {
                title = Str(l, "first_name") +
                        (Str(l, "last_name").empty() ? "" : " " + Str(l, "last_name"));
            }
            deal["title"] = title.empty() ? "Deal from lead" : title;
        }
        deal["contact_id"] = contact_id;
        deal["company_id"] = company_id;
        if (!deal.contains("owner_id")) {
            deal["owner_id"] = owner;
        }
        if (!deal.contains("source") && l.contains("source")) {
            deal["source"] = l["source"];
        }
        auto made = records_.Create(tx, ctx, "deals", deal);
        if (!made) {
            return PrefixFields(std::move(made).error(), "deal.");
        }
        deal_id = made->body["id"];
    }

    internal::ForcedValues forced(
        "leads",
        {{"status", "converted"},
         {"converted_contact_id", contact_id},
         {"converted_company_id", company_id},
         {"converted_deal_id", deal_id},
         {"converted_at", core::FormatTimestamp(clock_.NowMicros())}}
    );
    VK_RETURN_IF_ERROR(records_.Update(tx, ctx, "leads", lead_id, Json::object(), lead.version));
    return Json{
        {"lead_id", lead_id},
        {"contact_id", contact_id},
        {"company_id", company_id},
        {"deal_id", deal_id}};
}

}  // namespace voronka::sales
