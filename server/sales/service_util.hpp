// Internal to the sales domain: helpers the services share on top of the record engine.
#pragma once

#include <string>
#include <vector>

#include "records/record_service.hpp"

namespace voronka::sales::internal {

// Every record of `entity` matching `filters`, following cursor pages of 500 (at most `cap`).
core::Result<std::vector<core::Json>> ListAll(
    records::RecordService& records,
    storage::Connection& c,
    const access::RequestContext& ctx,
    const std::string& entity,
    std::vector<records::FilterTerm> filters,
    const std::string& sort,
    size_t cap = 100000
);

// The same error with each field error renamed "<prefix><field>" (e.g. "stages[2].name").
core::Error PrefixFields(core::Error error, const std::string& prefix);

// Drops the fields the caller's role may not see from a body built outside the engine: hidden
// fields, the fields derived from them and hidden custom values (records::EraseHiddenFields).
void HideFields(
    const records::RecordService& records,
    const access::RequestContext& ctx,
    const std::string& entity,
    core::Json& body
);

// Whether the caller's role may see `field` of `entity` (neither it nor a source is hidden).
bool FieldVisible(
    const records::RecordService& records,
    const access::RequestContext& ctx,
    const std::string& entity,
    std::string_view field
);

}  // namespace voronka::sales::internal
