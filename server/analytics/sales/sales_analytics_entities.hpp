// Entities of the sales analytics on the record engine: sales_plans, campaign_costs, reports.
#pragma once

#include <string>
#include <vector>

#include "records/metadata.hpp"

namespace voronka::analytics {

// A month's target ("period" YYYY-MM, amount + currency) for one user (owner_id) or one team
// (team_id), never both. Writes need the "all" scope (admins, managers); a plan for a user is
// read within the usual owner scope, a team plan by roles that see all records.
records::EntityDef SalesPlanEntity();

// Marketing spend: source (one of `sources`), campaign, period YYYY-MM, amount + currency.
// Shared: everyone who reads analytics sees it; writes need the "all" scope.
records::EntityDef CampaignCostEntity(const std::vector<std::string>& sources);

// A saved report-builder query: name, definition {"entity", "group_by": [..], "aggregate": [..],
// "filters": [{"field", "op", "value"}]}, optional shared_team_id (that team may run it).
// `registry` names the entities a definition may refer to and must outlive the entity.
records::EntityDef ReportEntity(const records::EntityRegistry& registry);

// Registers the three entities (deal sources come from the registered "deals" entity) and adds
// the analytics roll-up hooks to deals and leads (period_rollups.hpp).
void RegisterSalesAnalyticsEntities(records::EntityRegistry& registry);

}  // namespace voronka::analytics
