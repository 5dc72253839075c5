// RFM segments, cohorts, CLV fits and one contact's analytics, within the caller's read scope.
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <spdlog/spdlog.h>

#include "analytics/customer_summary.hpp"
#include "analytics/customer_value.hpp"
#include "analytics/customers/customer_analytics.hpp"
#include "analytics/customers/customers_internal.hpp"
#include "analytics/date_format.hpp"
#include "analytics/rfm_score.hpp"
#include "core/money.hpp"
#include "storage/batch_insert.hpp"

namespace voronka::analytics {

using core::Error;
using namespace customers_internal;

namespace {

constexpr const char* kJoinContacts =
    " JOIN contacts c ON c.tenant_id = {t}.tenant_id AND c.id = {t}.contact_id "
    "AND c.deleted_at IS NULL ";

std::string JoinContacts(const std::string& alias) {
    std::string sql = kJoinContacts;
    for (size_t at = sql.find("{t}"); at != std::string::npos; at = sql.find("{t}")) {
        sql.replace(at, 3, alias);
    }
    return sql;
}

Json Money(int64_t minor, const std::string& currency) {
    return core::FormatAmount(minor, currency);
}

Json RevenueOut(const std::map<std::string, int64_t>& revenue) {
    Json out = Json::object();
    for (const auto& [currency, minor] : revenue) {
        out[currency] = core::FormatAmount(minor, currency);
    }
    return out;
}

Status AddRevenue(std::map<std::string, int64_t>& into, const std::string& stored) {
    const Json revenue = Json::parse(stored, nullptr, false);
    if (!revenue.is_object()) {
        return core::Ok();
    }
    for (const auto& [currency, minor] : revenue.items()) {
        if (minor.is_number_integer() && core::IsCurrencyCode(currency)) {
            VK_ASSIGN_OR_RETURN(
                into[currency], core::AddMinor(into[currency], minor.get<int64_t>())
            );
        }
    }
    return core::Ok();
}

bool IsMonth(std::string_view text) {
    if (text.size() != 7 || text[4] != '-') {
        return false;
    }
    for (size_t i : {0, 1, 2, 3, 5, 6}) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
    }
    const int month = (text[5] - '0') * 10 + (text[6] - '0');
    return month >= 1 && month <= 12;
}

double Finite(double x) { return std::isfinite(x) ? x : 0.0; }

int64_t RoundMinor(double x) {
    return std::isfinite(x) && std::fabs(x) < 9e15 ? std::llround(x) : 0;
}

// clv_owner_rollups from the values just written, as RebuildClvRollups counts them from
// clv_customers: one read of the live contacts' owners instead of a join per customer.
Status WriteClvRollups(
    Connection& tx, int64_t tenant_id, const std::vector<CustomerValue>& values
) {
    VK_ASSIGN_OR_RETURN(storage::Rows contacts, tx.Query(kLiveContactOwners, {tenant_id}));
    std::unordered_map<std::string_view, std::string_view> owner_of;
    owner_of.reserve(contacts.size());
    for (const auto& row : contacts.rows) {
        owner_of.emplace(std::get<std::string>(row[0]), std::get<std::string>(row[1]));
    }

    struct OwnerTotals {
        int64_t customers = 0;
        int64_t clv_minor = 0;
        double expected_purchases = 0;
    };

    std::map<std::string_view, OwnerTotals> by_owner;
    for (const CustomerValue& v : values) {
        auto owner = owner_of.find(v.customer_id);
        if (owner == owner_of.end()) {
            continue;
        }
        OwnerTotals& t = by_owner[owner->second];
        ++t.customers;
        VK_ASSIGN_OR_RETURN(t.clv_minor, core::AddMinor(t.clv_minor, RoundMinor(v.clv)));
        t.expected_purchases += Finite(v.expected_purchases);
    }
    VK_RETURN_IF_ERROR(tx.Execute("DELETE FROM clv_owner_rollups WHERE tenant_id = $1", {tenant_id})
    );
    storage::BatchInsert insert(
        tx,
        "INSERT INTO clv_owner_rollups (tenant_id, owner_id, customers, clv_minor, "
        "expected_purchases) VALUES ",
        5
    );
    for (const auto& [owner, t] : by_owner) {
        VK_RETURN_IF_ERROR(insert.Add(
            {tenant_id, std::string(owner), t.customers, t.clv_minor, t.expected_purchases}
        ));
    }
    return insert.Flush();
}

Json PurchaseParams(const CustomerValueReport& report) {
    if (const auto* bg = std::get_if<BgNbdFit>(&report.purchase_fit)) {
        return {
            {"r", bg->params.r},
            {"alpha", bg->params.alpha},
            {"a", bg->params.a},
            {"b", bg->params.b}};
    }
    const auto& pn = std::get<ParetoNbdFit>(report.purchase_fit);
    return {
        {"r", pn.params.r},
        {"alpha", pn.params.alpha},
        {"s", pn.params.s},
        {"beta", pn.params.beta}};
}

double PurchaseLogLikelihood(const CustomerValueReport& report) {
    if (const auto* bg = std::get_if<BgNbdFit>(&report.purchase_fit)) {
        return bg->log_likelihood;
    }
    return std::get<ParetoNbdFit>(report.purchase_fit).log_likelihood;
}

}  // namespace

