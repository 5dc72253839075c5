// A realistic demo company: Russian, Ukrainian and English people and firms.
#pragma once

#include "records/record_service.hpp"

namespace voronka::sales {

struct DemoOptions {
    int contacts = 200;
    uint64_t seed = 42;
};

// Fills the tenant of `ctx` through the record engine (so history, search and normalisation
// are as for any write), committing in batches. Returns the number of records created.
core::Result<int64_t> FillDemoCompany(records::RecordService& records, const access::RequestContext& ctx, const DemoOptions& options);

}  // namespace voronka::sales
