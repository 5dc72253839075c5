// Leads: first touches from forms, mail, calls and messengers, before they become contacts and
// deals.
#include "core/clock.hpp"
#include "sales/hook_util.hpp"
#include "sales/normalization_hooks.hpp"
#include "sales/sales_entities.hpp"

namespace voronka::sales {

using core::Error;
using core::Json;
using internal::Str;
using records::FieldType;
using records::WriteHookArgs;

namespace {

records::WriteHook LeadHook() {
    return [](WriteHookArgs& a) -> core::Status {
        Json& v = a.values;
        const Json* forced = internal::ForcedValues::Current("leads");
        if (forced) {
            for (const auto& [key, value] : forced->items()) {
                v[key] = value;
            }
        }
        if (v["status"].is_null()) {
            v["status"] = "new";
        }
        const std::string before_status = a.before ? Str(*a.before, "status") : "";
        if (!forced && Str(v, "status") != before_status) {
            if (before_status == "converted") {
                return Error::InvalidField("status", "a converted lead keeps its status");
            }
            if (Str(v, "status") == "converted") {
                return Error::InvalidField(
                    "status", "is set by conversion (POST /api/v1/leads/{id}/convert)"
                );
            }
        }
        for (const char* key : {"first_name", "last_name", "company_name", "email", "phone"}) {
            if (!Str(v, key).empty()) {
                return core::Ok();
            }
        }
        return Error::InvalidField(
            "last_name", "a lead needs a name, a company, an email or a phone"
        );
    };
}

}  // namespace

records::EntityDef LeadEntity() {
    records::EntityDef e;
    e.name = "leads";
    e.label = "Leads";
    e.title_fields = {"first_name", "last_name", "company_name"};
    std::vector<std::string> lead_sources = {
        "web_form", "email", "call", "messenger", "manual", "import"};
    e.fields = {
        {.name = "first_name",
         .type = FieldType::kText,
         .label = "First name",
         .searchable = true,
         .max_length = 200},
        {.name = "last_name",
         .type = FieldType::kText,
         .label = "Last name",
         .searchable = true,
         .max_length = 200},
        {.name = "company_name",
         .type = FieldType::kText,
         .label = "Company",
         .searchable = true,
         .max_length = 300},
        {.name = "email",
         .type = FieldType::kEmail,
         .label = "Email",
         .searchable = true,
         .max_length = 254},
        {.name = "phone",
         .type = FieldType::kPhone,
         .label = "Phone",
         .searchable = true,
         .max_length = 64},
        {.name = "phone_e164",
         .type = FieldType::kPhone,
         .label = "Phone (E.164)",
         .read_only = true,
         .max_length = 32},
        {.name = "message", .type = FieldType::kText, .label = "Message", .max_length = 100000},
        {.name = "source", .type = FieldType::kEnum, .label = "Source", .options = lead_sources},
        {.name = "channel", .type = FieldType::kText, .label = "Channel", .max_length = 200},
        {.name = "utm_source", .type = FieldType::kText, .label = "utm_source", .max_length = 200},
        {.name = "utm_medium", .type = FieldType::kText, .label = "utm_medium", .max_length = 200},
        {.name = "utm_campaign",
         .type = FieldType::kText,
         .label = "utm_campaign",
         .max_length = 200},
        {.name = "utm_content",
         .type = FieldType::kText,
         .label = "utm_content",
         .max_length = 200},
        {.name = "utm_term", .type = FieldType::kText, .label = "utm_term", .max_length = 200},
        {.name = "campaign", .type = FieldType::kText, .label = "Campaign", .max_length = 200},
        {.name = "status",
         .type = FieldType::kEnum,
         .label = "Status",
         .options = {"new", "in_progress", "qualified", "converted", "junk"}},
        {.name = "owner_id", .type = FieldType::kUser, .label = "Owner"},
        {.name = "converted_contact_id",
         .type = FieldType::kReference,
         .label = "Converted to contact",
         .read_only = true,
         .ref_entity = "contacts"},
        {.name = "converted_company_id",
         .type = FieldType::kReference,
         .label = "Converted to company",
         .read_only = true,
         .ref_entity = "companies"},
        {.name = "converted_deal_id",
         .type = FieldType::kReference,
         .label = "Converted to deal",
         .read_only = true,
         .ref_entity = "deals"},
        {.name = "converted_at",
         .type = FieldType::kDateTime,
         .label = "Converted at",
         .read_only = true},
    };
    e.before_write = {PhoneE164Hook("phone"), LeadHook()};
    return e;
}

}  // namespace voronka::sales
