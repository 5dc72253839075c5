// Deals and their product lines: stage rules, won/lost bookkeeping and exact line totals.
#include "core/clock.hpp"
#include "core/money.hpp"
#include "core/text.hpp"
#include "sales/deal_math.hpp"
#include "sales/deal_rollups.hpp"
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

struct StageRow {
    std::string pipeline_id;
    std::string kind;
    int64_t probability = 0;
    bool archived = false;
};

core::Result<std::optional<StageRow>> LoadStage(
    storage::Connection& tx, int64_t tenant_id, const std::string& id
) {
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        tx.Query(
            "SELECT pipeline_id, kind, probability, archived FROM stages "
            "WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL",
            {tenant_id, id}
        )
    );
    if (rows.empty()) {
        return std::optional<StageRow>();
    }
    const auto& r = rows.rows[0];
    return std::optional<StageRow>(StageRow{
        storage::AsText(r[0]),
        storage::AsText(r[1]),
        storage::AsInt(r[2]),
        storage::AsInt(r[3]) != 0});
}

// Fills pipeline_id/stage_id when the client gave only one of them (or neither, on create).
core::Status ResolvePipelineAndStage(WriteHookArgs& a) {
    Json& v = a.values;
    if (!Str(v, "stage_id").empty()) {
        return core::Ok();
    }
    std::string pipeline_id = Str(v, "pipeline_id");
    if (pipeline_id.empty() && !a.before) {
        VK_ASSIGN_OR_RETURN(
            storage::Rows rows,
            a.tx.Query(
                "SELECT id FROM pipelines WHERE tenant_id = $1 AND deleted_at IS NULL AND archived "
                "= 0 "
                "ORDER BY sort_order, id LIMIT 1",
                {a.ctx.tenant_id}
            )
        );
        if (rows.empty()) {
            return Error::InvalidField(
                "pipeline_id", "is required (the company has no pipeline yet)"
            );
        }
        pipeline_id = storage::AsText(rows.rows[0][0]);
        v["pipeline_id"] = pipeline_id;
    }
    if (pipeline_id.empty()) {
        return Error::InvalidField("stage_id", "is required");
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows first,
        a.tx.Query(
            "SELECT id FROM stages WHERE tenant_id = $1 AND pipeline_id = $2 AND deleted_at IS "
            "NULL "
            "AND archived = 0 AND kind = 'open' ORDER BY position, id LIMIT 1",
            {a.ctx.tenant_id, pipeline_id}
        )
    );
    if (first.empty()) {
        return Error::InvalidField("stage_id", "is required (the pipeline has no open stage)");
    }
    v["stage_id"] = storage::AsText(first.rows[0][0]);
    return core::Ok();
}

// Tags: a list of up to 30 distinct non-empty strings of at most 50 bytes.
core::Status NormalizeTags(Json& v) {
    Json& tags = v["tags"];
    if (tags.is_null()) {
        return core::Ok();
    }
    if (!tags.is_array() || tags.size() > 30) {
        return Error::InvalidField("tags", "must be a list of up to 30 strings");
    }
    Json out = Json::array();
    for (const Json& t : tags) {
        if (!t.is_string() || !core::IsValidUtf8(t.get<std::string>())) {
            return Error::InvalidField("tags", "must be a list of up to 30 strings");
        }
        const std::string tag = core::NormalizeNfc(core::Trim(t.get<std::string>()));
        if (tag.empty() || tag.size() > 50) {
            return Error::InvalidField("tags", "each tag must be 1 to 50 bytes");
        }
        if (std::find(out.begin(), out.end(), Json(tag)) == out.end()) {
            out.push_back(tag);
        }
    }
    tags = out.empty() ? Json(nullptr) : out;
    return core::Ok();
}

