// Timelines (activities merged with field history), my day, and price list contents.
#include <memory>

#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include "core/base64url.hpp"
#include "core/clock.hpp"
#include "core/money.hpp"
#include "sales/hook_util.hpp"
#include "sales/sales_service.hpp"
#include "sales/service_util.hpp"

namespace voronka::sales {

using core::Error;
using internal::Str;

namespace {

constexpr int64_t kDayMicros = 86'400'000'000;

// Timeline order: newest first; among equal times changes before activities, then by key.
struct Item {
    int64_t at = 0;
    bool change = false;  // event (true) or activity (false)
    int64_t seq = 0;      // events
    std::string id;       // activities
    Json body;
};

bool Before(const Item& a, const Item& b) {
    if (a.at != b.at) {
        return a.at > b.at;
    }
    if (a.change != b.change) {
        return a.change;
    }
    return a.change ? a.seq > b.seq : a.id > b.id;
}

struct LocalDay {
    std::string date;
    int64_t start = 0;  // UTC micros of local midnight
    int64_t end = 0;    // UTC micros of the next local midnight
};

// Days since 1970-01-01 of a civil date, and back (Howard Hinnant's algorithms).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

std::string CivilFromDays(int64_t z) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const int64_t m = mp + (mp < 10 ? 3 : -9);
    const int64_t y = yoe + era * 400 + (m <= 2);
    char buf[16];
    std::snprintf(
        buf,
        sizeof buf,
        "%04d-%02d-%02d",
        static_cast<int>(y),
        static_cast<int>(m),
        static_cast<int>(d)
    );
    return buf;
}

Result<LocalDay> DayIn(const std::string& zone, const std::string& date, int64_t now_micros) {
    std::unique_ptr<icu::TimeZone> tz(
        icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(zone))
    );
    if (*tz == icu::TimeZone::getUnknown()) {
        return Error::InvalidField("time_zone", "is not a known IANA time zone");
    }
    UErrorCode status = U_ZERO_ERROR;
    int32_t raw = 0;
    int32_t dst = 0;
    int64_t days = 0;
    if (date.empty()) {
        tz->getOffset(static_cast<UDate>(now_micros / 1000), false, raw, dst, status);
        const int64_t local = now_micros + (int64_t{raw} + dst) * 1000;
        days = local >= 0 ? local / kDayMicros : (local - kDayMicros + 1) / kDayMicros;
    } else {
        if (!core::IsValidDate(date)) {
            return Error::InvalidField("date", "must be a date YYYY-MM-DD");
        }
        days = DaysFromCivil(
            std::stoi(date.substr(0, 4)), std::stoi(date.substr(5, 2)), std::stoi(date.substr(8, 2))
        );
    }
    auto utc_of_local_midnight = [&](int64_t d) {
        const int64_t local_ms = d * (kDayMicros / 1000);
        tz->getOffset(static_cast<UDate>(local_ms), true, raw, dst, status);
        return (local_ms - int64_t{raw} - dst) * 1000;
    };
    LocalDay out;
    out.date = CivilFromDays(days);
    out.start = utc_of_local_midnight(days);
    out.end = utc_of_local_midnight(days + 1);
    if (U_FAILURE(status)) {
        return Error::InvalidField("time_zone", "cannot compute local time in this zone");
    }
    return out;
}

}  // namespace

