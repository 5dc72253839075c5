// CSV import of orders: every row checked, all written in one transaction or none.
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "analytics/customers/customer_analytics.hpp"
#include "analytics/customers/customers_internal.hpp"
#include "analytics/transaction_reader.hpp"
#include "core/text.hpp"
#include "quality/normalize.hpp"

namespace voronka::analytics {

using core::Error;
using namespace customers_internal;

namespace {

constexpr size_t kMaxRows = 50'000;
constexpr size_t kMaxReportedErrors = 100;

struct CsvRecord {
    size_t line = 0;  // 1-based line where the record starts
    std::vector<std::string> fields;
};

// RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; LF or CRLF line ends.
Result<std::vector<CsvRecord>> ParseCsv(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) {
        text.remove_prefix(3);
    }
    std::vector<CsvRecord> out;
    CsvRecord record{1, {}};
    std::string field;
    size_t line = 1;
    bool quoted = false;
    bool was_quoted = false;
    auto end_record = [&] {
        record.fields.push_back(std::move(field));
        field.clear();
        const bool blank = record.fields.size() == 1 && record.fields[0].empty() && !was_quoted;
        if (!blank) {
            out.push_back(std::move(record));
        }
        record = CsvRecord{line, {}};
        was_quoted = false;
    };
    for (size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (quoted) {
            if (ch == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                if (ch == '\n') {
                    ++line;
                }
                field += ch;
            }
            continue;
        }
        if (ch == '"' && field.empty()) {
            quoted = true;
            was_quoted = true;
        } else if (ch == ',') {
            record.fields.push_back(std::move(field));
            field.clear();
        } else if (ch == '\n' || ch == '\r') {
            if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
                ++i;
            }
            ++line;
            end_record();
        } else {
            field += ch;
        }
    }
    if (quoted) {
        return Error::InvalidField(
            "rows[" + std::to_string(record.line) + "]", "has an unterminated quote"
        );
    }
    if (!field.empty() || !record.fields.empty()) {
        end_record();
    }
    return out;
}

const std::set<std::string, std::less<>>& KnownColumns() {
    static const std::set<std::string, std::less<>> kColumns = {
        "external_id",
        "contact_id",
        "contact_email",
        "contact_phone",
        "ordered_at",
        "amount",
        "currency",
        "channel",
        "store",
        "status",
        "product_sku",
        "quantity",
        "price"};
    return kColumns;
}

// The CSV column an engine field error belongs to.
std::string ColumnOf(const std::string& field, const std::string& contact_column) {
    if (field == "contact_id") {
        return contact_column;
    }
    for (const char* line_field : {"price", "quantity", "amount", "adjustment"}) {
        if (field.starts_with("lines[") && field.ends_with(std::string(".") + line_field)) {
            return std::string(line_field) == "adjustment" ? "price" : line_field;
        }
    }
    if (field.starts_with("lines[")) {
        return "product_sku";
    }
    return field;
}

}  // namespace

