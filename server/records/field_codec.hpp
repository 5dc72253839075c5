// Conversions of one field's value between API JSON, storage values and filter strings.
#pragma once

#include <string>
#include <string_view>

#include "records/metadata.hpp"

namespace voronka::records {

// Checks a client-supplied value against the field's type and returns its canonical API form
// (NFC text, lower-case currency upper-cased, ...). Null and "" mean "no value" (null).
// Money stays a decimal string here; its exactness is checked once the currency is known.
// Errors are kInvalid with one field error naming the field.
Result<Json> ValidateFieldValue(const FieldDef& field, const Json& value);

// API form -> storage. REQUIRES: value came from ValidateFieldValue (or storage).
// currency: the record's currency for kMoney fields.
Result<storage::Value> ToStorage(const FieldDef& field, const Json& value, std::string_view currency);

// Storage -> API form.
Json FromStorage(const FieldDef& field, const storage::Value& value, std::string_view currency);

// Custom fields live in a JSON object; values keep their API form except datetime/money which
// are stored in sortable form (microseconds, minor units).
Json ToCustomJson(const FieldDef& field, const Json& value, std::string_view currency);
Json FromCustomJson(const FieldDef& field, const Json& stored, std::string_view currency);

// A filter operand from the query string, typed for comparison with the stored column.
Result<storage::Value> FilterOperand(const FieldDef& field, std::string_view text);

}  // namespace voronka::records