CustomerAnalytics::CustomerAnalytics(records::RecordService& records, const core::Clock& clock)
    : records_(records), clock_(clock) {}

Status CustomerAnalytics::RebuildRfm(Connection& tx, const RequestContext& ctx) {
    if (!ReadsAllContacts(ctx)) {
        return Error::Forbidden("Only roles that read every contact can rebuild RFM scores");
    }
    return RebuildCustomerMetrics(tx, ctx.tenant_id, clock_.NowMicros());
}

Result<Json> CustomerAnalytics::Rfm(Connection& c, const RequestContext& ctx) {
    // Customers and revenue per segment summed over the owners the caller may read.
    std::vector<storage::Value> params{ctx.tenant_id};
    VK_ASSIGN_OR_RETURN(std::string scope, ContactScope(ctx, params, "r"));
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        c.Query(
            "SELECT r.segment, r.currency, CAST(SUM(r.customers) AS BIGINT), "
            "CAST(SUM(r.revenue_minor) AS BIGINT) FROM rfm_segment_rollups r "
            "WHERE r.tenant_id = $1" +
                scope + " GROUP BY r.segment, r.currency",
            params
        )
    );
    std::map<std::string, std::pair<int64_t, std::map<std::string, int64_t>>> by_segment;
    for (const auto& r : rows.rows) {
        auto& [count, revenue] = by_segment[storage::AsText(r[0])];
        const std::string currency = storage::AsText(r[1]);
        const int64_t customers = storage::AsInt(r[2]);
        if (currency.empty()) {
            count += customers;
        } else if (customers > 0 && core::IsCurrencyCode(currency)) {
            revenue[currency] += storage::AsInt(r[3]);
        }
    }
    Json segments = Json::array();
    for (int s = 0; s <= static_cast<int>(RfmSegment::kLost); ++s) {
        const std::string name(RfmSegmentName(static_cast<RfmSegment>(s)));
        const auto& [count, revenue] = by_segment[name];
        segments.push_back(
            {{"segment", name},
             {"customers", count},
             {"revenue", RevenueOut(revenue)},
             {"drilldown", "/api/v1/contacts?filter[rfm_segment]=" + name}}
        );
    }
    VK_ASSIGN_OR_RETURN(std::string main, MainCurrency(c, ctx.tenant_id));
    return Json{
        {"as_of", core::FormatTimestamp(clock_.NowMicros())},
        {"currency", main},
        {"segments", std::move(segments)}};
}

