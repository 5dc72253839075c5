// Field type names and the registry of built-in entities.
#include "records/metadata.hpp"

#include <array>
#include <utility>

namespace voronka::records {

namespace {

constexpr std::array<std::pair<FieldType, std::string_view>, 16> kTypeNames{{
    {FieldType::kText, "text"},
    {FieldType::kEmail, "email"},
    {FieldType::kPhone, "phone"},
    {FieldType::kUrl, "url"},
    {FieldType::kMoney, "money"},
    {FieldType::kCurrency, "currency"},
    {FieldType::kInteger, "integer"},
    {FieldType::kNumber, "number"},
    {FieldType::kBool, "bool"},
    {FieldType::kDate, "date"},
    {FieldType::kDateTime, "datetime"},
    {FieldType::kEnum, "enum"},
    {FieldType::kMultiEnum, "multi_enum"},
    {FieldType::kReference, "reference"},
    {FieldType::kUser, "user"},
    {FieldType::kJson, "json"},
}};

}  // namespace

std::string_view FieldTypeName(FieldType type) {
    for (const auto& [t, name] : kTypeNames) {
        if (t == type) {
            return name;
        }
    }
    return "text";
}

std::optional<FieldType> ParseFieldType(std::string_view name) {
    for (const auto& [t, type_name] : kTypeNames) {
        if (type_name == name) {
            return t;
        }
    }
    return std::nullopt;
}

const FieldDef* EntityDef::Field(std::string_view field_name) const {
    for (const FieldDef& f : fields) {
        if (f.name == field_name) {
            return &f;
        }
    }
    return nullptr;
}

void EntityRegistry::Register(EntityDef def) {
    auto name = def.name;
    entities_[name] = std::make_shared<EntityDef>(std::move(def));
}

const EntityDef* EntityRegistry::Find(std::string_view name) const {
    auto it = entities_.find(name);
    return it == entities_.end() ? nullptr : it->second.get();
}

bool EntityRegistry::Extend(std::string_view name, const std::function<void(EntityDef&)>& change) {
    auto it = entities_.find(name);
    if (it == entities_.end()) {
        return false;
    }
    change(*it->second);
    return true;
}

std::vector<const EntityDef*> EntityRegistry::All() const {
    std::vector<const EntityDef*> out;
    for (const auto& [name, def] : entities_) {
        out.push_back(def.get());
    }
    return out;
}

bool IsSystemField(std::string_view name) {
    static constexpr std::array<std::string_view, 8> kSystem{
        "id", "version", "created_at", "updated_at", "created_by", "updated_by", "deleted_at", "custom"};
    for (auto s : kSystem) {
        if (s == name) {
            return true;
        }
    }
    return false;
}

bool IsIdentifier(std::string_view name) {
    if (name.empty() || name.size() > 63 || name[0] < 'a' || name[0] > 'z') {
        return false;
    }
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return false;
        }
    }
    return true;
}

bool IsVisibleField(
    const EntityDef& def, std::string_view name, const std::set<std::string>& hidden
) {
    if (hidden.empty()) {
        return true;
    }
    if (hidden.contains(std::string(name))) {
        return false;
    }
    const FieldDef* f = def.Field(name);
    return f == nullptr || !IsHiddenBy(*f, hidden);
}

void EraseHiddenFields(const EntityDef& def, const std::set<std::string>& hidden, core::Json& values) {
    if (hidden.empty() || !values.is_object()) {
        return;
    }
    const auto erase = [&](const std::string& name) {
        values.erase(name);
        if (auto custom = values.find("custom"); custom != values.end() && custom->is_object()) {
            custom->erase(name);
        }
    };
    for (const std::string& name : hidden) {
        erase(name);
    }
    for (const FieldDef& f : def.fields) {
        if (IsHiddenBy(f, hidden)) {
            erase(f.name);
        }
    }
}

bool IsHiddenBy(const FieldDef& f, const std::set<std::string>& hidden) {
    if (hidden.empty()) {
        return false;
    }
    if (hidden.contains(f.name)) {
        return true;
    }
    for (const std::string& source : f.derived_from) {
        if (hidden.contains(source)) {
            return true;
        }
    }
    return false;
}

}  // namespace voronka::records
