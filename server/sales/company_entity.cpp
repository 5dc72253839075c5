// Company: an organisation the company sells to.
#include "sales/normalization_hooks.hpp"
#include "sales/sales_entities.hpp"

namespace voronka::sales {

using records::FieldType;

records::EntityDef CompanyEntity() {
    records::EntityDef e;
    e.name = "companies";
    e.label = "Companies";
    e.title_fields = {"name"};
    e.default_sort = "name";
    e.fields = {
        {.name = "name", .type = FieldType::kText, .label = "Name", .required = true, .searchable = true, .max_length = 300},
        {.name = "inn", .type = FieldType::kText, .label = "Tax id (INN)", .searchable = true, .max_length = 32},
        {.name = "website", .type = FieldType::kUrl, .label = "Website", .searchable = true, .max_length = 500},
        {.name = "phone", .type = FieldType::kPhone, .label = "Phone", .searchable = true, .max_length = 64},
        {.name = "phone_e164", .type = FieldType::kPhone, .label = "Phone (E.164)", .read_only = true, .max_length = 32},
        {.name = "email", .type = FieldType::kEmail, .label = "Email", .searchable = true, .max_length = 254},
        {.name = "address", .type = FieldType::kText, .label = "Address", .searchable = true, .max_length = 1000},
        {.name = "industry", .type = FieldType::kText, .label = "Industry", .max_length = 200},
        {.name = "owner_id", .type = FieldType::kUser, .label = "Owner"},
        {.name = "notes", .type = FieldType::kText, .label = "Notes", .searchable = true, .max_length = 100000},
    };
    e.before_write = {PhoneE164Hook("phone")};
    return e;
}

void RegisterSalesEntities(records::EntityRegistry& registry) {
    registry.Register(ContactEntity());
    registry.Register(CompanyEntity());
}

}  // namespace voronka::sales
