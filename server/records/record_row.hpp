// Internal to the record engine: the column list of an entity and row <-> API conversion.
#pragma once

#include <string>
#include <vector>

#include "records/metadata.hpp"

namespace voronka::records::internal {

// System columns first, then built-in field columns, then `custom`.
std::string SelectColumns(const EntityDef& def, std::string_view prefix = "");

// Converts a row selected with SelectColumns (starting at column `offset`) to the API body.
Json RowToBody(const EntityDef& def, const std::vector<storage::Value>& row, size_t offset = 0);

// The record's currency for money fields (value of the field named by currency_field).
std::string CurrencyOf(const FieldDef& money, const Json& body);

// A field's value in a flat API body (custom fields are looked up under "custom").
Json ValueOf(const FieldDef& field, const Json& body);

// Whether the search document of a record (title, searchable text, owner) differs between two
// bodies: an update that changes none of them (a deal moved to another stage) keeps its document.
bool SearchDocumentDiffers(const EntityDef& def, const Json& before, const Json& after);

}  // namespace voronka::records::internal
