// Analytics roll-ups of deals and leads per month: the write hooks, the recount and month ranges.
#include "analytics/sales/period_rollups.hpp"

#include <chrono>
#include <cstdio>
#include <map>
#include <tuple>

#include "analytics/sales/stage_rollups.hpp"
#include "core/clock.hpp"
#include "core/money.hpp"
#include "storage/batch_insert.hpp"
#include "storage/dialect.hpp"

namespace voronka::analytics {

using core::Error;
using core::Json;
using core::Status;

namespace chr = std::chrono;

namespace {

// The month of the rows that add up every month (and records without a date): what a figure
// without a date range reads. Sorts before "0000-00", so month ranges leave it out.
constexpr const char* kAllMonths = "*";

std::string Str(const Json& body, std::string_view key) {
    auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "YYYY-MM" of a timestamp field of the API body; "" when it has none.
std::string MonthOfField(const Json& body, std::string_view key) {
    const std::optional<int64_t> micros = core::ParseTimestamp(Str(body, key));
    return micros ? MonthOf(*micros) : std::string();
}

// A roll-up row's key (the table's key after tenant_id) and what a record adds to it.
using DealKey = std::tuple<
    std::string,   // basis
    std::string,   // month
    std::string,   // pipeline_id
    std::string,   // owner_id
    std::string,   // source
    std::string,   // status
    std::string,   // loss_reason
    std::string>;  // currency

struct DealSums {
    int64_t deals = 0;
    int64_t amounts = 0;
    int64_t amount_minor = 0;
    int64_t weighted_minor = 0;
};

// Adds `sign` times a deal to every roll-up row it belongs to (see migration 0013).
Status AddDeal(const Json& deal, int64_t sign, std::map<DealKey, DealSums>& out) {
    const std::string status = Str(deal, "status");
    std::vector<std::pair<const char*, std::string>> places;
    if (status == "won" || status == "lost") {
        places.emplace_back("closed", MonthOfField(deal, "closed_at"));
    }
    if (status == "won") {
        places.emplace_back("won", MonthOfField(deal, "won_at"));
    }
    if (status == "open") {
        places.emplace_back("expected", Str(deal, "expected_close_date").substr(0, 7));
    }
    if (places.empty()) {
        return core::Ok();
    }
    const std::string currency = Str(deal, "currency");
    DealSums add{sign, 0, 0, 0};
    const std::string amount = Str(deal, "amount");
    if (!amount.empty()) {
        auto minor = core::ParseAmount(amount, currency);
        if (!minor) {
            return Error::Internal("A deal's amount cannot be rolled up: " + minor.error().message);
        }
        const auto p = deal.find("probability");
        const int64_t probability =
            p != deal.end() && p->is_number_integer() ? p->get<int64_t>() : 0;
        add.amounts = sign;
        add.amount_minor = sign * *minor;
        add.weighted_minor = sign * *minor * probability;
    }
    for (auto& [basis, month] : places) {
        for (const std::string& m : {month, std::string(kAllMonths)}) {
            DealSums& s = out[DealKey{
                basis,
                m,
                Str(deal, "pipeline_id"),
                Str(deal, "owner_id"),
                Str(deal, "source"),
                status,
                Str(deal, "loss_reason"),
                currency}];
            s.deals += add.deals;
            s.amounts += add.amounts;
            s.amount_minor += add.amount_minor;
            s.weighted_minor += add.weighted_minor;
        }
    }
    return core::Ok();
}

Status Done(core::Result<int64_t> r) { return r ? core::Ok() : Status(std::move(r).error()); }

using LeadKey = std::tuple<std::string, std::string, std::string, std::string>;

struct LeadSums {
    int64_t leads = 0;
    int64_t converted = 0;
};

void AddLead(const Json& lead, int64_t sign, std::map<LeadKey, LeadSums>& out) {
    for (const std::string& m : {MonthOfField(lead, "created_at"), std::string(kAllMonths)}) {
        LeadSums& s =
            out[LeadKey{m, Str(lead, "owner_id"), Str(lead, "source"), Str(lead, "campaign")}];
        s.leads += sign;
        s.converted += Str(lead, "status") == "converted" ? sign : 0;
    }
}

// The record before the write leaves its rows and the record after enters its rows, as the
// board's roll-ups do: delete takes `after` (the deleted record) out, restore puts it back.
template <typename Key, typename Sums, typename Add>
Status Changes(const records::AfterWriteArgs& a, std::map<Key, Sums>& delta, Add add) {
    if (a.action == "delete") {
        return add(a.after, -1, delta);
    }
    if (a.before) {
        VK_RETURN_IF_ERROR(add(*a.before, -1, delta));
    }
    return add(a.after, 1, delta);
}

}  // namespace

std::string MonthOf(int64_t micros) {
    const auto day =
        chr::floor<chr::days>(chr::sys_time<chr::microseconds>(chr::microseconds(micros)));
    const chr::year_month_day ymd{day};
    char buf[32];
    std::snprintf(
        buf,
        sizeof buf,
        "%04d-%02u",
        static_cast<int>(ymd.year()),
        static_cast<unsigned>(ymd.month())
    );
    return buf;
}

records::AfterWriteHook DealPeriodRollupHook() {
    return [](const records::AfterWriteArgs& a) -> Status {
        std::map<DealKey, DealSums> delta;
        VK_RETURN_IF_ERROR(Changes(a, delta, AddDeal));
        // One statement, rows in key order (the map's), so two writes running at once on
        // PostgreSQL wait for each other instead of deadlocking.
        storage::BatchInsert upsert(
            a.tx,
            "INSERT INTO deal_period_rollups (tenant_id, basis, month, pipeline_id, owner_id, "
            "source, status, loss_reason, currency, deals, amounts, amount_minor, "
            "weighted_minor) VALUES ",
            13,
            " ON CONFLICT (tenant_id, basis, month, pipeline_id, owner_id, source, status, "
            "loss_reason, currency) DO UPDATE SET "
            "deals = deal_period_rollups.deals + excluded.deals, "
            "amounts = deal_period_rollups.amounts + excluded.amounts, "
            "amount_minor = deal_period_rollups.amount_minor + excluded.amount_minor, "
            "weighted_minor = deal_period_rollups.weighted_minor + excluded.weighted_minor"
        );
        for (const auto& [key, s] : delta) {
            if (s.deals == 0 && s.amounts == 0 && s.amount_minor == 0 && s.weighted_minor == 0) {
                continue;
            }
            const auto& [basis, month, pipeline, owner, source, status, reason, currency] = key;
            VK_RETURN_IF_ERROR(upsert.Add(
                {a.ctx.tenant_id,
                 basis,
                 month,
                 pipeline,
                 owner,
                 source,
                 status,
                 reason,
                 currency,
                 s.deals,
                 s.amounts,
                 s.amount_minor,
                 s.weighted_minor}
            ));
        }
        return upsert.Flush();
    };
}

records::AfterWriteHook LeadPeriodRollupHook() {
    return [](const records::AfterWriteArgs& a) -> Status {
        std::map<LeadKey, LeadSums> delta;
        VK_RETURN_IF_ERROR(Changes(
            a,
            delta,
            [](const Json& lead, int64_t sign, std::map<LeadKey, LeadSums>& out) -> Status {
                AddLead(lead, sign, out);
                return core::Ok();
            }
        ));
        for (const auto& [key, s] : delta) {
            if (s.leads == 0 && s.converted == 0) {
                continue;
            }
            const auto& [month, owner, source, campaign] = key;
            VK_RETURN_IF_ERROR(Done(a.tx.Execute(
                "INSERT INTO lead_period_rollups (tenant_id, month, owner_id, source, campaign, "
                "leads, converted) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                "ON CONFLICT (tenant_id, month, owner_id, source, campaign) DO UPDATE SET "
                "leads = lead_period_rollups.leads + excluded.leads, "
                "converted = lead_period_rollups.converted + excluded.converted",
                {a.ctx.tenant_id, month, owner, source, campaign, s.leads, s.converted}
            )));
        }
        return core::Ok();
    };
}

void ExtendForPeriodRollups(records::EntityRegistry& registry) {
    registry.Extend("deals", [](records::EntityDef& e) {
        e.after_write.push_back(DealPeriodRollupHook());
        e.after_write.push_back(DealStageRollupHook());
    });
    registry.Extend("leads", [](records::EntityDef& e) {
        e.after_write.push_back(LeadPeriodRollupHook());
    });
}

namespace {}  // namespace

Status RebuildPeriodRollups(storage::Connection& tx, int64_t tenant_id) {
    for (const char* table : {"deal_period_rollups", "lead_period_rollups"}) {
        VK_RETURN_IF_ERROR(Done(
            tx.Execute("DELETE FROM " + std::string(table) + " WHERE tenant_id = $1", {tenant_id})
        ));
    }
    const storage::Dialect d = tx.dialect();
    const std::string live = " FROM deals d WHERE tenant_id = $1 AND deleted_at IS NULL AND ";
    VK_RETURN_IF_ERROR(Done(tx.Execute(
        "INSERT INTO deal_period_rollups (tenant_id, basis, month, pipeline_id, owner_id, source, "
        "status, loss_reason, currency, deals, amounts, amount_minor, weighted_minor) "
        "SELECT tenant_id, basis, month, COALESCE(pipeline_id, ''), COALESCE(owner_id, ''), "
        "COALESCE(source, ''), status, COALESCE(loss_reason, ''), COALESCE(currency, ''), "
        "COUNT(*), COUNT(amount), COALESCE(CAST(SUM(amount) AS BIGINT), 0), "
        "COALESCE(CAST(SUM(amount * COALESCE(probability, 0)) AS BIGINT), 0) FROM ("
        "SELECT tenant_id, pipeline_id, owner_id, source, status, loss_reason, currency, amount, "
        "probability, 'closed' AS basis, COALESCE(" +
            storage::UtcMonth(d, "closed_at") + ", '') AS month" + live +
            "status IN ('won', 'lost') UNION ALL "
            "SELECT tenant_id, pipeline_id, owner_id, source, status, loss_reason, currency, "
            "amount, probability, 'won', COALESCE(" +
            storage::UtcMonth(d, "won_at") + ", '')" + live +
            "status = 'won' UNION ALL "
            "SELECT tenant_id, pipeline_id, owner_id, source, status, loss_reason, currency, "
            "amount, probability, 'expected', COALESCE(substr(expected_close_date, 1, 7), '')" +
            live +
            "status = 'open') x GROUP BY tenant_id, basis, month, COALESCE(pipeline_id, ''), "
            "COALESCE(owner_id, ''), COALESCE(source, ''), status, COALESCE(loss_reason, ''), "
            "COALESCE(currency, '')",
        {tenant_id}
    )));
    VK_RETURN_IF_ERROR(Done(tx.Execute(
        "INSERT INTO deal_period_rollups (tenant_id, basis, month, pipeline_id, owner_id, source, "
        "status, loss_reason, currency, deals, amounts, amount_minor, weighted_minor) "
        "SELECT tenant_id, basis, '*', pipeline_id, owner_id, source, status, loss_reason, "
        "currency, CAST(SUM(deals) AS BIGINT), CAST(SUM(amounts) AS BIGINT), "
        "CAST(SUM(amount_minor) AS BIGINT), CAST(SUM(weighted_minor) AS BIGINT) FROM "
        "deal_period_rollups WHERE tenant_id = $1 GROUP BY tenant_id, basis, pipeline_id, "
        "owner_id, source, status, loss_reason, currency",
        {tenant_id}
    )));
    VK_RETURN_IF_ERROR(Done(tx.Execute(
        "INSERT INTO lead_period_rollups (tenant_id, month, owner_id, source, campaign, leads, "
        "converted) SELECT tenant_id, " +
            storage::UtcMonth(d, "created_at") +
            ", COALESCE(owner_id, ''), COALESCE(source, ''), COALESCE(campaign, ''), COUNT(*), "
            "SUM(CASE WHEN status = 'converted' THEN 1 ELSE 0 END) FROM leads "
            "WHERE tenant_id = $1 AND deleted_at IS NULL GROUP BY tenant_id, " +
            storage::UtcMonth(d, "created_at") +
            ", COALESCE(owner_id, ''), COALESCE(source, ''), COALESCE(campaign, '')",
        {tenant_id}
    )));
    return Done(tx.Execute(
        "INSERT INTO lead_period_rollups (tenant_id, month, owner_id, source, campaign, leads, "
        "converted) SELECT tenant_id, '*', owner_id, source, campaign, CAST(SUM(leads) AS BIGINT), "
        "CAST(SUM(converted) AS BIGINT) FROM lead_period_rollups WHERE tenant_id = $1 "
        "GROUP BY tenant_id, owner_id, source, campaign",
        {tenant_id}
    ));
}

namespace {

// Midnight UTC of the first day of the month that contains `micros`, shifted by `offset` months.
int64_t MonthStart(int64_t micros, int offset) {
    const auto day =
        chr::floor<chr::days>(chr::sys_time<chr::microseconds>(chr::microseconds(micros)));
    const chr::year_month_day ymd{day};
    const chr::year_month ym = ymd.year() / ymd.month() + chr::months(offset);
    return chr::duration_cast<chr::microseconds>(chr::sys_days{ym / 1}.time_since_epoch()).count();
}

}  // namespace

MonthSplit SplitByMonths(std::optional<int64_t> from, std::optional<int64_t> to) {
    MonthSplit s;
    if (!from && !to) {
        s.all_months = true;
        return s;
    }
    // Whole months lie in [lo, hi): lo the first month start at or after `from`, hi the last
    // month start at or before `to`.
    std::optional<int64_t> lo;
    std::optional<int64_t> hi;
    if (from) {
        lo = MonthStart(*from, 0) == *from ? *from : MonthStart(*from, 1);
    }
    if (to) {
        hi = MonthStart(*to, 0);
    }
    if (lo && hi && *lo >= *hi) {
        s.none = true;
        if (*from < *to) {
            s.edges.emplace_back(*from, *to);
        }
        return s;
    }
    s.first = lo ? MonthOf(*lo) : "0000-00";
    s.last = hi ? MonthOf(MonthStart(*hi, -1)) : "9999-99";
    if (from && *from < *lo) {
        s.edges.emplace_back(*from, *lo);
    }
    if (to && *hi < *to) {
        s.edges.emplace_back(*hi, *to);
    }
    return s;
}

std::string MonthSplit::MonthCondition(std::vector<storage::Value>& params) const {
    if (all_months) {
        params.emplace_back(std::string(kAllMonths));
        return " AND month = $" + std::to_string(params.size());
    }
    if (none) {
        return " AND 1 = 0";
    }
    params.emplace_back(first);
    const std::string a = "$" + std::to_string(params.size());
    params.emplace_back(last);
    return " AND month >= " + a + " AND month <= $" + std::to_string(params.size());
}

}  // namespace voronka::analytics
