// A realistic demo company: Russian, Ukrainian and English people and firms, two pipelines,
// a product catalogue with price lists, a year of leads and deals with stage history, activities.
#pragma once

#include "records/record_service.hpp"

namespace voronka::sales {

struct DemoOptions {
    int contacts = 200;
    uint64_t seed = 42;
    int deals = -1;  // -1: scaled from contacts (clamped to 60..20000)
    int leads = -1;  // -1: scaled from contacts (clamped to 150..20000)
    // SQLite: a phase of at least this many records (companies, contacts, deals and leads) is
    // loaded in one transaction, its tables' secondary indexes built after the rows.
    int64_t one_transaction_from = 50000;
};

// Fills the tenant of `ctx` (an administrator's context). Configuration (pipelines, products,
// price lists, a distribution rule) and a few deals with product lines go through the record
// engine and its hooks; the bulk of the data (companies, contacts, leads, deals with their stage
// history, activities) goes through BulkWriter in large transactions, with the same rows, events
// and search documents the engine would write, backdated over the last year. Existing pipelines
// and products of the tenant are reused. Ends with the derived state the engine's after-write
// hooks would have kept: the deals' board roll-ups and the customers' metrics. Deterministic for
// a seed apart from ids and the current time. Returns the number of records created. The entities
// of RegisterOperationalEntities must be registered.
core::Result<int64_t> FillDemoCompany(
    records::RecordService& records, const access::RequestContext& ctx, const DemoOptions& options
);

}  // namespace voronka::sales
