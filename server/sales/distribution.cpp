// Distribution rules: matching, candidate users and the persistent round-robin pointer.
#include "sales/distribution.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/id.hpp"
#include "sales/hook_util.hpp"

namespace voronka::sales {

using core::Error;
using core::Json;
using internal::Str;
using records::FieldType;
using records::WriteHookArgs;

namespace {

bool IsScalar(const Json& v) { return v.is_string() || v.is_number() || v.is_boolean(); }

core::Status ValidateConditions(const Json& conditions) {
    if (conditions.is_null()) {
        return core::Ok();
    }
    if (!conditions.is_object() || conditions.size() > 20) {
        return Error::InvalidField("conditions", "must be an object {field: value or [values]}");
    }
    for (const auto& [key, value] : conditions.items()) {
        if (!records::IsIdentifier(key)) {
            return Error::InvalidField("conditions", "'" + key + "' is not a field name");
        }
        bool ok = IsScalar(value);
        if (value.is_array() && !value.empty() && value.size() <= 50) {
            ok = std::all_of(value.begin(), value.end(), IsScalar);
        }
        if (!ok) {
            return Error::InvalidField(
                "conditions", "'" + key + "' must be a value or a non-empty list of values"
            );
        }
    }
    return core::Ok();
}

records::WriteHook RuleHook() {
    return [](WriteHookArgs& a) -> core::Status {
        VK_RETURN_IF_ERROR(internal::RequireMetadataRights(a.ctx, "distribution rules"));
        Json& v = a.values;
        if (v["strategy"].is_null()) {
            v["strategy"] = "round_robin";
        }
        if (v["active"].is_null()) {
            v["active"] = true;
        }
        VK_RETURN_IF_ERROR(ValidateConditions(v["conditions"]));
        const Json& users = v["user_ids"];
        const std::string team = Str(v, "team_id");
        if (!users.is_null()) {
            if (!users.is_array() || users.size() > 200) {
                return Error::InvalidField("user_ids", "must be a list of up to 200 user ids");
            }
            for (const Json& u : users) {
                if (!u.is_string() || !core::IsIdShaped(u.get<std::string>())) {
                    return Error::InvalidField("user_ids", "must be a list of user ids");
                }
                VK_ASSIGN_OR_RETURN(
                    storage::Rows found,
                    a.tx.Query(
                        "SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2",
                        {a.ctx.tenant_id, u.get<std::string>()}
                    )
                );
                if (found.empty()) {
                    return Error::InvalidField("user_ids", "refers to a user that does not exist");
                }
            }
        }
        if (!team.empty()) {
            VK_ASSIGN_OR_RETURN(
                storage::Rows found,
                a.tx.Query(
                    "SELECT 1 FROM teams WHERE tenant_id = $1 AND id = $2", {a.ctx.tenant_id, team}
                )
            );
            if (found.empty()) {
                return Error::InvalidField("team_id", "refers to a team that does not exist");
            }
        }
        if (team.empty() && (users.is_null() || users.empty())) {
            return Error::InvalidField("user_ids", "give a team_id or a list of user_ids");
        }
        if (!v["first_task_minutes"].is_null()) {
            const int64_t minutes = v["first_task_minutes"].get<int64_t>();
            if (minutes < 0 || minutes > 7 * 24 * 60) {
                return Error::InvalidField("first_task_minutes", "must be between 0 and 10080");
            }
        }
        if (v["position"].is_null()) {
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                a.tx.Query(
                    "SELECT COALESCE(MAX(position) + 1, 0) FROM distribution_rules "
                    "WHERE tenant_id = $1 AND deleted_at IS NULL",
                    {a.ctx.tenant_id}
                )
            );
            v["position"] = storage::AsInt(rows.rows[0][0]);
        }
        return core::Ok();
    };
}

const Json* InputValue(const Json& input, const std::string& key) {
    auto it = input.find(key);
    if (it != input.end()) {
        return &*it;
    }
    auto custom = input.find("custom");
    if (custom != input.end() && custom->is_object()) {
        auto c = custom->find(key);
        if (c != custom->end()) {
            return &*c;
        }
    }
    return nullptr;
}

bool Matches(const Json& conditions, const Json& input) {
    if (!conditions.is_object()) {
        return true;
    }
    for (const auto& [key, expected] : conditions.items()) {
        const Json* actual = InputValue(input, key);
        if (!actual || actual->is_null()) {
            return false;
        }
        if (expected.is_array()) {
            if (std::find(expected.begin(), expected.end(), *actual) == expected.end()) {
                return false;
            }
        } else if (expected != *actual) {
            return false;
        }
    }
    return true;
}

// Active users the rule hands work to, in rotation order (as listed, or a team by id).
core::Result<std::vector<std::string>> Candidates(
    storage::Connection& tx, int64_t tenant_id, const std::string& team_id, const Json& user_ids
) {
    std::vector<std::string> out;
    if (user_ids.is_array() && !user_ids.empty()) {
        VK_ASSIGN_OR_RETURN(
            storage::Rows rows,
            tx.Query(
                team_id.empty()
                    ? "SELECT id FROM users WHERE tenant_id = $1 AND active = 1"
                    : "SELECT id FROM users WHERE tenant_id = $1 AND active = 1 AND team_id = $2",
                team_id.empty() ? std::vector<storage::Value>{tenant_id}
                                : std::vector<storage::Value>{tenant_id, team_id}
            )
        );
        std::set<std::string> active;
        for (const auto& r : rows.rows) {
            active.insert(storage::AsText(r[0]));
        }
        for (const Json& u : user_ids) {
            if (u.is_string() && active.contains(u.get<std::string>()) &&
                std::find(out.begin(), out.end(), u.get<std::string>()) == out.end()) {
                out.push_back(u.get<std::string>());
            }
        }
        return out;
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        tx.Query(
            "SELECT id FROM users WHERE tenant_id = $1 AND team_id = $2 AND active = 1 ORDER BY id",
            {tenant_id, team_id}
        )
    );
    for (const auto& r : rows.rows) {
        out.push_back(storage::AsText(r[0]));
    }
    return out;
}

// Open work per candidate: leads not yet converted or junk, deals in open stages.
core::Result<std::map<std::string, int64_t>> OpenLoad(
    storage::Connection& tx,
    int64_t tenant_id,
    std::string_view entity,
    const std::vector<std::string>& users
) {
    std::vector<storage::Value> params{tenant_id};
    std::string in;
    for (const auto& u : users) {
        params.emplace_back(u);
        in += (in.empty() ? "$" : ", $") + std::to_string(params.size());
    }
    const std::string open =
        entity == "leads" ? "status IN ('new', 'in_progress', 'qualified')" : "status = 'open'";
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        tx.Query(
            "SELECT owner_id, COUNT(*) FROM " + std::string(entity) +
                " WHERE tenant_id = $1 AND deleted_at IS NULL AND " + open + " AND owner_id IN (" +
                in + ") GROUP BY owner_id",
            params
        )
    );
    std::map<std::string, int64_t> load;
    for (const auto& r : rows.rows) {
        load[storage::AsText(r[0])] = storage::AsInt(r[1]);
    }
    return load;
}

}  // namespace

