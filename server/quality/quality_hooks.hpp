// Wires data quality into the record engine: matching keys and flags on every write of contacts,
// companies and leads, the lead -> contact link, and the "duplicates" block of create responses.
#pragma once

#include <string_view>

#include "records/metadata.hpp"

namespace voronka::quality {

// Adds to each registered entity of QualityProfiles() the read-only fields
//   persons (contacts, leads): email_key, name_latin, name_key, quality_flags
//   companies:                 email_key, website_key, inn_key, name_key, quality_flags
//   leads also:                duplicate_of_contact_id (the contact this lead most likely is)
// with a before_write hook that computes them (it must run after sales::PhoneE164Hook, which
// the entities register first), and an after_create hook that adds "duplicates" (likely
// duplicates within the caller's read scope, see DuplicatesJson) to the create response.
// Entities not registered yet are skipped. Keeps a reference to `registry`.
// REQUIRES: called once, at start-up, after the sales entities are registered.
void InstallDataQuality(records::EntityRegistry& registry);

// The quality_flags field (read-only multi-enum of kQualityFlags).
records::FieldDef QualityFlagsField();

// The before_write hook InstallDataQuality adds to `entity` for its matching keys and flags,
// without the lead -> contact lookup: for bulk loads that write many records past the engine.
// REQUIRES: `entity` is one of QualityProfiles() (contacts, companies, leads).
records::WriteHook MatchingKeysHook(std::string_view entity);

}  // namespace voronka::quality