Result<Json> CustomerAnalytics::Cohorts(
    Connection& c, const RequestContext& ctx, std::string_view from, std::string_view to
) {
    std::vector<core::FieldError> errors;
    if (!from.empty() && !IsMonth(from)) {
        errors.push_back({"from", "must be a month YYYY-MM"});
    }
    if (!to.empty() && !IsMonth(to)) {
        errors.push_back({"to", "must be a month YYYY-MM"});
    }
    if (errors.empty() && !from.empty() && !to.empty() && from > to) {
        errors.push_back({"to", "must not be before from"});
    }
    if (!errors.empty()) {
        return Error::Invalid("Invalid cohort query", std::move(errors));
    }
    // Customers per cohort and active month, summed over the owners the caller may read.
    std::vector<storage::Value> params{ctx.tenant_id};
    VK_ASSIGN_OR_RETURN(std::string scope, ContactScope(ctx, params, "r"));
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        c.Query(
            "SELECT r.cohort, r.month, CAST(SUM(r.customers) AS BIGINT) FROM cohort_rollups r "
            "WHERE r.tenant_id = $1" +
                scope + " GROUP BY r.cohort, r.month",
            params
        )
    );
    auto index = [](const std::string& month) {
        return std::stoi(month.substr(0, 4)) * 12 + std::stoi(month.substr(5, 2)) - 1;
    };
    std::map<std::string, std::map<int, int64_t>> active;  // cohort -> month index -> customers
    std::optional<int> last;
    for (const auto& r : rows.rows) {
        const int64_t customers = storage::AsInt(r[2]);
        if (customers == 0) {
            continue;
        }
        const std::string month = storage::AsText(r[1]);
        const int m = index(month);
        active[storage::AsText(r[0])][m] += customers;
        last = last ? std::max(*last, m) : m;
    }
    // Each row runs from its cohort month to the last month with a purchase (the triangle).
    Json cohorts = Json::array();
    for (const auto& [cohort, by_month] : active) {
        if ((!from.empty() && cohort < from) || (!to.empty() && cohort > to)) {
            continue;
        }
        const int first = index(cohort);
        const auto start = by_month.find(first);
        const int64_t customers = start == by_month.end() ? 0 : start->second;
        Json counts = Json::array();
        Json retention = Json::array();
        for (int m = first; m <= *last; ++m) {
            const auto it = by_month.find(m);
            const int64_t n = it == by_month.end() ? 0 : it->second;
            counts.push_back(n);
            retention.push_back(static_cast<double>(n) / static_cast<double>(customers));
        }
        cohorts.push_back(
            {{"cohort", cohort},
             {"customers", customers},
             {"active", std::move(counts)},
             {"retention", std::move(retention)}}
        );
    }
    return Json{{"cohorts", std::move(cohorts)}};
}