Result<Json> SalesService::Timeline(
    Connection& c,
    const RequestContext& ctx,
    const std::string& entity,
    const std::string& id,
    const TimelineQuery& query
) {
    if (query.limit < 1 || query.limit > 200) {
        return Error::InvalidField("limit", "must be between 1 and 200");
    }
    VK_ASSIGN_OR_RETURN(records::Record record, records_.Get(c, ctx, entity, id));
    std::vector<std::pair<std::string, std::string>> subjects{{entity, id}};
    if (entity == "contacts" || entity == "companies" || entity == "deals") {
        const std::string column = entity == "contacts"    ? "converted_contact_id"
                                   : entity == "companies" ? "converted_company_id"
                                                           : "converted_deal_id";
        VK_ASSIGN_OR_RETURN(
            storage::Rows leads,
            c.Query(
                "SELECT id FROM leads WHERE tenant_id = $1 AND " + column +
                    " = $2 AND deleted_at IS NULL",
                {ctx.tenant_id, id}
            )
        );
        for (const auto& r : leads.rows) {
            subjects.emplace_back("leads", storage::AsText(r[0]));
        }
    }
    std::optional<Item> cursor;
    if (!query.cursor.empty()) {
        auto decoded = core::Base64UrlDecode(query.cursor);
        const Json k = decoded ? Json::parse(*decoded, nullptr, false) : Json();
        if (!k.is_object() || !k.contains("at") || !k["at"].is_number_integer() ||
            !k.contains("c") || !k["c"].is_boolean() || !k.contains("k")) {
            return Error::InvalidField("cursor", "is not a cursor of this timeline");
        }
        Item at;
        at.at = k["at"].get<int64_t>();
        at.change = k["c"].get<bool>();
        if (at.change && k["k"].is_number_integer()) {
            at.seq = k["k"].get<int64_t>();
        } else if (!at.change && k["k"].is_string()) {
            at.id = k["k"].get<std::string>();
        } else {
            return Error::InvalidField("cursor", "is not a cursor of this timeline");
        }
        cursor = at;
    }
    const int64_t fetch = query.limit + 1;
    auto subject_sql =
        [&](std::vector<storage::Value>& params, const char* entity_col, const char* id_col) {
            std::string out;
            for (const auto& [e, rid] : subjects) {
                params.emplace_back(e);
                const std::string pe = "$" + std::to_string(params.size());
                params.emplace_back(rid);
                out += std::string(out.empty() ? "" : " OR ") + "(" + entity_col + " = " + pe +
                       " AND " + id_col + " = $" + std::to_string(params.size()) + ")";
            }
            return "(" + out + ")";
        };

    std::vector<Item> items;
    {
        std::vector<storage::Value> params{ctx.tenant_id};
        std::string where = "tenant_id = $1 AND " + subject_sql(params, "entity", "record_id");
        if (cursor) {
            params.emplace_back(cursor->at);
            const std::string at = "$" + std::to_string(params.size());
            std::string tie = "1 = 0";
            if (cursor->change) {
                params.emplace_back(cursor->seq);
                tie = "seq < $" + std::to_string(params.size());
            }
            where += " AND (at < " + at + " OR (at = " + at + " AND " + tie + "))";
        }
        params.emplace_back(fetch);
        VK_ASSIGN_OR_RETURN(
            storage::Rows rows,
            c.Query(
                "SELECT seq, entity, record_id, version, action, actor_id, at, changes FROM events "
                "WHERE " +
                    where + " ORDER BY at DESC, seq DESC LIMIT $" + std::to_string(params.size()),
                params
            )
        );
        for (const auto& r : rows.rows) {
            Item item;
            item.change = true;
            item.seq = storage::AsInt(r[0]);
            item.at = storage::AsInt(r[6]);
            const std::string e = storage::AsText(r[1]);
            Json changes = Json::parse(storage::AsText(r[7]), nullptr, false);
            if (!changes.is_object()) {
                changes = Json::object();
            }
            internal::HideFields(records_, ctx, e, changes);
            item.body = {
                {"kind", "change"},
                {"at", core::FormatTimestamp(item.at)},
                {"entity", e},
                {"record_id", storage::AsText(r[2])},
                {"version", storage::AsInt(r[3])},
                {"action", storage::AsText(r[4])},
                {"actor_id", storage::IsNull(r[5]) ? Json(nullptr) : Json(storage::AsText(r[5]))},
                {"changes", std::move(changes)},
            };
            items.push_back(std::move(item));
        }
    }
    const access::Scope activity_scope =
        ctx.permissions ? ctx.permissions->For("activities").read : access::Scope::kNone;
    if (activity_scope != access::Scope::kNone) {
        std::vector<storage::Value> params{ctx.tenant_id};
        std::string where = "tenant_id = $1 AND deleted_at IS NULL AND " +
                            subject_sql(params, "related_entity", "related_id");
        const std::string scope_sql = records::ScopeCondition(ctx, activity_scope, params);
        if (!scope_sql.empty()) {
            where += " AND " + scope_sql;
        }
        if (cursor) {
            params.emplace_back(cursor->at);
            const std::string at = "$" + std::to_string(params.size());
            std::string tie = "1 = 1";
            if (!cursor->change) {
                params.emplace_back(cursor->id);
                tie = "id < $" + std::to_string(params.size());
            }
            where += " AND (created_at < " + at + " OR (created_at = " + at + " AND " + tie + "))";
        }
        params.emplace_back(fetch);
        VK_ASSIGN_OR_RETURN(
            storage::Rows rows,
            c.Query(
                "SELECT id, created_at FROM activities WHERE " + where +
                    " ORDER BY created_at DESC, id DESC LIMIT $" + std::to_string(params.size()),
                params
            )
        );
        for (const auto& r : rows.rows) {
            Item item;
            item.id = storage::AsText(r[0]);
            item.at = storage::AsInt(r[1]);
            items.push_back(std::move(item));
        }
    }
    std::sort(items.begin(), items.end(), Before);
    const bool more = items.size() > static_cast<size_t>(query.limit);
    if (more) {
        items.resize(static_cast<size_t>(query.limit));
    }
    Json data = Json::array();
    for (auto& item : items) {
        if (!item.change) {
            VK_ASSIGN_OR_RETURN(
                records::Record activity, records_.Get(c, ctx, "activities", item.id)
            );
            item.body = {
                {"kind", "activity"},
                {"at", core::FormatTimestamp(item.at)},
                {"activity", std::move(activity.body)}};
        }
        data.push_back(std::move(item.body));
    }
    Json next = nullptr;
    if (more) {
        const Item& last = items.back();
        Json k = {{"at", last.at}, {"c", last.change}};
        k["k"] = last.change ? Json(last.seq) : Json(last.id);
        next = core::Base64UrlEncode(k.dump());
    }
    return Json{
        {"entity", entity},
        {"id", record.body["id"]},
        {"data", std::move(data)},
        {"next_cursor", next}};
}

