// The sales domain's operations beyond plain CRUD: pipelines with stages, the kanban board,
// product lines, stage history, lead conversion, distribution on create, timelines and my day.
//
// Every function takes the RequestContext and works inside the caller's transaction (writes) or
// read connection (reads), through the record engine, so each change writes its event and
// search document, and a failing call leaves nothing behind once its transaction rolls back.
#pragma once

#include <optional>
#include <string>

#include "core/clock.hpp"
#include "records/record_service.hpp"

namespace voronka::sales {

using core::Json;
using core::Result;
using records::RequestContext;
using storage::Connection;

struct BoardQuery {
    std::string owner_id;  // only deals of this owner
    std::string team_id;   // only deals owned by members of this team
    std::string tag;       // only deals with this tag
    int limit = 20;        // cards per stage, 0..100
};

struct TimelineQuery {
    std::string cursor;
    int limit = 50;  // 1..200
};

struct MyDayQuery {
    std::string date;       // "YYYY-MM-DD" in time_zone; "" = today
    std::string time_zone;  // IANA name; "" = the user's
};

class SalesService {
public:
    SalesService(records::RecordService& records, const core::Clock& clock);

    // {"name", "sort_order"?, "stages"?: [{"name", "probability"?, "kind"?}, ...]} -> the
    // pipeline with "stages" (ids, positions 0..n-1; up to 50). Errors in a stage name the field
    // "stages[i].name". Needs the metadata right (administrators).
    Result<Json> CreatePipeline(Connection& tx, const RequestContext& ctx, const Json& input);

    // The pipeline with all its stages (archived ones flagged), ordered by position.
    Result<Json> GetPipeline(Connection& c, const RequestContext& ctx, const std::string& id);

    // {"data": [pipeline with stages], "next_cursor": null}; archived pipelines and stages only
    // when asked.
    Result<Json> ListPipelines(Connection& c, const RequestContext& ctx, bool include_archived);

    // Renames, archives and reorders: {"name"?, "archived"?, "sort_order"?, "stages"?: [{"id"?,
    // "name"?, "probability"?, "kind"?, "archived"?, "move_deals_to"?}]}. Listed stages take
    // positions in list order, unlisted ones follow in their old order; entries without "id" are
    // new stages. Archiving a stage that has deals is kConflict unless move_deals_to names an
    // active stage of the same pipeline, to which the deals are moved first.
    // if_match: the pipeline's version (kPrecondition when stale).
    Result<Json> UpdatePipeline(
        Connection& tx,
        const RequestContext& ctx,
        const std::string& id,
        const Json& input,
        std::optional<int64_t> if_match
    );

    // Refuses to delete a stage or pipeline that still has deals (kConflict), else deletes it.
    core::Status DeleteStageOrPipeline(
        Connection& tx,
        const RequestContext& ctx,
        const std::string& entity,
        const std::string& id,
        std::optional<int64_t> if_match
    );

    // {"pipeline": {id, name}, "stages": [{id, name, kind, probability, count,
    //  sums: {"RUB": "3001.00"}, cards: [first `limit` deals, most recently updated first]}]}
    // Counts, sums and cards only include deals within the caller's read scope.
    Result<Json> Board(
        Connection& c,
        const RequestContext& ctx,
        const std::string& pipeline_id,
        const BoardQuery& query
    );

    // Creates a lead or a deal; without an explicit owner_id the distribution rules pick one and
    // may add a first-contact task, in the same transaction. Distribution applies only when the
    // caller may create such records for anyone (create scope "all").
    Result<records::Record> CreateWithDistribution(
        Connection& tx, const RequestContext& ctx, const std::string& entity, const Json& input
    );

    // {"data": [lines by position], "totals": {"amount", "tax_amount", "total", "currency"}}.
    // Totals the caller's role may not see are left out (a hidden line field, or the deal's
    // hidden amount when it follows the lines).
    Result<Json> DealLines(Connection& c, const RequestContext& ctx, const std::string& deal_id);

    // Replaces the deal's lines with {"lines": [{"id"?, "product_id"?, "name"?, "quantity",
    // "price"?, "price_list_id"?, "discount_percent"?, "tax_percent"?}]}: lines with an id are
    // updated, without one created, missing ones deleted, each with its event. When the deal's
    // amount_from_lines is true (or "set_amount": true is given) the deal's amount becomes the
    // lines' total. Errors name "lines[i].field". if_match: the deal's version.
    Result<Json> ReplaceDealLines(
        Connection& tx,
        const RequestContext& ctx,
        const std::string& deal_id,
        const Json& input,
        std::optional<int64_t> if_match
    );

    // Stage moves from the event log: {"data": [{version, at, actor_id, from_stage_id,
    // from_stage_name, to_stage_id, to_stage_name, status}]} oldest first.
    Result<Json> StageHistory(Connection& c, const RequestContext& ctx, const std::string& deal_id);

    // {"contact_id"?, "company_id"?, "deal"?: {"pipeline_id", "stage_id", "title"?, "amount"?,
    // "currency"?}} -> {"contact_id", "company_id" (null without a company), "deal_id" (null)}.
    // Existing records are used where ids are given; a company is created only from the lead's
    // company_name. The lead becomes status "converted" with links to what it became. kConflict
    // when already converted. Errors in the deal name "deal.field".
    Result<Json> ConvertLead(
        Connection& tx, const RequestContext& ctx, const std::string& lead_id, const Json& input
    );

    // Activities attached to the record (and to the leads converted into it) merged with the
    // record's field history, newest first: {"data": [{"kind": "activity", "at", "activity"} |
    // {"kind": "change", "at", "entity", "record_id", "version", "action", "actor_id",
    // "changes"}], "next_cursor"}.
    Result<Json> Timeline(
        Connection& c,
        const RequestContext& ctx,
        const std::string& entity,
        const std::string& id,
        const TimelineQuery& query
    );

    // The caller's open tasks (overdue, due today) and today's meetings:
    // {"date", "time_zone", "overdue": [...], "today": [...], "meetings": [...]}.
    Result<Json> MyDay(Connection& c, const RequestContext& ctx, const MyDayQuery& query);

    // {"price_list": {...}, "data": [{id, product_id, product_name, sku, unit, price, currency}]}.
    Result<Json> PriceListPrices(Connection& c, const RequestContext& ctx, const std::string& id);

    records::RecordService& records() { return records_; }

    const core::Clock& clock() const { return clock_; }

private:
    // DealLines of an already loaded deal with every total, before field rules: the deal's
    // amount is set from it, so the totals are summed in SQL over all of the deal's lines, not
    // over the caller's view of them (which may leave a hidden `total` out).
    Result<Json> AllDealLines(
        Connection& c, const RequestContext& ctx, const records::Record& deal
    );

    Result<Json> StagesOf(
        Connection& c,
        const RequestContext& ctx,
        const std::string& pipeline_id,
        bool include_archived
    );

    records::RecordService& records_;
    const core::Clock& clock_;
};

}  // namespace voronka::sales
