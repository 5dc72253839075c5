// Registers the sales domain's entities (contacts, companies, deals, ...) with the record engine.
#pragma once

#include <string>
#include <vector>

#include "core/clock.hpp"
#include "records/metadata.hpp"

namespace voronka::sales {

// Contacts and companies.
void RegisterSalesEntities(records::EntityRegistry& registry);

// The operational core: pipelines, stages, deals, deal_lines, leads, activities,
// distribution_rules, products, price_lists, prices. The hooks keep references to `clock`
// (won_at, done_at, ...) and `registry` (what activities may be attached to): both must outlive
// every use of the registry.
void RegisterOperationalEntities(records::EntityRegistry& registry, const core::Clock& clock);

records::EntityDef ContactEntity();
records::EntityDef CompanyEntity();
records::EntityDef PipelineEntity();
records::EntityDef StageEntity();
records::EntityDef DealEntity(const core::Clock& clock);
records::EntityDef DealLineEntity();
records::EntityDef LeadEntity();
records::EntityDef ActivityEntity(
    const core::Clock& clock, const records::EntityRegistry& registry
);
records::EntityDef ProductEntity();
records::EntityDef PriceListEntity();
records::EntityDef PriceEntity();

// Where a lead or deal came from (deals add "referral").
const std::vector<std::string>& SourceOptions();

}  // namespace voronka::sales
