// Saved list views: a user's named filters, sort and columns for one entity's list, private or
// shared with the user's team. An ordinary entity of the record engine, marked personal.
#pragma once

#include "records/metadata.hpp"

namespace voronka::records {

EntityDef ListViewEntity();

}  // namespace voronka::records