Result<Json> CustomerAnalytics::ImportOrdersCsv(
    Connection& tx, const RequestContext& ctx, std::string_view csv
) {
    if (!core::IsValidUtf8(csv)) {
        return Error::InvalidField("body", "is not valid UTF-8");
    }
    VK_ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ParseCsv(csv));
    if (records.empty()) {
        return Error::InvalidField("body", "is empty; the first line must name the columns");
    }
    if (records.size() - 1 > kMaxRows) {
        return Error::InvalidField("body", "has more than 50000 rows; split the file");
    }
    std::map<std::string, size_t> column;
    std::vector<core::FieldError> errors;
    for (size_t i = 0; i < records[0].fields.size(); ++i) {
        const std::string name = core::Trim(records[0].fields[i]);
        if (!KnownColumns().contains(name)) {
            errors.push_back({"columns", "unknown column '" + name + "'"});
        } else if (!column.emplace(name, i).second) {
            errors.push_back({"columns", "column '" + name + "' appears twice"});
        }
    }
    if (!column.contains("ordered_at")) {
        errors.push_back({"columns", "ordered_at is required"});
    }
    if (!column.contains("amount") && !column.contains("price")) {
        errors.push_back({"columns", "amount (or price) is required"});
    }
    if (!column.contains("contact_id") && !column.contains("contact_email") &&
        !column.contains("contact_phone")) {
        errors.push_back({"columns", "one of contact_id, contact_email, contact_phone is required"}
        );
    }
    if (!errors.empty()) {
        return Error::Invalid("The CSV header is not usable", std::move(errors));
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows region_row,
        tx.Query("SELECT default_region FROM tenants WHERE id = $1", {ctx.tenant_id})
    );
    const std::string region = region_row.empty() ? "RU" : storage::AsText(region_row.rows[0][0]);

    BulkOrderWrites bulk;
    int64_t imported = 0;
    int64_t skipped = 0;
    std::map<std::string, size_t> seen_external;
    for (size_t r = 1; r < records.size() && errors.size() < kMaxReportedErrors; ++r) {
        const CsvRecord& rec = records[r];
        const std::string row = "rows[" + std::to_string(rec.line) + "]";
        if (rec.fields.size() != records[0].fields.size()) {
            errors.push_back(
                {row,
                 "has " + std::to_string(rec.fields.size()) + " fields, the header has " +
                     std::to_string(records[0].fields.size())}
            );
            continue;
        }
        auto get = [&](const char* name) -> std::string {
            auto it = column.find(name);
            return it == column.end() ? std::string() : core::Trim(rec.fields[it->second]);
        };
        const std::string external_id = get("external_id");
        if (!external_id.empty()) {
            auto [it, fresh] = seen_external.emplace(external_id, rec.line);
            if (!fresh) {
                errors.push_back(
                    {row + ".external_id", "repeats line " + std::to_string(it->second)}
                );
                continue;
            }
            VK_ASSIGN_OR_RETURN(
                storage::Rows stored,
                tx.Query(
                    "SELECT 1 FROM orders WHERE tenant_id = $1 AND external_id = $2",
                    {ctx.tenant_id, external_id}
                )
            );
            if (!stored.empty()) {
                ++skipped;
                continue;
            }
        }
        Json order = Json::object();
        std::string contact_column = "contact_id";
        const size_t errors_before = errors.size();
        if (!get("contact_id").empty()) {
            order["contact_id"] = get("contact_id");
        } else {
            records::ListQuery query;
            query.limit = 2;
            if (!get("contact_email").empty()) {
                contact_column = "contact_email";
                const quality::Normalized email = quality::NormalizeEmail(get("contact_email"));
                if (!email.valid) {
                    errors.push_back({row + ".contact_email", "is not a valid email address"});
                    continue;
                }
                query.filters.push_back(
                    {"email_key", "eq", quality::EmailMatchKey(email.normalized)}
                );
            } else if (!get("contact_phone").empty()) {
                contact_column = "contact_phone";
                const quality::Normalized phone =
                    quality::NormalizePhone(get("contact_phone"), region);
                if (!phone.valid) {
                    errors.push_back({row + ".contact_phone", "is not a valid phone number"});
                    continue;
                }
                query.filters.push_back({"phone_e164", "eq", phone.normalized});
            } else {
                errors.push_back(
                    {row + ".contact_id",
                     "one of contact_id, contact_email, contact_phone is required"}
                );
                continue;
            }
            // The engine applies the caller's read scope: only contacts they see can be matched.
            VK_ASSIGN_OR_RETURN(records::ListPage found, records_.List(tx, ctx, "contacts", query));
            if (found.data.size() != 1) {
                errors.push_back(
                    {row + "." + contact_column,
                     found.data.empty() ? "matches no contact" : "matches several contacts"}
                );
                continue;
            }
            order["contact_id"] = found.data[0]["id"];
        }
        std::string ordered_at = get("ordered_at");
        if (ordered_at.size() == 10 && core::IsValidDate(ordered_at)) {
            ordered_at += "T00:00:00Z";
        }
        if (!core::ParseTimestamp(ordered_at)) {
            errors.push_back({row + ".ordered_at", "must be YYYY-MM-DD or an RFC 3339 date-time"});
            continue;
        }
        order["ordered_at"] = ordered_at;
        for (const char* key : {"amount", "currency", "channel", "store", "status"}) {
            if (!get(key).empty()) {
                order[key] = get(key);
            }
        }
        if (!external_id.empty()) {
            order["external_id"] = external_id;
        }
        const std::string sku = get("product_sku");
        const std::string price = get("price");
        const std::string quantity = get("quantity");
        if (!sku.empty() || !price.empty() || !quantity.empty()) {
            Json line = {{"price", price}};
            if (!sku.empty()) {
                line["sku"] = sku;
                VK_ASSIGN_OR_RETURN(
                    storage::Rows product,
                    tx.Query(
                        "SELECT id FROM products WHERE tenant_id = $1 AND sku = $2 "
                        "AND deleted_at IS NULL ORDER BY id LIMIT 1",
                        {ctx.tenant_id, sku}
                    )
                );
                if (!product.empty()) {
                    line["product_id"] = storage::AsText(product.rows[0][0]);
                }
            } else {
                line["name"] = "Line";
            }
            if (!quantity.empty()) {
                auto q = ParseDecimal(quantity);
                if (!q) {
                    errors.push_back({row + ".quantity", "must be a decimal number"});
                    continue;
                }
                line["quantity"] = *q;
            }
            order["lines"] = Json::array({std::move(line)});
        }
        if (errors.size() != errors_before) {
            continue;
        }
        auto created = records_.Create(tx, ctx, "orders", order);
        if (!created) {
            const core::Error& e = created.error();
            if (e.fields.empty()) {
                if (e.code != core::ErrorCode::kInvalid) {
                    return e;
                }
                errors.push_back({row, e.message});
            }
            for (const auto& f : e.fields) {
                errors.push_back({row + "." + ColumnOf(f.field, contact_column), f.message});
            }
            continue;
        }
        ++imported;
    }
    if (!errors.empty()) {
        return Error::Invalid("The file has invalid rows; nothing was imported", std::move(errors));
    }
    VK_RETURN_IF_ERROR(RebuildCustomerMetrics(tx, ctx.tenant_id, clock_.NowMicros()));
    VK_RETURN_IF_ERROR(RebuildCoPurchases(tx, ctx.tenant_id));
    VK_RETURN_IF_ERROR(RebuildCustomerMonths(tx, ctx.tenant_id));
    return Json{{"imported", imported}, {"skipped_existing", skipped}};
}

Result<Json> ImportOrdersFile(
    records::RecordService& records,
    const core::Clock& clock,
    const RequestContext& ctx,
    const std::string& path
) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return core::Error::InvalidField("file", "cannot be read");
    }
    std::ostringstream text;
    text << in.rdbuf();
    const std::string csv = text.str();
    CustomerAnalytics customers(records, clock);
    return storage::WriteReturning<Json>(records.db(), [&](Connection& tx) {
        return customers.ImportOrdersCsv(tx, ctx, csv);
    });
}

}  // namespace voronka::analytics