records::WriteHook DealHook(const core::Clock& clock) {
    return [&clock](WriteHookArgs& a) -> core::Status {
        Json& v = a.values;
        VK_RETURN_IF_ERROR(ResolvePipelineAndStage(a));
        const std::string stage_id = Str(v, "stage_id");
        VK_ASSIGN_OR_RETURN(
            std::optional<StageRow> stage, LoadStage(a.tx, a.ctx.tenant_id, stage_id)
        );
        if (!stage) {
            return Error::InvalidField("stage_id", "refers to a stage that does not exist");
        }
        const std::string pipeline_id = Str(v, "pipeline_id");
        if (pipeline_id.empty()) {
            v["pipeline_id"] = stage->pipeline_id;
        } else if (pipeline_id != stage->pipeline_id) {
            return Error::InvalidField("stage_id", "belongs to another pipeline");
        }
        const bool stage_changed = Changed(a.before, v, "stage_id");
        if (stage_changed) {
            if (stage->archived) {
                return Error::InvalidField("stage_id", "is archived");
            }
            const std::string now = core::FormatTimestamp(clock.NowMicros());
            v["stage_changed_at"] = now;
            const bool probability_kept =
                a.before ? !Changed(a.before, v, "probability") : v["probability"].is_null();
            if (probability_kept) {
                v["probability"] = stage->probability;
            }
            if (!a.before || Str(*a.before, "status") != stage->kind) {
                v["status"] = stage->kind;
                v["won_at"] = stage->kind == "won" ? Json(now) : Json(nullptr);
                v["lost_at"] = stage->kind == "lost" ? Json(now) : Json(nullptr);
                v["closed_at"] = stage->kind == "open" ? Json(nullptr) : Json(now);
            }
        }
        if (Str(v, "status") == "lost" && Str(v, "loss_reason").empty()) {
            return Error::InvalidField("loss_reason", "is required when a deal is lost");
        }
        if (!v["probability"].is_null()) {
            const int64_t p = v["probability"].get<int64_t>();
            if (p < 0 || p > 100) {
                return Error::InvalidField("probability", "must be between 0 and 100");
            }
        }
        if (!v["amount"].is_null() && v["currency"].is_null()) {
            VK_ASSIGN_OR_RETURN(
                std::string currency, internal::TenantCurrency(a.tx, a.ctx.tenant_id)
            );
            v["currency"] = currency;
        }
        VK_RETURN_IF_ERROR(NormalizeTags(v));
        if (!a.before) {
            return core::Ok();
        }
        const std::string id = Str(*a.before, "id");
        if (Changed(a.before, v, "currency")) {
            VK_ASSIGN_OR_RETURN(
                storage::Rows lines,
                a.tx.Query(
                    "SELECT COUNT(*) FROM deal_lines WHERE tenant_id = $1 AND deal_id = $2 "
                    "AND deleted_at IS NULL",
                    {a.ctx.tenant_id, id}
                )
            );
            if (storage::AsInt(lines.rows[0][0]) > 0) {
                return Error::InvalidField(
                    "currency", "cannot change while the deal has product lines"
                );
            }
        }
        if (Changed(a.before, v, "owner_id")) {
            // Lines are seen by whoever sees the deal: they carry its owner.
            std::vector<storage::Value> params{a.ctx.tenant_id, id, nullptr};
            if (v["owner_id"].is_string()) {
                params[2] = Str(v, "owner_id");
            }
            auto moved = a.tx.Execute(
                "UPDATE deal_lines SET owner_id = $3 WHERE tenant_id = $1 AND deal_id = $2", params
            );
            if (!moved) {
                return std::move(moved).error();
            }
        }
        return core::Ok();
    };
}

