// Product catalogue and price lists: what deals are made of, with a price per list and currency.
#include "sales/hook_util.hpp"
#include "sales/sales_entities.hpp"

namespace voronka::sales {

using core::Error;
using core::Json;
using internal::Changed;
using internal::Str;
using records::FieldType;
using records::WriteHookArgs;

namespace {

records::WriteHook ProductHook() {
    return [](WriteHookArgs& a) -> core::Status {
        Json& v = a.values;
        if (v["active"].is_null()) {
            v["active"] = true;
        }
        const std::string sku = Str(v, "sku");
        if (sku.empty() || !Changed(a.before, v, "sku")) {
            return core::Ok();
        }
        VK_ASSIGN_OR_RETURN(
            storage::Rows same,
            a.tx.Query(
                "SELECT id FROM products WHERE tenant_id = $1 AND sku = $2 AND deleted_at IS NULL",
                {a.ctx.tenant_id, sku}
            )
        );
        if (!same.empty()) {
            return Error::Conflict(
                "Another product has the SKU " + sku,
                {{"sku", "is already used by another product"}}
            );
        }
        return core::Ok();
    };
}

records::WriteHook PriceListHook() {
    return [](WriteHookArgs& a) -> core::Status {
        Json& v = a.values;
        if (v["kind"].is_null()) {
            v["kind"] = "retail";
        }
        if (v["active"].is_null()) {
            v["active"] = true;
        }
        if (v["currency"].is_null()) {
            VK_ASSIGN_OR_RETURN(
                std::string currency, internal::TenantCurrency(a.tx, a.ctx.tenant_id)
            );
            v["currency"] = currency;
        }
        if (a.before && Changed(a.before, v, "currency")) {
            VK_ASSIGN_OR_RETURN(
                storage::Rows prices,
                a.tx.Query(
                    "SELECT COUNT(*) FROM prices WHERE tenant_id = $1 AND price_list_id = $2 "
                    "AND deleted_at IS NULL",
                    {a.ctx.tenant_id, Str(*a.before, "id")}
                )
            );
            if (storage::AsInt(prices.rows[0][0]) > 0) {
                return Error::InvalidField("currency", "cannot change while the list has prices");
            }
        }
        return core::Ok();
    };
}

records::WriteHook PriceHook() {
    return [](WriteHookArgs& a) -> core::Status {
        Json& v = a.values;
        const std::string list = Str(v, "price_list_id");
        const std::string product = Str(v, "product_id");
        if (list.empty() || product.empty()) {
            return Error::InvalidField(
                list.empty() ? "price_list_id" : "product_id", "is required"
            );
        }
        if (a.before &&
            (Changed(a.before, v, "price_list_id") || Changed(a.before, v, "product_id"))) {
            return Error::InvalidField("product_id", "cannot change; add a new price instead");
        }
        VK_ASSIGN_OR_RETURN(
            storage::Rows currency,
            a.tx.Query(
                "SELECT currency FROM price_lists WHERE tenant_id = $1 AND id = $2 AND deleted_at "
                "IS NULL",
                {a.ctx.tenant_id, list}
            )
        );
        if (currency.empty()) {
            return Error::InvalidField("price_list_id", "refers to a record that does not exist");
        }
        v["currency"] = storage::AsText(currency.rows[0][0]);
        if (!v["price"].is_null() && Str(v, "price").starts_with("-")) {
            return Error::InvalidField("price", "must not be negative");
        }
        if (a.before) {
            return core::Ok();
        }
        VK_ASSIGN_OR_RETURN(
            storage::Rows same,
            a.tx.Query(
                "SELECT id FROM prices WHERE tenant_id = $1 AND price_list_id = $2 AND product_id "
                "= $3 "
                "AND deleted_at IS NULL",
                {a.ctx.tenant_id, list, product}
            )
        );
        if (!same.empty()) {
            return Error::Conflict(
                "The price list already has a price for this product",
                {{"product_id", "already has a price in this list"}}
            );
        }
        return core::Ok();
    };
}

}  // namespace

records::EntityDef ProductEntity() {
    records::EntityDef e;
    e.name = "products";
    e.label = "Products";
    e.title_fields = {"name"};
    e.default_sort = "name";
    e.has_owner = false;
    e.fields = {
        {.name = "name",
         .type = FieldType::kText,
         .label = "Name",
         .required = true,
         .searchable = true,
         .max_length = 300},
        {.name = "sku",
         .type = FieldType::kText,
         .label = "SKU",
         .searchable = true,
         .max_length = 100},
        {.name = "unit", .type = FieldType::kText, .label = "Unit", .max_length = 32},
        {.name = "category", .type = FieldType::kText, .label = "Category", .max_length = 200},
        {.name = "description",
         .type = FieldType::kText,
         .label = "Description",
         .max_length = 100000},
        {.name = "active", .type = FieldType::kBool, .label = "Active"},
    };
    e.before_write = {ProductHook()};
    return e;
}

records::EntityDef PriceListEntity() {
    records::EntityDef e;
    e.name = "price_lists";
    e.label = "Price lists";
    e.title_fields = {"name"};
    e.default_sort = "name";
    e.has_owner = false;
    e.fields = {
        {.name = "name",
         .type = FieldType::kText,
         .label = "Name",
         .required = true,
         .searchable = true,
         .max_length = 200},
        {.name = "currency", .type = FieldType::kCurrency, .label = "Currency", .required = true},
        {.name = "kind",
         .type = FieldType::kEnum,
         .label = "Kind",
         .options = {"retail", "wholesale", "other"}},
        {.name = "active", .type = FieldType::kBool, .label = "Active"},
    };
    e.before_write = {PriceListHook()};
    return e;
}

records::EntityDef PriceEntity() {
    records::EntityDef e;
    e.name = "prices";
    e.label = "Prices";
    e.default_sort = "-updated_at";
    e.has_owner = false;
    e.fields = {
        {.name = "price_list_id",
         .type = FieldType::kReference,
         .label = "Price list",
         .required = true,
         .ref_entity = "price_lists"},
        {.name = "product_id",
         .type = FieldType::kReference,
         .label = "Product",
         .required = true,
         .ref_entity = "products"},
        {.name = "price",
         .type = FieldType::kMoney,
         .label = "Price",
         .required = true,
         .currency_field = "currency"},
        {.name = "currency", .type = FieldType::kCurrency, .label = "Currency", .read_only = true},
    };
    e.before_write = {PriceHook()};
    return e;
}

}  // namespace voronka::sales
