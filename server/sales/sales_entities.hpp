// Registers the sales domain's entities (contacts, companies, ...) with the record engine.
#pragma once

#include "records/metadata.hpp"

namespace voronka::sales {

void RegisterSalesEntities(records::EntityRegistry& registry);

records::EntityDef ContactEntity();
records::EntityDef CompanyEntity();

}  // namespace voronka::sales