Result<Json> CustomerAnalytics::RefitClv(const RequestContext& ctx, const Json& input) {
    if (!ReadsAllContacts(ctx)) {
        return Error::Forbidden("Only roles that read every contact can refit the CLV model");
    }
    if (!input.is_object()) {
        return Error::Invalid("The request body must be a JSON object");
    }
    std::vector<core::FieldError> errors;
    std::string model_name = "bgnbd";
    double rate = 0.1;
    int64_t horizon_months = 12;
    for (const auto& [key, value] : input.items()) {
        if (key == "model") {
            if (!value.is_string() || !ParsePurchaseModel(value.get<std::string>())) {
                errors.push_back({"model", "must be bgnbd or pareto-nbd"});
            } else {
                model_name = value.get<std::string>();
            }
        } else if (key == "annual_discount_rate") {
            if (!value.is_number() || !std::isfinite(value.get<double>()) ||
                value.get<double>() < 0 || value.get<double>() > 1) {
                errors.push_back({"annual_discount_rate", "must be a number from 0 to 1"});
            } else {
                rate = value.get<double>();
            }
        } else if (key == "horizon_months") {
            if (!value.is_number_integer() || value.get<int64_t>() < 1 ||
                value.get<int64_t>() > 120) {
                errors.push_back({"horizon_months", "must be an integer from 1 to 120"});
            } else {
                horizon_months = value.get<int64_t>();
            }
        } else {
            errors.push_back({key, "is not a refit option"});
        }
    }
    if (!errors.empty()) {
        return Error::Invalid("Invalid refit options", std::move(errors));
    }
    const PurchaseModel model = *ParsePurchaseModel(model_name);
    storage::Database& db = records_.db();
    const int64_t now = clock_.NowMicros();
    const int32_t today = DayOf(now);
    // The fit runs outside any transaction: a slow one must not hold the writer. Each live
    // customer's orders in the main currency up to today, in customer order.
    const SummaryOptions summary{today, std::nullopt, TimeUnit::kWeek};
    // Phase times go to the log: a refit over a large tenant takes seconds, operators ask where.
    using Steady = std::chrono::steady_clock;
    const Steady::time_point started = Steady::now();
    auto seconds = [](Steady::time_point from, Steady::time_point to) {
        return std::chrono::duration<double>(to - from).count();
    };
    std::string main;
    std::vector<CustomerSummary> summaries;
    VK_RETURN_IF_ERROR(db.Read([&](Connection& c) -> Status {
        VK_ASSIGN_OR_RETURN(main, MainCurrency(c, ctx.tenant_id));
        std::vector<DayValue> history;
        return ForEachCustomersOrders(
            c,
            ctx.tenant_id,
            [&](const std::string& contact_id, std::span<const OrderRow> orders) -> Status {
                history.clear();
                for (const OrderRow& r : orders) {
                    const int32_t day = DayOf(storage::AsInt(r[1]));
                    if (day <= today && !storage::IsNull(r[2]) && storage::AsText(r[2]) == main) {
                        // Spend in minor units: the fit is scale-free, CLV comes out in minor
                        // units.
                        history.push_back({day, static_cast<double>(storage::AsInt(r[3]))});
                    }
                }
                if (auto s = SummariseCustomer(contact_id, history, summary)) {
                    summaries.push_back(std::move(*s));
                }
                return core::Ok();
            }
        );
    }));
    const Steady::time_point read = Steady::now();
    ClvOptions options;
    options.horizon_weeks =
        static_cast<int>(std::lround(static_cast<double>(horizon_months) * 365.25 / 12.0 / 7.0));
    options.annual_discount_rate = rate;
    options.days_per_unit = DaysPerUnit(TimeUnit::kWeek);
    auto report = ComputeCustomerValues(summaries, model, options);
    if (!report) {
        // Optimiser failures are data problems here (too few repeat buyers), not server faults.
        const bool invalid = report.error().code == core::ErrorCode::kInvalid;
        return Error::Invalid(
            "The model cannot be fitted to these orders" +
                (invalid ? ": " + report.error().message : std::string()),
            {{"orders", "too few or too uniform purchases in " + main + " to fit " + model_name}}
        );
    }
    const Steady::time_point fitted = Steady::now();
    int64_t repeaters = 0;
    for (const auto& s : summaries) {
        repeaters += s.frequency > 0 ? 1 : 0;
    }
    const GammaGammaParams& gg = report->spend_fit.params;
    const Json params = {
        {"model", model_name},
        {"params", PurchaseParams(*report)},
        {"gamma_gamma", {{"p", gg.p}, {"q", gg.q}, {"gamma", gg.gamma}}},
        {"log_likelihood",
         {{"purchase", PurchaseLogLikelihood(*report)},
          {"spend", report->spend_fit.log_likelihood}}},
        {"customers", static_cast<int64_t>(summaries.size())},
        {"repeat_customers", repeaters},
        {"currency", main},
        {"horizon_months", horizon_months},
        {"annual_discount_rate", rate},
        {"calibration_end", FormatDate(today)},
        {"unit", "week"}};
    VK_RETURN_IF_ERROR(db.Write([&](Connection& tx) -> Status {
        VK_RETURN_IF_ERROR(tx.Execute("DELETE FROM clv_fits WHERE tenant_id = $1", {ctx.tenant_id})
        );
        VK_RETURN_IF_ERROR(tx.Execute(
            "INSERT INTO clv_fits (tenant_id, model, params, fitted_at) VALUES ($1, $2, $3, $4)",
            {ctx.tenant_id, model_name, params.dump(), now}
        ));
        // Rows are updated in place and only customers no longer valued are deleted: deleting
        // every row first costs SQLite a second pass over them (foreign keys are on).
        VK_ASSIGN_OR_RETURN(
            storage::Rows stored,
            tx.Query("SELECT contact_id FROM clv_customers WHERE tenant_id = $1", {ctx.tenant_id})
        );
        std::unordered_set<std::string_view> valued;
        valued.reserve(report->customers.size());
        for (const CustomerValue& v : report->customers) {
            valued.insert(v.customer_id);
        }
        std::vector<const std::string*> gone;
        for (const auto& row : stored.rows) {
            if (!valued.contains(std::get<std::string>(row[0]))) {
                gone.push_back(&std::get<std::string>(row[0]));
            }
        }
        VK_RETURN_IF_ERROR(ForIdBatches(
            tx,
            "DELETE FROM clv_customers WHERE tenant_id = $1 AND contact_id IN (",
            {ctx.tenant_id},
            gone
        ));
        storage::BatchInsert upsert(
            tx,
            "INSERT INTO clv_customers (tenant_id, contact_id, p_alive, expected_purchases, "
            "expected_spend_minor, clv_minor) VALUES ",
            6,
            " ON CONFLICT (tenant_id, contact_id) DO UPDATE SET p_alive = excluded.p_alive, "
            "expected_purchases = excluded.expected_purchases, expected_spend_minor = "
            "excluded.expected_spend_minor, clv_minor = excluded.clv_minor"
        );
        for (const CustomerValue& v : report->customers) {
            VK_RETURN_IF_ERROR(upsert.Add(
                {ctx.tenant_id,
                 v.customer_id,
                 Finite(v.p_alive),
                 Finite(v.expected_purchases),
                 RoundMinor(v.expected_spend),
                 RoundMinor(v.clv)}
            ));
        }
        VK_RETURN_IF_ERROR(upsert.Flush());
        return WriteClvRollups(tx, ctx.tenant_id, report->customers);
    }));
    spdlog::info(
        "CLV refit of tenant {}: {} customers; read {:.2f} s, fit and values {:.2f} s, write "
        "{:.2f} s",
        ctx.tenant_id,
        summaries.size(),
        seconds(started, read),
        seconds(read, fitted),
        seconds(fitted, Steady::now())
    );
    return storage::ReadReturning<Json>(db, [&](Connection& c) { return Clv(c, ctx, 10); });
}

