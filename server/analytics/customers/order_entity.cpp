// Orders: a contact's purchases with exact line totals, kept in step with customer metrics; plus
// the hooks on contacts (segment field, owner hand-over) and deals (a won deal becomes an order).
#include <cmath>
#include <set>

#include "access/permissions.hpp"
#include "analytics/customers/customer_analytics.hpp"
#include "analytics/customers/customers_internal.hpp"
#include "analytics/rfm_score.hpp"
#include "core/money.hpp"
#include "core/text.hpp"

namespace voronka::analytics {

using core::Error;
using records::AfterWriteArgs;
using records::FieldType;
using records::WriteHookArgs;

namespace customers_internal {

namespace {

constexpr size_t kMaxLines = 500;

std::string Str(const Json& body, std::string_view key) {
    auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A quantity as thousandths: a positive JSON number with at most 3 decimals, at most 10^9.
std::optional<int64_t> QuantityMilli(const Json& value) {
    if (value.is_number_integer()) {
        const int64_t q = value.get<int64_t>();
        if (q <= 0 || q > 1'000'000'000) {
            return std::nullopt;
        }
        return q * 1000;
    }
    if (!value.is_number_float()) {
        return std::nullopt;
    }
    const double q = value.get<double>();
    if (!std::isfinite(q) || q <= 0 || q > 1e9) {
        return std::nullopt;
    }
    const double milli = std::round(q * 1000.0);
    if (std::fabs(milli - q * 1000.0) > 1e-6 || milli < 1) {
        return std::nullopt;
    }
    return static_cast<int64_t>(milli);
}

// price x quantity in minor units, rounded half away from zero.
Result<int64_t> Extend(int64_t price_minor, int64_t quantity_milli) {
    VK_ASSIGN_OR_RETURN(int64_t scaled, core::MulMinor(price_minor, quantity_milli));
    const int64_t whole = scaled / 1000;
    const int64_t rest = scaled % 1000;
    if (rest >= 500) {
        return whole + 1;
    }
    if (rest <= -500) {
        return whole - 1;
    }
    return whole;
}

// Validates and normalises `lines`, returning their exact total in minor units.
Result<int64_t> NormalizeLines(
    Connection& tx, int64_t tenant_id, Json& lines, const std::string& currency
) {
    if (!lines.is_array()) {
        return Error::InvalidField("lines", "must be a list of order lines");
    }
    if (lines.size() > kMaxLines) {
        return Error::InvalidField("lines", "must hold at most 500 lines");
    }
    std::vector<core::FieldError> errors;
    int64_t total = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string prefix = "lines[" + std::to_string(i) + "].";
        Json& line = lines[i];
        if (!line.is_object()) {
            errors.push_back({"lines[" + std::to_string(i) + "]", "must be an object"});
            continue;
        }
        const size_t before = errors.size();
        for (const auto& [key, value] : line.items()) {
            static const std::set<std::string, std::less<>> kKeys = {
                "product_id", "sku", "name", "quantity", "price", "adjustment", "amount"};
            if (!kKeys.contains(key)) {
                errors.push_back({prefix + key, "is not a field of an order line"});
            } else if (key != "quantity" && !value.is_null() &&
                       (!value.is_string() || !core::IsValidUtf8(value.get<std::string>()) ||
                        value.get<std::string>().size() > 300)) {
                errors.push_back({prefix + key, "must be text of at most 300 bytes"});
            }
        }
        if (errors.size() != before) {
            continue;
        }
        const std::string product_id = Str(line, "product_id");
        if (!product_id.empty()) {
            VK_ASSIGN_OR_RETURN(
                storage::Rows product,
                tx.Query(
                    "SELECT name, sku FROM products WHERE tenant_id = $1 AND id = $2 "
                    "AND deleted_at IS NULL",
                    {tenant_id, product_id}
                )
            );
            if (product.empty()) {
                errors.push_back({prefix + "product_id", "refers to a record that does not exist"});
                continue;
            }
            if (Str(line, "name").empty()) {
                line["name"] = storage::AsText(product.rows[0][0]);
            }
            if (Str(line, "sku").empty() && !storage::IsNull(product.rows[0][1])) {
                line["sku"] = storage::AsText(product.rows[0][1]);
            }
        }
        if (Str(line, "name").empty()) {
            if (Str(line, "sku").empty()) {
                errors.push_back({prefix + "name", "is required for a line without a product"});
                continue;
            }
            line["name"] = Str(line, "sku");
        }
        if (!line.contains("quantity") || line["quantity"].is_null()) {
            line["quantity"] = 1;
        }
        const auto quantity = QuantityMilli(line["quantity"]);
        if (!quantity) {
            errors.push_back(
                {prefix + "quantity",
                 "must be greater than 0 and at most 10^9, with up to 3 decimals"}
            );
            continue;
        }
        auto money = [&](const char* key, bool required) -> std::optional<int64_t> {
            const std::string text = Str(line, key);
            if (text.empty()) {
                if (required) {
                    errors.push_back({prefix + key, "is required"});
                    return std::nullopt;
                }
                return int64_t{0};
            }
            auto parsed = core::ParseAmount(text, currency);
            if (!parsed) {
                errors.push_back({prefix + key, "must be a decimal amount in " + currency});
                return std::nullopt;
            }
            return *parsed;
        };
        const auto price = money("price", true);
        const auto adjustment = money("adjustment", false);
        if (!price || !adjustment) {
            continue;
        }
        if (*price < 0) {
            errors.push_back({prefix + "price", "must not be negative"});
            continue;
        }
        auto extended = Extend(*price, *quantity);
        if (!extended) {
            errors.push_back({prefix + "price", "price × quantity is too large"});
            continue;
        }
        auto amount = core::AddMinor(*extended, *adjustment);
        if (!amount || *amount < 0) {
            errors.push_back({prefix + "adjustment", "makes the line amount negative or too large"}
            );
            continue;
        }
        if (!Str(line, "amount").empty()) {
            auto given = money("amount", false);
            if (!given) {
                continue;
            }
            if (*given != *amount) {
                errors.push_back(
                    {prefix + "amount",
                     "must be price × quantity + adjustment = " +
                         core::FormatAmount(*amount, currency)}
                );
                continue;
            }
        }
        line["price"] = core::FormatAmount(*price, currency);
        if (*adjustment != 0) {
            line["adjustment"] = core::FormatAmount(*adjustment, currency);
        } else {
            line.erase("adjustment");
        }
        line["amount"] = core::FormatAmount(*amount, currency);
        auto sum = core::AddMinor(total, *amount);
        if (!sum) {
            errors.push_back({prefix + "amount", "makes the order total too large"});
            continue;
        }
        total = *sum;
    }
    if (!errors.empty()) {
        return Error::Invalid("Validation failed", std::move(errors));
    }
    return total;
}

Status OrderHook(WriteHookArgs& a) {
    Json& v = a.values;
    if (Str(v, "currency").empty()) {
        VK_ASSIGN_OR_RETURN(std::string currency, MainCurrency(a.tx, a.ctx.tenant_id));
        v["currency"] = currency;
    }
    const std::string currency = Str(v, "currency");
    if (v["status"].is_null()) {
        v["status"] = "completed";
    }
    // Orders are seen by whoever sees their contact: they carry its owner.
    v["owner_id"] = nullptr;
    const std::string contact_id = Str(v, "contact_id");
    if (!contact_id.empty()) {
        VK_ASSIGN_OR_RETURN(
            storage::Rows contact,
            a.tx.Query(
                "SELECT owner_id FROM contacts WHERE tenant_id = $1 AND id = $2 AND deleted_at IS "
                "NULL",
                {a.ctx.tenant_id, contact_id}
            )
        );
        if (!contact.empty() && !storage::IsNull(contact.rows[0][0])) {
            v["owner_id"] = storage::AsText(contact.rows[0][0]);
        }
    }
    if (v["lines"].is_array() && v["lines"].empty()) {
        v["lines"] = nullptr;
    }
    if (a.before && (*a.before)["amount"] == v["amount"] && (*a.before)["lines"] != v["lines"]) {
        v["amount"] = nullptr;  // new lines without a new amount: the amount follows the lines
    }
    if (!v["lines"].is_null()) {
        VK_ASSIGN_OR_RETURN(
            int64_t total, NormalizeLines(a.tx, a.ctx.tenant_id, v["lines"], currency)
        );
        if (v["amount"].is_null()) {
            v["amount"] = core::FormatAmount(total, currency);
        } else {
            auto given = core::ParseAmount(Str(v, "amount"), currency);
            if (given && *given != total) {
                return Error::InvalidField(
                    "amount",
                    "must equal the sum of the lines (" + core::FormatAmount(total, currency) + ")"
                );
            }
        }
    }
    if (v["amount"].is_string()) {
        auto given = core::ParseAmount(Str(v, "amount"), currency);
        if (given && *given < 0) {
            return Error::InvalidField("amount", "must not be negative");
        }
    }
    if (v["external_id"].is_string()) {
        const std::string external = core::Trim(Str(v, "external_id"));
        v["external_id"] = external.empty() ? Json(nullptr) : Json(external);
    }
    if (v["external_id"].is_string()) {
        VK_ASSIGN_OR_RETURN(
            storage::Rows taken,
            a.tx.Query(
                "SELECT id FROM orders WHERE tenant_id = $1 AND external_id = $2",
                {a.ctx.tenant_id, Str(v, "external_id")}
            )
        );
        const std::string self = a.before ? Str(*a.before, "id") : std::string();
        if (!taken.empty() && storage::AsText(taken.rows[0][0]) != self) {
            return Error::Conflict(
                "Another order has this external id",
                {{"external_id", "is already used by another order"}}
            );
        }
    }
    return core::Ok();
}

thread_local bool bulk_order_writes = false;

}  // namespace

BulkOrderWrites::BulkOrderWrites() : previous_(bulk_order_writes) { bulk_order_writes = true; }

BulkOrderWrites::~BulkOrderWrites() { bulk_order_writes = previous_; }

bool BulkOrderWrites::Active() { return bulk_order_writes; }

records::EntityDef OrderEntity(const core::Clock& clock) {
    records::EntityDef e;
    e.name = "orders";
    e.label = "Orders";
    e.title_fields = {"external_id"};
    e.default_sort = "-ordered_at";
    e.fields = {
        {.name = "contact_id",
         .type = FieldType::kReference,
         .label = "Customer",
         .required = true,
         .ref_entity = "contacts"},
        {.name = "ordered_at",
         .type = FieldType::kDateTime,
         .label = "Ordered at",
         .required = true},
        {.name = "amount",
         .type = FieldType::kMoney,
         .label = "Amount",
         .required = true,
         .currency_field = "currency"},
        {.name = "currency", .type = FieldType::kCurrency, .label = "Currency"},
        {.name = "channel", .type = FieldType::kText, .label = "Channel", .max_length = 100},
        {.name = "store", .type = FieldType::kText, .label = "Store", .max_length = 200},
        {.name = "deal_id", .type = FieldType::kReference, .label = "Deal", .ref_entity = "deals"},
        {.name = "external_id",
         .type = FieldType::kText,
         .label = "External id",
         .searchable = true,
         .max_length = 200},
        {.name = "status",
         .type = FieldType::kEnum,
         .label = "Status",
         .options = {"completed", "cancelled", "refunded"}},
        {.name = "lines", .type = FieldType::kJson, .label = "Lines"},
        {.name = "owner_id",
         .type = FieldType::kUser,
         .label = "Owner (the contact's)",
         .read_only = true},
    };
    e.before_write = {[](WriteHookArgs& a) { return OrderHook(a); }};
    e.after_write = {[&clock](const AfterWriteArgs& a) -> Status {
        if (BulkOrderWrites::Active()) {
            return core::Ok();
        }
        std::set<std::string> contacts;
        for (const Json* body : {a.before, &a.after}) {
            if (body && !Str(*body, "contact_id").empty()) {
                contacts.insert(Str(*body, "contact_id"));
            }
        }
        for (const auto& contact_id : contacts) {
            VK_RETURN_IF_ERROR(
                RefreshCustomerMetrics(a.tx, a.ctx.tenant_id, contact_id, clock.NowMicros())
            );
            VK_RETURN_IF_ERROR(RefreshCustomerProducts(a.tx, a.ctx.tenant_id, contact_id));
            VK_RETURN_IF_ERROR(RefreshCustomerMonths(a.tx, a.ctx.tenant_id, contact_id));
        }
        return core::Ok();
    }};
    // A merge moves the loser's orders to the survivor without running the hooks above.
    e.after_reference_move = {
        [&clock](
            storage::Connection& tx,
            const access::RequestContext& ctx,
            std::string_view field,
            const std::string& from_id,
            const std::string& to_id
        ) -> Status {
            if (field != "contact_id" || BulkOrderWrites::Active()) {
                return core::Ok();
            }
            // The moved orders follow their new contact's owner, as on a contact's owner change.
            VK_RETURN_IF_ERROR(tx.Execute(
                "UPDATE orders SET owner_id = (SELECT c.owner_id FROM contacts c WHERE "
                "c.tenant_id = $1 AND c.id = $2) WHERE tenant_id = $1 AND contact_id = $2",
                {ctx.tenant_id, to_id}
            ));
            for (const std::string* contact_id : {&from_id, &to_id}) {
                VK_RETURN_IF_ERROR(
                    RefreshCustomerMetrics(tx, ctx.tenant_id, *contact_id, clock.NowMicros())
                );
                VK_RETURN_IF_ERROR(RefreshCustomerProducts(tx, ctx.tenant_id, *contact_id));
                VK_RETURN_IF_ERROR(RefreshCustomerMonths(tx, ctx.tenant_id, *contact_id));
            }
            return core::Ok();
        }};
    return e;
}

namespace {

void ExtendContacts(records::EntityDef& e) {
    records::FieldDef segment{
        .name = "rfm_segment", .type = FieldType::kEnum, .label = "RFM segment", .read_only = true};
    for (int s = 0; s <= static_cast<int>(RfmSegment::kLost); ++s) {
        segment.options.emplace_back(RfmSegmentName(static_cast<RfmSegment>(s)));
    }
    e.fields.push_back(std::move(segment));
    e.after_write.push_back(
        [](const AfterWriteArgs& a) -> Status {
            if (a.action != "update" || !a.before ||
                Str(*a.before, "owner_id") == Str(a.after, "owner_id")) {
                return core::Ok();
            }
            std::vector<storage::Value> params{a.ctx.tenant_id, Str(a.after, "id"), nullptr};
            if (!Str(a.after, "owner_id").empty()) {
                params[2] = Str(a.after, "owner_id");
            }
            auto moved = a.tx.Execute(
                "UPDATE orders SET owner_id = $3 WHERE tenant_id = $1 AND contact_id = $2", params
            );
            return moved ? core::Ok() : Status(std::move(moved).error());
        }
    );  // The contact's customer figures follow it between its owners' roll-up rows, and leave them
    // while it is deleted.
    e.after_write.push_back([](const AfterWriteArgs& a) -> Status {
        const std::string owner = Str(a.after, "owner_id");
        std::optional<std::string> from;
        std::optional<std::string> to;
        if (a.action == "delete") {
            from = owner;
        } else if (a.action == "restore") {
            to = owner;
        } else if (a.action == "update" && a.before && Str(*a.before, "owner_id") != owner) {
            from = Str(*a.before, "owner_id");
            to = owner;
        } else {
            return core::Ok();
        }
        return MoveCustomerRollups(a.tx, a.ctx.tenant_id, Str(a.after, "id"), from, to);
    });
}

}  // namespace

Result<Json> OrderFromDeal(Connection& tx, int64_t tenant_id, const Json& deal, int64_t now) {
    std::string currency = Str(deal, "currency");
    if (currency.empty()) {
        VK_ASSIGN_OR_RETURN(currency, MainCurrency(tx, tenant_id));
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        tx.Query(
            "SELECT product_id, name, quantity, price, total FROM deal_lines "
            "WHERE tenant_id = $1 AND deal_id = $2 AND deleted_at IS NULL ORDER BY position, id",
            {tenant_id, Str(deal, "id")}
        )
    );
    Json order = {
        {"contact_id", Str(deal, "contact_id")},
        {"deal_id", Str(deal, "id")},
        {"ordered_at",
         Str(deal, "won_at").empty() ? core::FormatTimestamp(now) : Str(deal, "won_at")},
        {"currency", currency},
        {"channel", "deal"},
        {"status", "completed"}};
    if (rows.empty()) {
        order["amount"] =
            Str(deal, "amount").empty() ? core::FormatAmount(0, currency) : Str(deal, "amount");
        return order;
    }
    Json lines = Json::array();
    for (const auto& r : rows.rows) {
        const double quantity = storage::AsDouble(r[2], 1);
        const int64_t price = storage::AsInt(r[3]);
        const int64_t total = storage::AsInt(r[4]);
        const auto milli = QuantityMilli(Json(quantity));
        VK_ASSIGN_OR_RETURN(int64_t extended, Extend(price, milli.value_or(1000)));
        Json line = {
            {"name", storage::AsText(r[1])},
            {"quantity", quantity},
            {"price", core::FormatAmount(price, currency)},
            {"adjustment", core::FormatAmount(total - extended, currency)},
            {"amount", core::FormatAmount(total, currency)}};
        if (!storage::IsNull(r[0])) {
            line["product_id"] = storage::AsText(r[0]);
        }
        lines.push_back(std::move(line));
    }
    order["lines"] = std::move(lines);
    return order;
}

namespace {

void ExtendDeals(records::EntityDef& e, records::RecordService& records, const core::Clock& clock) {
    e.after_write.push_back([&records, &clock](const AfterWriteArgs& a) -> Status {
        if (a.action != "create" && a.action != "update") {
            return core::Ok();
        }
        const bool won_now =
            Str(a.after, "status") == "won" && (!a.before || Str(*a.before, "status") != "won");
        const std::string contact_id = Str(a.after, "contact_id");
        if (!won_now || contact_id.empty()) {
            return core::Ok();
        }
        // One order per deal: winning it again after reopening keeps the first order.
        VK_ASSIGN_OR_RETURN(
            storage::Rows existing,
            a.tx.Query(
                "SELECT 1 FROM orders WHERE tenant_id = $1 AND deal_id = $2 AND deleted_at IS NULL",
                {a.ctx.tenant_id, Str(a.after, "id")}
            )
        );
        if (!existing.empty()) {
            return core::Ok();
        }
        VK_ASSIGN_OR_RETURN(
            Json order, OrderFromDeal(a.tx, a.ctx.tenant_id, a.after, clock.NowMicros())
        );
        // The order follows from the deal the caller may edit, whatever the role's rights on
        // orders; it is still written (and attributed) as the caller's change.
        access::RequestContext system = a.ctx;
        system.permissions = access::BuiltinRole("admin");
        system.read_only = false;
        auto created = records.Create(a.tx, system, "orders", order);
        if (!created) {
            core::Error error = std::move(created).error();
            if (error.code == core::ErrorCode::kInvalid) {
                error.message = "The won deal's order cannot be created: " + error.message;
                for (auto& f : error.fields) {
                    f.field = "order." + f.field;
                }
            }
            return error;
        }
        return core::Ok();
    });
}

}  // namespace

}  // namespace customers_internal

void InstallOrders(
    records::EntityRegistry& registry, records::RecordService& records, const core::Clock& clock
) {
    registry.Register(customers_internal::OrderEntity(clock));
    registry.Extend("contacts", [](records::EntityDef& e) {
        customers_internal::ExtendContacts(e);
    });
    registry.Extend("deals", [&records, &clock](records::EntityDef& e) {
        customers_internal::ExtendDeals(e, records, clock);
    });
}

}  // namespace voronka::analytics
