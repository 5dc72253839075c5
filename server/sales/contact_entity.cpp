// Contact: a person the company works with.
#include "sales/normalization_hooks.hpp"
#include "sales/sales_entities.hpp"

namespace voronka::sales {

using records::FieldDef;
using records::FieldType;

records::EntityDef ContactEntity() {
    records::EntityDef e;
    e.name = "contacts";
    e.label = "Contacts";
    e.title_fields = {"first_name", "last_name"};
    e.fields = {
        {.name = "first_name", .type = FieldType::kText, .label = "First name", .searchable = true, .max_length = 200},
        {.name = "last_name", .type = FieldType::kText, .label = "Last name", .searchable = true, .max_length = 200},
        {.name = "middle_name", .type = FieldType::kText, .label = "Middle name", .searchable = true, .max_length = 200},
        {.name = "position", .type = FieldType::kText, .label = "Position", .max_length = 200},
        {.name = "email", .type = FieldType::kEmail, .label = "Email", .searchable = true, .max_length = 254},
        {.name = "phone", .type = FieldType::kPhone, .label = "Phone", .searchable = true, .max_length = 64},
        {.name = "phone_e164", .type = FieldType::kPhone, .label = "Phone (E.164)", .read_only = true, .max_length = 32},
        {.name = "company_id", .type = FieldType::kReference, .label = "Company", .ref_entity = "companies"},
        {.name = "owner_id", .type = FieldType::kUser, .label = "Owner"},
        {.name = "birthday", .type = FieldType::kDate, .label = "Birthday"},
        {.name = "source", .type = FieldType::kEnum, .label = "Source",
         .options = {"web_form", "email", "call", "messenger", "manual", "import", "referral"}},
        {.name = "notes", .type = FieldType::kText, .label = "Notes", .searchable = true, .max_length = 100000},
    };
    e.before_write = {PhoneE164Hook("phone")};
    return e;
}

}  // namespace voronka::sales