Result<Json> CustomerAnalytics::Clv(Connection& c, const RequestContext& ctx, int limit) {
    std::vector<storage::Value> params{ctx.tenant_id};
    VK_ASSIGN_OR_RETURN(std::string scope, ContactScope(ctx, params, "c"));
    VK_ASSIGN_OR_RETURN(
        storage::Rows fit,
        c.Query("SELECT params, fitted_at FROM clv_fits WHERE tenant_id = $1", {ctx.tenant_id})
    );
    if (fit.empty()) {
        return Json{{"fitted_at", nullptr}, {"top", Json::array()}};
    }
    Json out = Json::parse(storage::AsText(fit.rows[0][0]), nullptr, false);
    if (!out.is_object()) {
        return Error::Internal("stored CLV fit is not JSON");
    }
    out["fitted_at"] = core::FormatTimestamp(storage::AsInt(fit.rows[0][1]));
    const std::string currency = out.value("currency", "RUB");
    const std::string from =
        " FROM clv_customers k" + JoinContacts("k") + "WHERE k.tenant_id = $1" + scope;
    // Totals from the per-owner sums of the owners the caller may read.
    std::vector<storage::Value> owner_params{ctx.tenant_id};
    VK_ASSIGN_OR_RETURN(std::string owners, ContactScope(ctx, owner_params, "r"));
    VK_ASSIGN_OR_RETURN(
        storage::Rows totals,
        c.Query(
            "SELECT CAST(COALESCE(SUM(r.customers), 0) AS BIGINT), "
            "CAST(COALESCE(SUM(r.clv_minor), 0) AS BIGINT), "
            "COALESCE(SUM(r.expected_purchases), 0) FROM clv_owner_rollups r "
            "WHERE r.tenant_id = $1" +
                owners,
            owner_params
        )
    );
    out["totals"] = {
        {"customers", storage::AsInt(totals.rows[0][0])},
        {"clv", Money(storage::AsInt(totals.rows[0][1]), currency)},
        {"expected_purchases", storage::AsDouble(totals.rows[0][2])}};
    params.emplace_back(int64_t{limit});
    VK_ASSIGN_OR_RETURN(
        storage::Rows top,
        c.Query(
            "SELECT k.contact_id, k.clv_minor, k.p_alive, k.expected_purchases, "
            "k.expected_spend_minor, c.first_name, c.last_name" +
                from + " ORDER BY k.clv_minor DESC, k.contact_id LIMIT $" +
                std::to_string(params.size()),
            params
        )
    );
    Json list = Json::array();
    for (const auto& r : top.rows) {
        std::string name = storage::AsText(r[5]);
        const std::string last = storage::AsText(r[6]);
        name += name.empty() || last.empty() ? last : " " + last;
        list.push_back(
            {{"contact_id", storage::AsText(r[0])},
             {"name", name},
             {"clv", Money(storage::AsInt(r[1]), currency)},
             {"p_alive", storage::AsDouble(r[2])},
             {"expected_purchases", storage::AsDouble(r[3])},
             {"expected_spend", Money(storage::AsInt(r[4]), currency)},
             {"drilldown", "/api/v1/contacts/" + storage::AsText(r[0]) + "/analytics"}}
        );
    }
    out["top"] = std::move(list);
    return out;
}

