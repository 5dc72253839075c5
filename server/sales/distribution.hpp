// Automatic distribution of new leads and deals to sales reps by rules (round robin, least loaded).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "records/metadata.hpp"

namespace voronka::sales {

struct Assignment {
    std::string user_id;
    std::string rule_id;
    std::optional<int64_t> first_task_minutes;  // create a first-contact task due in N minutes
};

// The distribution_rules entity: {name, entity: leads|deals, conditions: {field: value|[values]},
// strategy: round_robin|least_loaded, team_id | user_ids: [..], first_task_minutes, active,
// position}. Writes need the metadata right.
records::EntityDef DistributionRuleEntity();

// Picks the owner of a new `entity` record (leads or deals) from the first active rule, by
// position, whose conditions all match `input` (the create body; custom fields under "custom"
// too). Round-robin state lives in distribution_state and is advanced in `tx`, so a rolled-back
// create does not advance it; on PostgreSQL the state row is locked, so concurrent creates take
// turns. nullopt when no rule matches or the matching rule has no active user.
core::Result<std::optional<Assignment>> Distribute(
    storage::Connection& tx,
    const access::RequestContext& ctx,
    std::string_view entity,
    const core::Json& input,
    const core::Clock& clock
);

}  // namespace voronka::sales
