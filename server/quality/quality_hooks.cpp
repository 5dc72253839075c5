// Write hooks (keys, flags, lead link) and the create-response hook of the quality domain.
#include "quality/quality_hooks.hpp"

#include <iterator>

#include "quality/duplicate_finder.hpp"
#include "quality/record_keys.hpp"

namespace voronka::quality {

using core::Json;
using records::FieldDef;
using records::FieldType;
using records::WriteHookArgs;

namespace {

constexpr size_t kCreateResponseLimit = 5;

Json OrNull(const std::string& value) { return value.empty() ? Json(nullptr) : Json(value); }

void AddField(records::EntityDef& e, FieldDef f) {
    if (!e.Field(f.name)) {
        e.fields.push_back(std::move(f));
    }
}

FieldDef KeyField(const char* name, const char* label, std::vector<std::string> derived_from) {
    return {
        .name = name,
        .type = FieldType::kText,
        .label = label,
        .read_only = true,
        .max_length = 1000,
        .derived_from = std::move(derived_from)};
}

records::WriteHook KeysHook(RecordKind kind) {
    return [kind](WriteHookArgs& a) -> core::Status {
        const RecordKeys keys = ComputeKeys(kind, a.values);
        a.values["email_key"] = OrNull(keys.email_key);
        a.values["name_key"] = OrNull(keys.name_key);
        if (kind == RecordKind::kPerson) {
            a.values["name_latin"] = OrNull(keys.name_latin);
        } else {
            a.values["website_key"] = OrNull(keys.website_key);
            a.values["inn_key"] = OrNull(keys.inn_key);
        }
        a.values["quality_flags"] = keys.flags;
        return core::Ok();
    };
}

bool MatchFieldsChanged(const Json* before, const Json& values) {
    if (!before) {
        return true;
    }
    for (const char* key :
         {"first_name", "last_name", "middle_name", "email", "phone", "company_name"}) {
        auto b = before->find(key);
        auto v = values.find(key);
        const Json& old = b == before->end() ? Json() : *b;
        const Json& now = v == values.end() ? Json() : *v;
        if (old != now) {
            return true;
        }
    }
    return false;
}

// Incoming leads, whatever the channel, pass through the engine: link each to the contact it
// most likely is, across the whole tenant (the link must not depend on who created the lead).
records::WriteHook LeadContactLinkHook(const records::EntityRegistry& registry) {
    return [&registry](WriteHookArgs& a) -> core::Status {
        if (!MatchFieldsChanged(a.before, a.values)) {
            return core::Ok();
        }
        const records::EntityDef* contacts = registry.Find("contacts");
        if (!contacts) {
            return core::Ok();
        }
        FindOptions options;
        options.limit = 1;
        options.apply_scope = false;
        VK_ASSIGN_OR_RETURN(
            std::vector<DuplicateMatch> found,
            FindStoredDuplicates(a.tx, a.ctx, *contacts, RecordKind::kPerson, a.values, options)
        );
        a.values["duplicate_of_contact_id"] = found.empty() ? Json(nullptr) : Json(found[0].id);
        return core::Ok();
    };
}

records::CreateResponseHook DuplicatesOnCreate(const records::EntityRegistry& registry) {
    return [&registry](
               storage::Connection& c,
               const access::RequestContext& ctx,
               const records::EntityDef& entity,
               Json& response
           ) -> core::Status {
        VK_ASSIGN_OR_RETURN(
            Json found,
            DuplicatesJson(c, ctx, registry, entity.name, response, kCreateResponseLimit)
        );
        response["duplicates"] = std::move(found);
        return core::Ok();
    };
}

}  // namespace

FieldDef QualityFlagsField() {
    FieldDef f{
        .name = "quality_flags",
        .type = FieldType::kMultiEnum,
        .label = "Data quality issues",
        .read_only = true};
    f.options.assign(std::begin(kQualityFlags), std::end(kQualityFlags));
    return f;
}

records::WriteHook MatchingKeysHook(std::string_view entity) {
    const QualityProfile* profile = FindProfile(entity);
    return KeysHook(profile ? profile->kind : RecordKind::kPerson);
}

void InstallDataQuality(records::EntityRegistry& registry) {
    for (const QualityProfile& profile : QualityProfiles()) {
        registry.Extend(profile.entity, [&](records::EntityDef& e) {
            // Each key is derived from its sources: a role hiding a source hides the key too.
            const std::vector<std::string> names =
                profile.kind == RecordKind::kPerson
                    ? std::vector<std::string>{"first_name", "last_name", "middle_name"}
                    : std::vector<std::string>{"name"};
            AddField(e, KeyField("email_key", "Email (matching key)", {"email"}));
            if (profile.kind == RecordKind::kPerson) {
                AddField(e, KeyField("name_latin", "Name (Latin)", names));
            } else {
                AddField(e, KeyField("website_key", "Website (canonical)", {"website"}));
                AddField(e, KeyField("inn_key", "Tax id (valid, digits)", {"inn"}));
            }
            AddField(e, KeyField("name_key", "Name (blocking key)", names));
            AddField(e, QualityFlagsField());
            e.before_write.push_back(KeysHook(profile.kind));
            if (profile.entity == "leads") {
                AddField(
                    e,
                    {.name = "duplicate_of_contact_id",
                     .type = FieldType::kReference,
                     .label = "Likely the same as contact",
                     .read_only = true,
                     .ref_entity = "contacts"}
                );
                e.before_write.push_back(LeadContactLinkHook(registry));
            }
            e.after_create.push_back(DuplicatesOnCreate(registry));
        });
    }
}

}  // namespace voronka::quality