Result<Json> CustomerAnalytics::ContactAnalytics(
    Connection& c, const RequestContext& ctx, const std::string& contact_id
) {
    VK_ASSIGN_OR_RETURN(records::Record contact, records_.Get(c, ctx, "contacts", contact_id));
    (void)contact;
    VK_ASSIGN_OR_RETURN(
        storage::Rows metrics,
        c.Query(
            "SELECT r_score, f_score, m_score, segment, orders_count, first_order_at, "
            "last_order_at, revenue FROM customer_metrics WHERE tenant_id = $1 AND contact_id = $2",
            {ctx.tenant_id, contact_id}
        )
    );
    Json rfm = {
        {"r", nullptr}, {"f", nullptr}, {"m", nullptr}, {"segment", nullptr}, {"orders", 0}};
    std::string segment;
    if (!metrics.empty()) {
        const auto& m = metrics.rows[0];
        std::map<std::string, int64_t> revenue;
        VK_RETURN_IF_ERROR(AddRevenue(revenue, storage::AsText(m[7])));
        segment = storage::AsText(m[3]);
        rfm = {
            {"r", storage::AsInt(m[0])},
            {"f", storage::AsInt(m[1])},
            {"m", storage::AsInt(m[2])},
            {"segment", segment},
            {"orders", storage::AsInt(m[4])},
            {"first_order_at", core::FormatTimestamp(storage::AsInt(m[5]))},
            {"last_order_at", core::FormatTimestamp(storage::AsInt(m[6]))},
            {"revenue", RevenueOut(revenue)}};
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows clv,
        c.Query(
            "SELECT k.p_alive, k.expected_purchases, k.expected_spend_minor, k.clv_minor, f.model, "
            "f.fitted_at, f.params FROM clv_customers k JOIN clv_fits f ON f.tenant_id = "
            "k.tenant_id "
            "WHERE k.tenant_id = $1 AND k.contact_id = $2",
            {ctx.tenant_id, contact_id}
        )
    );
    Json clv_out = nullptr;
    if (!clv.empty()) {
        const auto& k = clv.rows[0];
        const Json params = Json::parse(storage::AsText(k[6]), nullptr, false);
        const std::string currency =
            params.is_object() ? params.value("currency", "RUB") : std::string("RUB");
        clv_out = {
            {"model", storage::AsText(k[4])},
            {"p_alive", storage::AsDouble(k[0])},
            {"expected_purchases", storage::AsDouble(k[1])},
            {"expected_spend", Money(storage::AsInt(k[2]), currency)},
            {"clv", Money(storage::AsInt(k[3]), currency)},
            {"currency", currency},
            {"fitted_at", core::FormatTimestamp(storage::AsInt(k[5]))}};
    }
    // Co-purchase patterns are the tenant's as a whole: they name products, never customers.
    // Counts kept with every order write (co_purchases.cpp), so no order line is read here.
    VK_ASSIGN_OR_RETURN(std::vector<Offer> best, NextBestOffers(c, ctx.tenant_id, contact_id, 5));
    Json offers = Json::array();
    for (const Offer& o : best) {
        offers.push_back(
            {{"product_id", o.product_id}, {"sku", o.sku}, {"name", o.name}, {"score", o.score}}
        );
    }
    const int64_t now = clock_.NowMicros();
    VK_ASSIGN_OR_RETURN(
        storage::Rows recent,
        c.Query(
            "SELECT COUNT(*) FROM orders WHERE tenant_id = $1 AND contact_id = $2 "
            "AND deleted_at IS NULL AND status = 'completed' AND ordered_at > $3 AND ordered_at <= "
            "$4",
            {ctx.tenant_id, contact_id, now - 365 * kMicrosPerDay, now}
        )
    );
    const bool regular = storage::AsInt(recent.rows[0][0]) >= 3;
    int discount = regular ? 5 : 0;
    if (segment == "champions" || segment == "loyal") {
        discount = 10;
    } else if (segment == "at_risk" || segment == "cannot_lose") {
        discount = 15;
    }
    return Json{
        {"contact_id", contact_id},
        {"rfm", std::move(rfm)},
        {"clv", std::move(clv_out)},
        {"next_best_offer", std::move(offers)},
        {"regular_customer", regular},
        {"suggested_discount_percent", discount}};
}

}  // namespace voronka::analytics
