// Registration of the operational core's entities, in dependency order.
#include "sales/sales_entities.hpp"

#include "sales/distribution.hpp"

namespace voronka::sales {

void RegisterOperationalEntities(records::EntityRegistry& registry, const core::Clock& clock) {
    registry.Register(PipelineEntity());
    registry.Register(StageEntity());
    registry.Register(DealEntity(clock));
    registry.Register(DealLineEntity());
    registry.Register(LeadEntity());
    registry.Register(ActivityEntity(clock, registry));
    registry.Register(DistributionRuleEntity());
    registry.Register(ProductEntity());
    registry.Register(PriceListEntity());
    registry.Register(PriceEntity());
}

}  // namespace voronka::sales