records::EntityDef DistributionRuleEntity() {
    records::EntityDef e;
    e.name = "distribution_rules";
    e.label = "Distribution rules";
    e.title_fields = {"name"};
    e.default_sort = "position";
    e.has_owner = false;
    e.admin_writes = true;
    e.fields = {
        {.name = "name",
         .type = FieldType::kText,
         .label = "Name",
         .required = true,
         .max_length = 200},
        {.name = "entity",
         .type = FieldType::kEnum,
         .label = "Applies to",
         .required = true,
         .options = {"leads", "deals"}},
        {.name = "conditions", .type = FieldType::kJson, .label = "Conditions"},
        {.name = "strategy",
         .type = FieldType::kEnum,
         .label = "Strategy",
         .options = {"round_robin", "least_loaded"}},
        {.name = "team_id", .type = FieldType::kText, .label = "Team", .max_length = 64},
        {.name = "user_ids", .type = FieldType::kJson, .label = "Users"},
        {.name = "first_task_minutes",
         .type = FieldType::kInteger,
         .label = "First-contact task due in, minutes"},
        {.name = "active", .type = FieldType::kBool, .label = "Active"},
        {.name = "position", .type = FieldType::kInteger, .label = "Position"},
    };
    e.before_write = {RuleHook()};
    return e;
}

