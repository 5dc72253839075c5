// Pipelines and their stages: configuration entities that deals move through.
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

records::WriteHook PipelineHook() {
    return [](WriteHookArgs& a) -> core::Status {
        VK_RETURN_IF_ERROR(internal::RequireMetadataRights(a.ctx, "pipelines"));
        if (a.values["archived"].is_null()) {
            a.values["archived"] = false;
        }
        if (a.values["sort_order"].is_null()) {
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                a.tx.Query(
                    "SELECT COALESCE(MAX(sort_order) + 1, 0) FROM pipelines "
                    "WHERE tenant_id = $1 AND deleted_at IS NULL",
                    {a.ctx.tenant_id}
                )
            );
            a.values["sort_order"] = storage::AsInt(rows.rows[0][0]);
        }
        return core::Ok();
    };
}

int DefaultProbability(const std::string& kind) {
    if (kind == "won") {
        return 100;
    }
    return kind == "lost" ? 0 : 10;
}

records::WriteHook StageHook() {
    return [](WriteHookArgs& a) -> core::Status {
        VK_RETURN_IF_ERROR(internal::RequireMetadataRights(a.ctx, "pipelines"));
        Json& v = a.values;
        if (v["kind"].is_null()) {
            v["kind"] = "open";
        }
        if (v["archived"].is_null()) {
            v["archived"] = false;
        }
        if (v["probability"].is_null()) {
            v["probability"] = DefaultProbability(v["kind"].get<std::string>());
        }
        const int64_t probability = v["probability"].get<int64_t>();
        if (probability < 0 || probability > 100) {
            return Error::InvalidField("probability", "must be between 0 and 100");
        }
        const std::string pipeline_id = Str(v, "pipeline_id");
        if (v["position"].is_null() && !pipeline_id.empty()) {
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                a.tx.Query(
                    "SELECT COALESCE(MAX(position) + 1, 0) FROM stages "
                    "WHERE tenant_id = $1 AND pipeline_id = $2 AND deleted_at IS NULL",
                    {a.ctx.tenant_id, pipeline_id}
                )
            );
            v["position"] = storage::AsInt(rows.rows[0][0]);
        }
        if (!a.before) {
            return core::Ok();
        }
        if (Changed(a.before, v, "pipeline_id")) {
            return Error::InvalidField(
                "pipeline_id", "cannot change; create the stage in the other pipeline instead"
            );
        }
        const bool archiving =
            internal::IsTrue(v, "archived") && !internal::IsTrue(*a.before, "archived");
        const bool kind_changed = Changed(a.before, v, "kind");
        if (!archiving && !kind_changed) {
            return core::Ok();
        }
        VK_ASSIGN_OR_RETURN(
            storage::Rows deals,
            a.tx.Query(
                "SELECT COUNT(*) FROM deals WHERE tenant_id = $1 AND stage_id = $2 AND deleted_at "
                "IS NULL",
                {a.ctx.tenant_id, Str(*a.before, "id")}
            )
        );
        const int64_t count = storage::AsInt(deals.rows[0][0]);
        if (count == 0) {
            return core::Ok();
        }
        const std::string what = "Stage '" + Str(*a.before, "name") + "' has " +
                                 std::to_string(count) + (count == 1 ? " deal" : " deals");
        if (archiving) {
            return Error::Conflict(
                what + "; move them to another stage first (move_deals_to)",
                {{"archived", "the stage still has deals"}}
            );
        }
        return Error::Conflict(
            what + "; its kind cannot change while deals are in it",
            {{"kind", "the stage still has deals"}}
        );
    };
}

}  // namespace

records::EntityDef PipelineEntity() {
    records::EntityDef e;
    e.name = "pipelines";
    e.label = "Pipelines";
    e.title_fields = {"name"};
    e.default_sort = "sort_order,name";
    e.has_owner = false;
    e.admin_writes = true;
    e.fields = {
        {.name = "name",
         .type = FieldType::kText,
         .label = "Name",
         .required = true,
         .searchable = true,
         .max_length = 200},
        {.name = "archived", .type = FieldType::kBool, .label = "Archived"},
        {.name = "sort_order", .type = FieldType::kInteger, .label = "Sort order"},
    };
    e.before_write = {PipelineHook()};
    return e;
}

records::EntityDef StageEntity() {
    records::EntityDef e;
    e.name = "stages";
    e.label = "Stages";
    e.title_fields = {"name"};
    e.default_sort = "position";
    e.has_owner = false;
    e.admin_writes = true;
    e.fields = {
        {.name = "pipeline_id",
         .type = FieldType::kReference,
         .label = "Pipeline",
         .required = true,
         .ref_entity = "pipelines"},
        {.name = "name",
         .type = FieldType::kText,
         .label = "Name",
         .required = true,
         .max_length = 200},
        {.name = "probability", .type = FieldType::kInteger, .label = "Probability, %"},
        {.name = "kind",
         .type = FieldType::kEnum,
         .label = "Kind",
         .options = {"open", "won", "lost"}},
        {.name = "position", .type = FieldType::kInteger, .label = "Position"},
        {.name = "archived", .type = FieldType::kBool, .label = "Archived"},
    };
    e.before_write = {StageHook()};
    return e;
}

}  // namespace voronka::sales
