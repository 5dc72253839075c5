// Loader for the Febrl synthetic person data sets (shared/data/febrl), with ground truth.
#pragma once

#include <string>

#include "core/result.hpp"
#include "quality/dedupe_metrics.hpp"

namespace voronka::quality {

// Reads a Febrl CSV ("rec_id, given_name, surname, street_number, address_1, address_2, suburb,
// postcode, state, date_of_birth, soc_sec_id"; comma + space separated, no quoting). The
// entity of "rec-<k>-org" and "rec-<k>-dup-<j>" is k; every record gets `source`.
// Errors: kNotFound if the file cannot be opened, kInvalid on a malformed line (with its number).
core::Result<LabeledRecords> LoadFebrl(const std::string& path, int source = 0);

// Appends `more` to `into` (to link two files such as dataset4a and dataset4b).
void AppendRecords(LabeledRecords& into, LabeledRecords more);

}  // namespace voronka::quality