core::Status ComputeLine(WriteHookArgs& a) {
    Json& v = a.values;
    const std::string deal_id = Str(v, "deal_id");
    if (deal_id.empty()) {
        return Error::InvalidField("deal_id", "is required");
    }
    if (a.before && Changed(a.before, v, "deal_id")) {
        return Error::InvalidField(
            "deal_id", "cannot change; add the line to the other deal instead"
        );
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows deal,
        a.tx.Query(
            "SELECT currency, owner_id FROM deals WHERE tenant_id = $1 AND id = $2 AND deleted_at "
            "IS NULL",
            {a.ctx.tenant_id, deal_id}
        )
    );
    if (deal.empty()) {
        return Error::InvalidField("deal_id", "refers to a record that does not exist");
    }
    v["owner_id"] =
        storage::IsNull(deal.rows[0][1]) ? Json(nullptr) : Json(storage::AsText(deal.rows[0][1]));
    std::string currency = storage::AsText(deal.rows[0][0]);
    const std::string given = Str(v, "currency");
    if (!currency.empty() && !given.empty() && given != currency) {
        return Error::InvalidField("currency", "must be the deal's currency (" + currency + ")");
    }
    if (currency.empty()) {
        currency = given;
    }
    if (currency.empty()) {
        VK_ASSIGN_OR_RETURN(currency, internal::TenantCurrency(a.tx, a.ctx.tenant_id));
    }
    v["currency"] = currency;
    const std::string product_id = Str(v, "product_id");
    if (!product_id.empty()) {
        VK_ASSIGN_OR_RETURN(
            storage::Rows product,
            a.tx.Query(
                "SELECT name, unit FROM products WHERE tenant_id = $1 AND id = $2 AND deleted_at "
                "IS NULL",
                {a.ctx.tenant_id, product_id}
            )
        );
        if (product.empty()) {
            return Error::InvalidField("product_id", "refers to a record that does not exist");
        }
        if (v["name"].is_null()) {
            v["name"] = storage::AsText(product.rows[0][0]);
        }
        if (v["unit"].is_null() && !storage::IsNull(product.rows[0][1])) {
            v["unit"] = storage::AsText(product.rows[0][1]);
        }
    }
    if (v["name"].is_null()) {
        return Error::InvalidField("name", "is required for a line without a product");
    }
    const std::string price_list_id = Str(v, "price_list_id");
    if (v["price"].is_null() && !price_list_id.empty()) {
        if (product_id.empty()) {
            return Error::InvalidField("price_list_id", "needs a product_id to look up the price");
        }
        VK_ASSIGN_OR_RETURN(
            storage::Rows price,
            a.tx.Query(
                "SELECT p.price, l.currency FROM prices p JOIN price_lists l "
                "ON l.tenant_id = p.tenant_id AND l.id = p.price_list_id "
                "WHERE p.tenant_id = $1 AND p.price_list_id = $2 AND p.product_id = $3 "
                "AND p.deleted_at IS NULL AND l.deleted_at IS NULL",
                {a.ctx.tenant_id, price_list_id, product_id}
            )
        );
        if (price.empty()) {
            return Error::InvalidField("price", "the price list has no price for this product");
        }
        const std::string list_currency = storage::AsText(price.rows[0][1]);
        if (list_currency != currency) {
            return Error::InvalidField(
                "currency", "the price list is in " + list_currency + ", the deal in " + currency
            );
        }
        v["price"] = core::FormatAmount(storage::AsInt(price.rows[0][0]), currency);
    }
    if (v["price"].is_null()) {
        return Error::InvalidField("price", "is required (or give price_list_id and product_id)");
    }
    auto price = core::ParseAmount(v["price"].get<std::string>(), currency);
    if (!price) {
        return Error::InvalidField(
            "price",
            price.error().fields.empty() ? "is not a valid amount" : price.error().fields[0].message
        );
    }
    if (*price < 0) {
        return Error::InvalidField("price", "must not be negative");
    }
    if (v["quantity"].is_null()) {
        v["quantity"] = 1;
    }
    const auto quantity = internal::ToFixed(v["quantity"], 3);
    if (!quantity || *quantity <= 0 || *quantity > int64_t{1'000'000'000'000}) {
        return Error::InvalidField(
            "quantity", "must be greater than 0 and at most 10^9, with up to 3 decimals"
        );
    }
    auto percent = [&](const char* field) -> core::Result<int64_t> {
        if (v[field].is_null()) {
            v[field] = 0;
        }
        const auto bp = internal::ToFixed(v[field], 2);
        if (!bp || *bp < 0 || *bp > 10000) {
            return Error::InvalidField(field, "must be between 0 and 100, with up to 2 decimals");
        }
        return *bp;
    };
    VK_ASSIGN_OR_RETURN(int64_t discount_bp, percent("discount_percent"));
    VK_ASSIGN_OR_RETURN(int64_t tax_bp, percent("tax_percent"));
    VK_ASSIGN_OR_RETURN(
        LineTotals totals, ComputeLineTotals(*price, *quantity, discount_bp, tax_bp)
    );
    v["amount"] = core::FormatAmount(totals.amount_minor, currency);
    v["tax_amount"] = core::FormatAmount(totals.tax_minor, currency);
    v["total"] = core::FormatAmount(totals.total_minor, currency);
    if (v["position"].is_null()) {
        VK_ASSIGN_OR_RETURN(
            storage::Rows rows,
            a.tx.Query(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM deal_lines "
                "WHERE tenant_id = $1 AND deal_id = $2 AND deleted_at IS NULL",
                {a.ctx.tenant_id, deal_id}
            )
        );
        v["position"] = storage::AsInt(rows.rows[0][0]);
    }
    return core::Ok();
}

}  // namespace

const std::vector<std::string>& SourceOptions() {
    static const std::vector<std::string> kSources = {
        "web_form", "email", "call", "messenger", "manual", "import", "referral"};
    return kSources;
}

