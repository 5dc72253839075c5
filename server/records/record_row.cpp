// Row layout shared by every query of the record engine, so columns are listed in one place.
#include "records/record_row.hpp"

#include "core/clock.hpp"
#include "records/field_codec.hpp"

namespace voronka::records::internal {

namespace {
constexpr size_t kSystemColumns = 7;  // id, version, created_at, updated_at, created_by, updated_by, deleted_at
}

std::string SelectColumns(const EntityDef& def, std::string_view prefix) {
    const std::string p(prefix);
    std::string out = p + "id, " + p + "version, " + p + "created_at, " + p + "updated_at, " + p +
        "created_by, " + p + "updated_by, " + p + "deleted_at";
    for (const FieldDef& f : def.fields) {
        if (!f.custom) {
            out += ", " + p + f.name;
        }
    }
    out += ", " + p + "custom";
    return out;
}

std::string CurrencyOf(const FieldDef& money, const Json& body) {
    if (money.currency_field.empty()) {
        return {};
    }
    auto it = body.find(money.currency_field);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Json ValueOf(const FieldDef& field, const Json& body) {
    if (field.custom) {
        auto custom = body.find("custom");
        if (custom == body.end() || !custom->is_object()) {
            return nullptr;
        }
        auto it = custom->find(field.name);
        return it == custom->end() ? Json(nullptr) : *it;
    }
    auto it = body.find(field.name);
    return it == body.end() ? Json(nullptr) : *it;
}

Json RowToBody(const EntityDef& def, const std::vector<storage::Value>& row, size_t offset) {
    Json body = Json::object();
    body["id"] = storage::AsText(row[offset]);
    body["version"] = storage::AsInt(row[offset + 1]);
    body["created_at"] = core::FormatTimestamp(storage::AsInt(row[offset + 2]));
    body["updated_at"] = core::FormatTimestamp(storage::AsInt(row[offset + 3]));
    body["created_by"] = storage::IsNull(row[offset + 4]) ? Json(nullptr) : Json(storage::AsText(row[offset + 4]));
    body["updated_by"] = storage::IsNull(row[offset + 5]) ? Json(nullptr) : Json(storage::AsText(row[offset + 5]));
    if (!storage::IsNull(row[offset + 6])) {
        body["deleted_at"] = core::FormatTimestamp(storage::AsInt(row[offset + 6]));
    }
    size_t column = offset + kSystemColumns;
    // Currency fields first, so money fields can be formatted with their digits.
    std::vector<std::pair<const FieldDef*, const storage::Value*>> money;
    for (const FieldDef& f : def.fields) {
        if (f.custom) {
            continue;
        }
        const storage::Value& v = row[column++];
        if (f.type == FieldType::kMoney) {
            money.emplace_back(&f, &v);
            continue;
        }
        body[f.name] = FromStorage(f, v, {});
    }
    for (auto [f, v] : money) {
        body[f->name] = FromStorage(*f, *v, CurrencyOf(*f, body));
    }
    Json stored = Json::parse(storage::AsText(row[column]), nullptr, false);
    Json custom = Json::object();
    for (const FieldDef& f : def.fields) {
        if (!f.custom) {
            continue;
        }
        auto it = stored.is_object() ? stored.find(f.name) : stored.end();
        custom[f.name] = (stored.is_object() && it != stored.end())
            ? FromCustomJson(f, *it, CurrencyOf(f, body))
            : Json(nullptr);
    }
    body["custom"] = std::move(custom);
    return body;
}

}  // namespace voronka::records::internal