core::Result<std::optional<Assignment>> Distribute(
    storage::Connection& tx,
    const access::RequestContext& ctx,
    std::string_view entity,
    const Json& input,
    const core::Clock& clock
) {
    VK_ASSIGN_OR_RETURN(
        storage::Rows rules,
        tx.Query(
            "SELECT id, conditions, strategy, team_id, user_ids, first_task_minutes "
            "FROM distribution_rules WHERE tenant_id = $1 AND entity = $2 AND active = 1 "
            "AND deleted_at IS NULL ORDER BY position, id",
            {ctx.tenant_id, std::string(entity)}
        )
    );
    for (const auto& rule : rules.rows) {
        const Json conditions = Json::parse(storage::AsText(rule[1]), nullptr, false);
        if (!Matches(conditions, input)) {
            continue;
        }
        const std::string rule_id = storage::AsText(rule[0]);
        const Json user_ids = Json::parse(storage::AsText(rule[4]), nullptr, false);
        VK_ASSIGN_OR_RETURN(
            std::vector<std::string> candidates,
            Candidates(tx, ctx.tenant_id, storage::AsText(rule[3]), user_ids)
        );
        if (candidates.empty()) {
            continue;
        }
        const int64_t now = clock.NowMicros();
        auto seeded = tx.Execute(
            "INSERT INTO distribution_state (tenant_id, rule_id, last_user_id, assigned_count, "
            "updated_at) VALUES ($1, $2, NULL, 0, $3) ON CONFLICT (tenant_id, rule_id) DO NOTHING",
            {ctx.tenant_id, rule_id, now}
        );
        if (!seeded) {
            return std::move(seeded).error();
        }
        const std::string lock = tx.dialect() == storage::Dialect::kPostgres ? " FOR UPDATE" : "";
        VK_ASSIGN_OR_RETURN(
            storage::Rows state,
            tx.Query(
                "SELECT last_user_id FROM distribution_state WHERE tenant_id = $1 AND rule_id = "
                "$2" +
                    lock,
                {ctx.tenant_id, rule_id}
            )
        );
        const std::string last = state.empty() ? "" : storage::AsText(state.rows[0][0]);
        std::string chosen;
        if (storage::AsText(rule[2]) == "least_loaded") {
            VK_ASSIGN_OR_RETURN(auto load, OpenLoad(tx, ctx.tenant_id, entity, candidates));
            int64_t best = -1;
            for (const auto& c : candidates) {
                const int64_t n = load.contains(c) ? load[c] : 0;
                if (best < 0 || n < best) {
                    best = n;
                    chosen = c;
                }
            }
        } else {
            auto it = std::find(candidates.begin(), candidates.end(), last);
            chosen = (it == candidates.end() || std::next(it) == candidates.end())
                         ? candidates.front()
                         : *std::next(it);
        }
        auto advanced = tx.Execute(
            "UPDATE distribution_state SET last_user_id = $3, assigned_count = assigned_count + 1, "
            "updated_at = $4 WHERE tenant_id = $1 AND rule_id = $2",
            {ctx.tenant_id, rule_id, chosen, now}
        );
        if (!advanced) {
            return std::move(advanced).error();
        }
        Assignment out;
        out.user_id = chosen;
        out.rule_id = rule_id;
        if (!storage::IsNull(rule[5])) {
            out.first_task_minutes = storage::AsInt(rule[5]);
        }
        return std::optional<Assignment>(std::move(out));
    }
    return std::optional<Assignment>();
}

}  // namespace voronka::sales