records::EntityDef DealEntity(const core::Clock& clock) {
    records::EntityDef e;
    e.name = "deals";
    e.label = "Deals";
    e.title_fields = {"title"};
    e.fields = {
        {.name = "title",
         .type = FieldType::kText,
         .label = "Title",
         .required = true,
         .searchable = true,
         .max_length = 300},
        {.name = "pipeline_id",
         .type = FieldType::kReference,
         .label = "Pipeline",
         .required = true,
         .ref_entity = "pipelines"},
        {.name = "stage_id",
         .type = FieldType::kReference,
         .label = "Stage",
         .required = true,
         .ref_entity = "stages"},
        {.name = "status",
         .type = FieldType::kEnum,
         .label = "Status",
         .read_only = true,
         .options = {"open", "won", "lost"}},
        {.name = "amount",
         .type = FieldType::kMoney,
         .label = "Amount",
         .currency_field = "currency"},
        {.name = "currency", .type = FieldType::kCurrency, .label = "Currency"},
        {.name = "amount_from_lines",
         .type = FieldType::kBool,
         .label = "Amount is the sum of the product lines"},
        {.name = "expected_close_date", .type = FieldType::kDate, .label = "Expected close date"},
        {.name = "probability", .type = FieldType::kInteger, .label = "Probability, %"},
        {.name = "owner_id", .type = FieldType::kUser, .label = "Owner"},
        {.name = "contact_id",
         .type = FieldType::kReference,
         .label = "Contact",
         .ref_entity = "contacts"},
        {.name = "company_id",
         .type = FieldType::kReference,
         .label = "Company",
         .ref_entity = "companies"},
        {.name = "source", .type = FieldType::kEnum, .label = "Source", .options = SourceOptions()},
        {.name = "tags", .type = FieldType::kJson, .label = "Tags"},
        {.name = "loss_reason",
         .type = FieldType::kText,
         .label = "Loss reason",
         .max_length = 1000},
        {.name = "description",
         .type = FieldType::kText,
         .label = "Description",
         .searchable = true,
         .max_length = 100000},
        {.name = "stage_changed_at",
         .type = FieldType::kDateTime,
         .label = "Stage changed at",
         .read_only = true},
        {.name = "won_at", .type = FieldType::kDateTime, .label = "Won at", .read_only = true},
        {.name = "lost_at", .type = FieldType::kDateTime, .label = "Lost at", .read_only = true},
        {.name = "closed_at",
         .type = FieldType::kDateTime,
         .label = "Closed at",
         .read_only = true},
    };
    e.before_write = {DealHook(clock)};
    e.after_write = {DealRollupHook()};
    return e;
}

records::EntityDef DealLineEntity() {
    records::EntityDef e;
    e.name = "deal_lines";
    e.label = "Deal product lines";
    e.title_fields = {"name"};
    e.default_sort = "position";
    e.fields = {
        {.name = "deal_id",
         .type = FieldType::kReference,
         .label = "Deal",
         .required = true,
         .ref_entity = "deals"},
        {.name = "product_id",
         .type = FieldType::kReference,
         .label = "Product",
         .ref_entity = "products"},
        {.name = "name",
         .type = FieldType::kText,
         .label = "Name",
         .required = true,
         .max_length = 300},
        {.name = "quantity", .type = FieldType::kNumber, .label = "Quantity", .required = true},
        {.name = "unit", .type = FieldType::kText, .label = "Unit", .max_length = 32},
        {.name = "price_list_id",
         .type = FieldType::kReference,
         .label = "Price list",
         .ref_entity = "price_lists"},
        {.name = "price",
         .type = FieldType::kMoney,
         .label = "Price",
         .required = true,
         .currency_field = "currency"},
        {.name = "currency", .type = FieldType::kCurrency, .label = "Currency"},
        {.name = "discount_percent", .type = FieldType::kNumber, .label = "Discount, %"},
        {.name = "tax_percent", .type = FieldType::kNumber, .label = "Tax, %"},
        {.name = "amount",
         .type = FieldType::kMoney,
         .label = "Amount",
         .read_only = true,
         .currency_field = "currency"},
        {.name = "tax_amount",
         .type = FieldType::kMoney,
         .label = "Tax amount",
         .read_only = true,
         .currency_field = "currency"},
        {.name = "total",
         .type = FieldType::kMoney,
         .label = "Total",
         .read_only = true,
         .currency_field = "currency"},
        {.name = "position", .type = FieldType::kInteger, .label = "Position"},
        {.name = "owner_id",
         .type = FieldType::kUser,
         .label = "Owner (the deal's)",
         .read_only = true},
    };
    e.before_write = {[](WriteHookArgs& a) { return ComputeLine(a); }};
    return e;
}

}  // namespace voronka::sales
