// The reasons of a duplicate match as a role may see them: a reason names the fields it compared
// ("same_phone"), so it would tell a role that hides the phone that two hidden numbers agree.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "records/metadata.hpp"

namespace voronka::quality {

// `reasons` without those that compare a field of `def` hidden by `hidden` (derived fields such
// as phone_e164 follow their source). Reasons naming no field of `def` are kept.
std::vector<std::string> VisibleReasons(
    std::vector<std::string> reasons,
    const records::EntityDef& def,
    const std::set<std::string>& hidden
);

}  // namespace voronka::quality