Result<Json> SalesService::MyDay(
    Connection& c, const RequestContext& ctx, const MyDayQuery& query
) {
    std::string zone = query.time_zone;
    if (zone.empty()) {
        VK_ASSIGN_OR_RETURN(
            storage::Rows rows,
            c.Query(
                "SELECT time_zone FROM users WHERE tenant_id = $1 AND id = $2",
                {ctx.tenant_id, ctx.user_id}
            )
        );
        zone = rows.empty() ? "UTC" : storage::AsText(rows.rows[0][0]);
    }
    VK_ASSIGN_OR_RETURN(LocalDay day, DayIn(zone, query.date, clock_.NowMicros()));
    const std::string start = core::FormatTimestamp(day.start);
    const std::string end = core::FormatTimestamp(day.end);
    auto list = [&](std::vector<records::FilterTerm> filters,
                    const std::string& sort) -> Result<Json> {
        filters.push_back({"assignee_id", "eq", ctx.user_id});
        VK_ASSIGN_OR_RETURN(
            std::vector<Json> found,
            internal::ListAll(records_, c, ctx, "activities", std::move(filters), sort, 500)
        );
        Json out = Json::array();
        for (auto& a : found) {
            out.push_back(std::move(a));
        }
        return out;
    };
    VK_ASSIGN_OR_RETURN(
        Json overdue,
        list({{"type", "eq", "task"}, {"done", "eq", "false"}, {"due_at", "lt", start}}, "due_at")
    );
    VK_ASSIGN_OR_RETURN(
        Json today,
        list(
            {{"type", "eq", "task"},
             {"done", "eq", "false"},
             {"due_at", "gte", start},
             {"due_at", "lt", end}},
            "due_at"
        )
    );
    VK_ASSIGN_OR_RETURN(
        Json meetings,
        list(
            {{"type", "eq", "meeting"}, {"starts_at", "gte", start}, {"starts_at", "lt", end}},
            "starts_at"
        )
    );
    return Json{
        {"date", day.date},
        {"time_zone", zone},
        {"overdue", std::move(overdue)},
        {"today", std::move(today)},
        {"meetings", std::move(meetings)},
    };
}

Result<Json> SalesService::PriceListPrices(
    Connection& c, const RequestContext& ctx, const std::string& id
) {
    VK_ASSIGN_OR_RETURN(records::Record list, records_.Get(c, ctx, "price_lists", id));
    if (!ctx.permissions || ctx.permissions->For("prices").read == access::Scope::kNone) {
        return Error::Forbidden("Your role does not allow reading prices");
    }
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        c.Query(
            "SELECT p.id, p.product_id, pr.name, pr.sku, pr.unit, p.price, p.currency, p.version "
            "FROM prices p LEFT JOIN products pr ON pr.tenant_id = p.tenant_id AND pr.id = "
            "p.product_id "
            "AND pr.deleted_at IS NULL WHERE p.tenant_id = $1 AND p.price_list_id = $2 "
            "AND p.deleted_at IS NULL ORDER BY pr.name, p.id",
            {ctx.tenant_id, id}
        )
    );
    Json data = Json::array();
    for (const auto& r : rows.rows) {
        auto text = [&](size_t i) {
            return storage::IsNull(r[i]) ? Json(nullptr) : Json(storage::AsText(r[i]));
        };
        const std::string currency = storage::AsText(r[6]);
        Json item = {
            {"id", storage::AsText(r[0])},
            {"product_id", text(1)},
            {"product_name", text(2)},
            {"sku", text(3)},
            {"unit", text(4)},
            {"price",
             storage::IsNull(r[5]) ? Json(nullptr)
                                   : Json(core::FormatAmount(storage::AsInt(r[5]), currency))},
            {"currency", currency},
            {"version", storage::AsInt(r[7])},
        };
        internal::HideFields(records_, ctx, "prices", item);
        data.push_back(std::move(item));
    }
    return Json{{"price_list", std::move(list.body)}, {"data", std::move(data)}};
}

}  // namespace voronka::sales
