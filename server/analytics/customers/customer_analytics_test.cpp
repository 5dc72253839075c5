// Orders and customer analytics end to end through the assembled app's routes, on SQLite and
// PostgreSQL, against figures worked out by hand from a small order history (and, for CLV, the
// analytics library's own fit of the same CDNOW slice).
#include "analytics/customers/customer_analytics.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include <gtest/gtest.h>

#include "analytics/cohort_retention.hpp"
#include "analytics/customer_summary.hpp"
#include "analytics/customer_value.hpp"
#include "analytics/customers/customers_internal.hpp"
#include "analytics/date_format.hpp"
#include "app/app.hpp"
#include "core/money.hpp"
#include "http/url.hpp"
#include "sales/demo_data.hpp"
#include "storage/backend_fixture.hpp"

namespace voronka::analytics {
namespace {

using storage::Connection;

// 2026-06-15T12:00:00Z: "now" for the hand-computed history.
constexpr int64_t kNow = 1'781'524'800'000'000;

struct Caller {
    std::string token;
    std::string user_id;
    int64_t tenant_id = 0;
};

class CustomerAnalyticsTest : public storage::BackendTest {
protected:
    void SetUp() override {
        storage::BackendTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        app_ = app::BuildApp(db(), clock_);
        admin_ = NewTenant();
    }

    Caller NewTenant() {
        Caller c;
        const std::string name = storage::UniqueName("shop");
        auto created =
            storage::WriteReturning<std::pair<int64_t, std::string>>(db(), [&](Connection& tx) {
                return app_->auth.CreateTenant(tx, name, name + "@test.example", "password-123");
            });
        EXPECT_TRUE(created) << storage::Describe(created.error());
        c.tenant_id = created->first;
        c.user_id = created->second;
        c.token = Token(c.tenant_id, c.user_id);
        return c;
    }

    Caller AddUser(const Caller& admin, const std::string& role) {
        Caller c = admin;
        auto id = storage::WriteReturning<std::string>(db(), [&](Connection& tx) {
            access::NewUser user;
            user.tenant_id = admin.tenant_id;
            user.email = storage::UniqueName(role) + "@test.example";
            user.password = "password-123";
            user.role = role;
            return app_->auth.CreateUser(tx, user);
        });
        EXPECT_TRUE(id);
        c.user_id = *id;
        c.token = Token(c.tenant_id, c.user_id);
        return c;
    }

    std::string Token(int64_t tenant_id, const std::string& user_id) {
        auto issued = storage::WriteReturning<access::IssuedToken>(db(), [&](Connection& tx) {
            return app_->auth.CreateToken(tx, tenant_id, user_id, "test", false, std::nullopt);
        });
        EXPECT_TRUE(issued);
        return issued->token;
    }

    http::Response Call(
        const Caller* who,
        const std::string& method,
        const std::string& target,
        const std::string& body = {},
        const std::string& content_type = "application/json"
    ) {
        http::Request req;
        req.method = method;
        EXPECT_TRUE(http::ParseTarget(target, req));
        if (who) {
            req.headers["authorization"] = "Bearer " + who->token;
        }
        if (!body.empty()) {
            req.body = body;
            req.headers["content-type"] = content_type;
        }
        return app_->router.Dispatch(std::move(req));
    }

    Json Expect(
        int status,
        const Caller& who,
        const std::string& method,
        const std::string& target,
        const Json& body = nullptr
    ) {
        const http::Response res = Call(&who, method, target, body.is_null() ? "" : body.dump());
        EXPECT_EQ(res.status, status) << method << " " << target << ": " << res.body;
        return res.body.empty() ? Json(nullptr) : Json::parse(res.body, nullptr, false);
    }

    Json Import(int status, const Caller& who, const std::string& csv) {
        const http::Response res = Call(&who, "POST", "/api/v1/orders/import", csv, "text/csv");
        EXPECT_EQ(res.status, status) << res.body;
        return Json::parse(res.body, nullptr, false);
    }

    std::string Contact(const Caller& who, const std::string& name) {
        Json c = Expect(
            201,
            who,
            "POST",
            "/api/v1/contacts",
            {{"first_name", name}, {"email", name + "@shop.example"}}
        );
        return c.value("id", "");
    }

    // The five customers of the hand-computed history, and its import.
    std::map<std::string, std::string> History() {
        std::map<std::string, std::string> ids;
        for (const char* name : {"c1", "c2", "c3", "c4", "c5"}) {
            ids[name] = Contact(admin_, name);
        }
        beta_ = Expect(
                    201, admin_, "POST", "/api/v1/products", {{"name", "Beta"}, {"sku", "SKU-B"}}
        ).value("id", "");
        Json imported = Import(200, admin_, kHistory);
        EXPECT_EQ(imported, Json({{"imported", 8}, {"skipped_existing", 0}}));
        return ids;
    }

    static std::map<std::string, Json> BySegment(const Json& rfm) {
        std::map<std::string, Json> out;
        for (const Json& s : rfm["segments"]) {
            if (s["customers"].get<int64_t>() > 0) {
                out[s["segment"].get<std::string>()] = s;
            }
        }
        return out;
    }

    static constexpr const char* kHistory =
        "external_id,contact_email,ordered_at,amount,currency,channel,product_sku,quantity,price\n"
        "o1,c1@shop.example,2026-01-10,100.00,RUB,web,SKU-A,1,100.00\n"
        "o2,c1@shop.example,2026-02-10,50.00,RUB,web,SKU-B,2,25.00\n"
        "o3,C1@Shop.example,2026-06-01T09:30:00Z,200.00,RUB,web,SKU-A,2,100.00\n"
        "o4,c2@shop.example,2026-01-20,30.00,RUB,store,SKU-A,1,30.00\n"
        "o5,c2@shop.example,2026-03-05,30.00,RUB,store,SKU-B,1,30.00\n"
        "o6,c3@shop.example,2026-02-14,500.00,RUB,web,,,\n"
        "o7,c4@shop.example,2025-12-01,10.00,,web,,,\n"
        "\"o8\",c5@shop.example,2026-06-10,20.00,RUB,\"web, mobile\",SKU-A,1,20.00\n";

    static void Check(const core::Status& s) { ASSERT_TRUE(s) << storage::Describe(s.error()); }

    core::ManualClock clock_{kNow};
    std::unique_ptr<app::App> app_;
    Caller admin_;
    std::string beta_;
};

TEST_P(CustomerAnalyticsTest, ImportScoresSegmentsAndCohortsExactly) {
    auto ids = History();
    // Hand-computed: recency ranks c4 < c3 < c2 < c1 < c5; purchase days c3=c4=c5 (1) < c2 (2) <
    // c1 (3); revenue c4 10 < c5 20 < c2 60 < c1 350 < c3 500. Quintiles of 5 customers.
    const std::map<std::string, std::tuple<int, int, int, std::string>> expected = {
        {"c1", {4, 5, 4, "loyal"}},
        {"c2", {3, 4, 3, "loyal"}},
        {"c3", {2, 2, 5, "at_risk"}},
        {"c4", {1, 2, 1, "lost"}},
        {"c5", {5, 2, 2, "potential_loyalist"}}};
    for (const auto& [name, score] : expected) {
        Json a = Expect(200, admin_, "GET", "/api/v1/contacts/" + ids[name] + "/analytics");
        const auto& [r, f, m, segment] = score;
        EXPECT_EQ(a["rfm"]["r"], r) << name;
        EXPECT_EQ(a["rfm"]["f"], f) << name;
        EXPECT_EQ(a["rfm"]["m"], m) << name;
        EXPECT_EQ(a["rfm"]["segment"], segment) << name;
        Json contact = Expect(200, admin_, "GET", "/api/v1/contacts/" + ids[name]);
        EXPECT_EQ(contact["rfm_segment"], segment) << name;
    }
    Json c1 = Expect(200, admin_, "GET", "/api/v1/contacts/" + ids["c1"] + "/analytics");
    EXPECT_EQ(c1["rfm"]["orders"], 3);
    EXPECT_EQ(c1["rfm"]["revenue"], Json({{"RUB", "350.00"}}));
    EXPECT_EQ(c1["regular_customer"], true);
    EXPECT_EQ(c1["suggested_discount_percent"], 10);
    EXPECT_TRUE(c1["clv"].is_null());
    Json c3 = Expect(200, admin_, "GET", "/api/v1/contacts/" + ids["c3"] + "/analytics");
    EXPECT_EQ(c3["regular_customer"], false);
    EXPECT_EQ(c3["suggested_discount_percent"], 15);

    // c5 bought only SKU-A; SKU-A and Beta (SKU-B) were both bought by c1 and c2:
    // cosine = 2 / sqrt(3 * 2).
    Json c5 = Expect(200, admin_, "GET", "/api/v1/contacts/" + ids["c5"] + "/analytics");
    ASSERT_EQ(c5["next_best_offer"].size(), 1u) << c5.dump();
    EXPECT_EQ(c5["next_best_offer"][0]["product_id"], beta_);
    EXPECT_EQ(c5["next_best_offer"][0]["name"], "Beta");
    EXPECT_EQ(c5["next_best_offer"][0]["sku"], "SKU-B");
    EXPECT_NEAR(c5["next_best_offer"][0]["score"].get<double>(), 2.0 / std::sqrt(6.0), 1e-12);

    Json rfm = Expect(200, admin_, "GET", "/api/v1/analytics/rfm");
    auto segments = BySegment(rfm);
    ASSERT_EQ(segments.size(), 4u) << rfm.dump();
    EXPECT_EQ(segments["loyal"]["customers"], 2);
    EXPECT_EQ(segments["loyal"]["revenue"], Json({{"RUB", "410.00"}}));
    EXPECT_EQ(segments["at_risk"]["revenue"], Json({{"RUB", "500.00"}}));
    EXPECT_EQ(segments["lost"]["revenue"], Json({{"RUB", "10.00"}}));
    EXPECT_EQ(segments["potential_loyalist"]["revenue"], Json({{"RUB", "20.00"}}));
    EXPECT_EQ(rfm["segments"].size(), 11u);
    // The drilldown is a working contacts list.
    Json loyal = Expect(200, admin_, "GET", segments["loyal"]["drilldown"].get<std::string>());
    std::set<std::string> loyal_ids;
    for (const Json& c : loyal["data"]) {
        loyal_ids.insert(c["id"].get<std::string>());
    }
    EXPECT_EQ(loyal_ids, (std::set<std::string>{ids["c1"], ids["c2"]}));

    // The rebuild gives the same scores as the import's.
    Json rebuilt = Expect(200, admin_, "POST", "/api/v1/analytics/rfm/recompute");
    EXPECT_EQ(rebuilt["segments"], rfm["segments"]);

    Json cohorts = Expect(200, admin_, "GET", "/api/v1/analytics/cohorts");
    const Json expected_cohorts = Json::array({
        {{"cohort", "2025-12"},
         {"customers", 1},
         {"active", {1, 0, 0, 0, 0, 0, 0}},
         {"retention", {1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}}},
        {{"cohort", "2026-01"},
         {"customers", 2},
         {"active", {2, 1, 1, 0, 0, 1}},
         {"retention", {1.0, 0.5, 0.5, 0.0, 0.0, 0.5}}},
        {{"cohort", "2026-02"},
         {"customers", 1},
         {"active", {1, 0, 0, 0, 0}},
         {"retention", {1.0, 0.0, 0.0, 0.0, 0.0}}},
        {{"cohort", "2026-06"},
         {"customers", 1},
         {"active", Json::array({1})},
         {"retention", Json::array({1.0})}},
    });
    EXPECT_EQ(cohorts["cohorts"], expected_cohorts);
    Json window = Expect(200, admin_, "GET", "/api/v1/analytics/cohorts?from=2026-01&to=2026-02");
    ASSERT_EQ(window["cohorts"].size(), 2u);
    EXPECT_EQ(window["cohorts"][0]["cohort"], "2026-01");
    Json bad_month = Expect(400, admin_, "GET", "/api/v1/analytics/cohorts?from=2026-13&to=x");
    ASSERT_EQ(bad_month["errors"].size(), 2u);
    EXPECT_EQ(bad_month["errors"][0]["field"], "from");
    EXPECT_EQ(bad_month["errors"][1]["field"], "to");

    // A re-import of the same file writes nothing new.
    EXPECT_EQ(Import(200, admin_, kHistory), Json({{"imported", 0}, {"skipped_existing", 8}}));
}

TEST_P(CustomerAnalyticsTest, ImportIsAllOrNothing) {
    const std::string c1 = Contact(admin_, "c1");
    const std::string csv =
        "external_id,contact_email,ordered_at,amount,product_sku,quantity,price\n"
        "x1,c1@shop.example,2026-01-10,100.00,SKU-A,1,100.00\n"
        "x2,nobody@shop.example,2026-01-11,5.00,,,\n"
        "x3,c1@shop.example,2026-01-12,99.00,SKU-A,2,10.00\n"
        "x4,c1@shop.example,yesterday,1.00,,,\n"
        "x1,c1@shop.example,2026-01-10,100.00,,,\n";
    Json problem = Import(400, admin_, csv);
    std::map<std::string, std::string> errors;
    for (const Json& e : problem["errors"]) {
        errors[e["field"].get<std::string>()] = e["message"].get<std::string>();
    }
    EXPECT_EQ(errors.size(), 4u) << problem.dump();
    EXPECT_EQ(errors["rows[3].contact_email"], "matches no contact");
    EXPECT_EQ(errors["rows[4].amount"], "must equal the sum of the lines (20.00)");
    EXPECT_TRUE(errors.contains("rows[5].ordered_at"));
    EXPECT_EQ(errors["rows[6].external_id"], "repeats line 2");
    // The good first row was not written either.
    Json orders = Expect(200, admin_, "GET", "/api/v1/orders");
    EXPECT_TRUE(orders["data"].empty());
    Json a = Expect(200, admin_, "GET", "/api/v1/contacts/" + c1 + "/analytics");
    EXPECT_EQ(a["rfm"]["orders"], 0);

    // Header problems and the wrong media type.
    Json header = Import(400, admin_, "who,when\nx,y\n");
    EXPECT_EQ(header["errors"][0]["field"], "columns");
    const http::Response json = Call(&admin_, "POST", "/api/v1/orders/import", "{}");
    EXPECT_EQ(json.status, 400);
    EXPECT_NE(json.body.find("Content-Type"), std::string::npos);
}

TEST_P(CustomerAnalyticsTest, OrderTotalsAreExactAndExternalIdsUnique) {
    const std::string c1 = Contact(admin_, "c1");
    Json order = Expect(
        201,
        admin_,
        "POST",
        "/api/v1/orders",
        {{"contact_id", c1},
         {"ordered_at", "2026-06-01T10:00:00Z"},
         {"external_id", "shop-1"},
         {"lines",
          {{{"name", "Tea"}, {"quantity", 3}, {"price", "0.35"}},
           {{"name", "Cup"}, {"quantity", 0.5}, {"price", "10.01"}, {"adjustment", "-1.00"}}}}}
    );
    // 3 x 0.35 = 1.05; 0.5 x 10.01 = 5.005 -> 5.01 (half away from zero) - 1.00 = 4.01.
    EXPECT_EQ(order["amount"], "5.06");
    EXPECT_EQ(order["currency"], "RUB");
    EXPECT_EQ(order["status"], "completed");
    EXPECT_EQ(order["owner_id"], admin_.user_id);
    EXPECT_EQ(order["lines"][1]["amount"], "4.01");

    Json mismatch = Expect(
        400,
        admin_,
        "POST",
        "/api/v1/orders",
        {{"contact_id", c1},
         {"ordered_at", "2026-06-01T10:00:00Z"},
         {"amount", "10.00"},
         {"lines",
          Json::array({{{"name", "Tea"}, {"quantity", 2}, {"price", "1.00"}, {"amount", "2.50"}}})}}
    );
    ASSERT_EQ(mismatch["errors"].size(), 1u) << mismatch.dump();
    EXPECT_EQ(mismatch["errors"][0]["field"], "lines[0].amount");
    Json total = Expect(
        400,
        admin_,
        "POST",
        "/api/v1/orders",
        {{"contact_id", c1},
         {"ordered_at", "2026-06-01T10:00:00Z"},
         {"amount", "10.00"},
         {"lines", Json::array({{{"name", "Tea"}, {"quantity", 2}, {"price", "1.00"}}})}}
    );
    EXPECT_EQ(total["errors"][0]["field"], "amount");
    Json duplicate = Expect(
        409,
        admin_,
        "POST",
        "/api/v1/orders",
        {{"contact_id", c1},
         {"ordered_at", "2026-06-02T10:00:00Z"},
         {"amount", "1.00"},
         {"external_id", "shop-1"}}
    );
    EXPECT_EQ(duplicate["errors"][0]["field"], "external_id");

    // Metrics follow every write: a cancelled order stops counting, a deleted one too.
    Json a = Expect(200, admin_, "GET", "/api/v1/contacts/" + c1 + "/analytics");
    EXPECT_EQ(a["rfm"]["orders"], 1);
    EXPECT_EQ(a["rfm"]["revenue"], Json({{"RUB", "5.06"}}));
    const std::string id = order["id"].get<std::string>();
    Expect(200, admin_, "PATCH", "/api/v1/orders/" + id, {{"status", "cancelled"}});
    a = Expect(200, admin_, "GET", "/api/v1/contacts/" + c1 + "/analytics");
    EXPECT_EQ(a["rfm"]["orders"], 0);
    EXPECT_TRUE(a["rfm"]["segment"].is_null());
    Expect(200, admin_, "PATCH", "/api/v1/orders/" + id, {{"status", "completed"}});
    // The only customer ranks lowest on every score (midrank 0 of 1), as rfm_score.hpp defines.
    EXPECT_EQ(Expect(200, admin_, "GET", "/api/v1/contacts/" + c1)["rfm_segment"], "lost");
    Expect(204, admin_, "DELETE", "/api/v1/orders/" + id);
    EXPECT_TRUE(Expect(200, admin_, "GET", "/api/v1/contacts/" + c1)["rfm_segment"].is_null());
}

TEST_P(CustomerAnalyticsTest, WonDealBecomesOneOrder) {
    const std::string c4 = Contact(admin_, "c4");
    Json pipeline = Expect(
        201,
        admin_,
        "POST",
        "/api/v1/pipelines",
        {{"name", "Sales"},
         {"stages",
          {{{"name", "New"}, {"kind", "open"}},
           {{"name", "Won"}, {"kind", "won"}},
           {{"name", "Lost"}, {"kind", "lost"}}}}}
    );
    const std::string open = pipeline["stages"][0]["id"];
    const std::string won = pipeline["stages"][1]["id"];
    Json deal = Expect(
        201,
        admin_,
        "POST",
        "/api/v1/deals",
        {{"title", "Gamma x2"},
         {"pipeline_id", pipeline["id"]},
         {"stage_id", open},
         {"currency", "RUB"},
         {"contact_id", c4}}
    );
    const std::string deal_id = deal["id"];
    Expect(
        200,
        admin_,
        "PUT",
        "/api/v1/deals/" + deal_id + "/lines",
        {{"set_amount", true},
         {"lines",
          {{{"name", "Gamma"}, {"quantity", 2}, {"price", "15.00"}, {"discount_percent", 10}}}}}
    );
    EXPECT_TRUE(
        Expect(200, admin_, "GET", "/api/v1/orders?filter[deal_id]=" + deal_id)["data"].empty()
    );
    Expect(200, admin_, "PATCH", "/api/v1/deals/" + deal_id, {{"stage_id", won}});
    Json orders = Expect(200, admin_, "GET", "/api/v1/orders?filter[deal_id]=" + deal_id);
    ASSERT_EQ(orders["data"].size(), 1u);
    const Json order = orders["data"][0];
    EXPECT_EQ(order["contact_id"], c4);
    EXPECT_EQ(order["amount"], "27.00");
    EXPECT_EQ(order["lines"][0]["name"], "Gamma");
    EXPECT_EQ(order["lines"][0]["adjustment"], "-3.00");
    EXPECT_EQ(order["lines"][0]["amount"], "27.00");
    EXPECT_EQ(
        Expect(200, admin_, "GET", "/api/v1/contacts/" + c4 + "/analytics")["rfm"]["orders"], 1
    );

    // Reopened and won again: still the one order.
    Expect(200, admin_, "PATCH", "/api/v1/deals/" + deal_id, {{"stage_id", open}});
    Expect(200, admin_, "PATCH", "/api/v1/deals/" + deal_id, {{"stage_id", won}});
    EXPECT_EQ(
        Expect(200, admin_, "GET", "/api/v1/orders?filter[deal_id]=" + deal_id)["data"].size(), 1u
    );

    // A deal created straight into the won stage gets its order too.
    Json direct = Expect(
        201,
        admin_,
        "POST",
        "/api/v1/deals",
        {{"title", "Direct"}, {"stage_id", won}, {"contact_id", c4}, {"amount", "5.00"}}
    );
    Json direct_orders = Expect(
        200, admin_, "GET", "/api/v1/orders?filter[deal_id]=" + direct["id"].get<std::string>()
    );
    ASSERT_EQ(direct_orders["data"].size(), 1u);
    EXPECT_EQ(direct_orders["data"][0]["amount"], "5.00");
    EXPECT_EQ(
        Expect(200, admin_, "GET", "/api/v1/contacts/" + c4 + "/analytics")["rfm"]["orders"], 2
    );
}

TEST_P(CustomerAnalyticsTest, OtherTenantsAndAnonymousSeeNothing) {
    auto ids = History();
    Caller other = NewTenant();
    EXPECT_TRUE(BySegment(Expect(200, other, "GET", "/api/v1/analytics/rfm")).empty());
    EXPECT_TRUE(Expect(200, other, "GET", "/api/v1/analytics/cohorts")["cohorts"].empty());
    Expect(404, other, "GET", "/api/v1/contacts/" + ids["c1"] + "/analytics");
    // Five customers are too few for a fit: a 400 naming the orders, and nothing stored.
    Json unfit = Expect(400, admin_, "POST", "/api/v1/analytics/clv/refit", Json::object());
    EXPECT_EQ(unfit["errors"][0]["field"], "orders");
    EXPECT_TRUE(Expect(200, admin_, "GET", "/api/v1/analytics/clv")["fitted_at"].is_null());
    EXPECT_TRUE(Expect(200, other, "GET", "/api/v1/analytics/clv")["fitted_at"].is_null());
    // Another tenant's import cannot reach these contacts.
    Json problem =
        Import(400, other, "contact_id,ordered_at,amount\n" + ids["c1"] + ",2026-01-01,1.00\n");
    EXPECT_EQ(problem["errors"][0]["field"], "rows[2].contact_id");
    for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/api/v1/analytics/rfm"},
             {"GET", "/api/v1/analytics/cohorts"},
             {"GET", "/api/v1/analytics/clv"},
             {"POST", "/api/v1/analytics/clv/refit"},
             {"POST", "/api/v1/analytics/rfm/recompute"},
             {"POST", "/api/v1/orders/import"},
             {"GET", "/api/v1/contacts/" + ids["c1"] + "/analytics"}}) {
        EXPECT_EQ(Call(nullptr, method, path).status, 401) << path;
    }
}

TEST_P(CustomerAnalyticsTest, UserRoleSeesOnlyItsCustomers) {
    auto ids = History();
    Caller user = AddUser(admin_, "user");
    const std::string mine = Contact(user, "mine");
    Expect(
        201,
        user,
        "POST",
        "/api/v1/orders",
        {{"contact_id", mine}, {"ordered_at", "2026-05-01T08:00:00Z"}, {"amount", "7.00"}}
    );
    Json rfm = Expect(200, user, "GET", "/api/v1/analytics/rfm");
    int64_t customers = 0;
    for (const auto& [name, s] : BySegment(rfm)) {
        customers += s["customers"].get<int64_t>();
        EXPECT_EQ(s["revenue"], Json({{"RUB", "7.00"}}));
    }
    EXPECT_EQ(customers, 1);
    Json cohorts = Expect(200, user, "GET", "/api/v1/analytics/cohorts");
    ASSERT_EQ(cohorts["cohorts"].size(), 1u);
    EXPECT_EQ(cohorts["cohorts"][0]["cohort"], "2026-05");
    Expect(404, user, "GET", "/api/v1/contacts/" + ids["c1"] + "/analytics");
    Expect(200, user, "GET", "/api/v1/contacts/" + mine + "/analytics");
    Expect(403, user, "POST", "/api/v1/analytics/rfm/recompute");
    Expect(403, user, "POST", "/api/v1/analytics/clv/refit", Json::object());
    Json problem =
        Import(400, user, "contact_email,ordered_at,amount\nc1@shop.example,2026-01-01,1.00\n");
    EXPECT_EQ(problem["errors"][0]["field"], "rows[2].contact_email");
    // The admin still sees everyone: five imported customers and the user's.
    int64_t all = 0;
    for (const auto& [name, s] : BySegment(Expect(200, admin_, "GET", "/api/v1/analytics/rfm"))) {
        all += s["customers"].get<int64_t>();
    }
    EXPECT_EQ(all, 6);
}

std::string SharedData() {
    const char* env = std::getenv("VORONKA_SHARED_DATA");
    return env && *env ? env : VORONKA_SHARED_DATA_DIR;
}

TEST_P(CustomerAnalyticsTest, ClvRefitMatchesTheLibraryFitOnCdnow) {
    // CDNOW's calibration period ends 1997-09-30; the slice is the first 200 sample customers.
    clock_.Advance(875'620'800'000'000 - clock_.NowMicros());
    std::ifstream in(SharedData() + "/cdnow/cdnowElog.csv");
    ASSERT_TRUE(in) << SharedData();
    std::string header;
    std::getline(in, header);
    std::map<int, std::string> contact_of;
    std::ostringstream csv;
    csv << "contact_id,ordered_at,amount\n";
    std::vector<Transaction> library;
    for (std::string row; std::getline(in, row);) {
        std::vector<std::string> f;
        std::stringstream fields(row);
        for (std::string x; std::getline(fields, x, ',');) {
            f.push_back(x);
        }
        ASSERT_EQ(f.size(), 5u) << row;
        const int customer = std::stoi(f[1]);
        if (customer > 200) {
            continue;
        }
        if (!contact_of.contains(customer)) {
            contact_of[customer] = Contact(admin_, "cdnow" + std::to_string(customer));
        }
        const std::string date =
            f[2].substr(0, 4) + "-" + f[2].substr(4, 2) + "-" + f[2].substr(6, 2);
        csv << contact_of[customer] << "," << date << "," << f[4] << "\n";
        const double cents = std::round(std::stod(f[4]) * 100.0);
        library.push_back({contact_of[customer], *ParseDate(date, "%Y-%m-%d"), cents});
    }
    Json imported = Import(200, admin_, csv.str());
    EXPECT_EQ(imported["imported"], 657);

    Json fit = Expect(
        200,
        admin_,
        "POST",
        "/api/v1/analytics/clv/refit",
        {{"model", "bgnbd"}, {"annual_discount_rate", 0.1}, {"horizon_months", 12}}
    );
    const auto summaries = SummariseTransactions(
        library, {*ParseDate("1997-09-30", "%Y-%m-%d"), std::nullopt, TimeUnit::kWeek}
    );
    ClvOptions options;
    options.horizon_weeks = 52;
    auto expected = ComputeCustomerValues(summaries, PurchaseModel::kBgNbd, options);
    ASSERT_TRUE(expected);
    const auto& bg = std::get<BgNbdFit>(expected->purchase_fit).params;
    EXPECT_NEAR(fit["params"]["r"].get<double>(), bg.r, 1e-6 * bg.r);
    EXPECT_NEAR(fit["params"]["alpha"].get<double>(), bg.alpha, 1e-6 * bg.alpha);
    EXPECT_NEAR(fit["params"]["a"].get<double>(), bg.a, 1e-6 * bg.a);
    EXPECT_NEAR(fit["params"]["b"].get<double>(), bg.b, 1e-6 * bg.b);
    const auto& gg = expected->spend_fit.params;
    EXPECT_NEAR(fit["gamma_gamma"]["p"].get<double>(), gg.p, 1e-6 * gg.p);
    EXPECT_NEAR(fit["gamma_gamma"]["q"].get<double>(), gg.q, 1e-6 * gg.q);
    EXPECT_NEAR(fit["gamma_gamma"]["gamma"].get<double>(), gg.gamma, 1e-6 * gg.gamma);
    EXPECT_EQ(fit["customers"], static_cast<int64_t>(summaries.size()));
    EXPECT_EQ(fit["totals"]["customers"], static_cast<int64_t>(summaries.size()));

    // The top customer and its CLV in minor units, as the library values it.
    const CustomerValue* best = &expected->customers[0];
    for (const auto& v : expected->customers) {
        if (v.clv > best->clv) {
            best = &v;
        }
    }
    ASSERT_FALSE(fit["top"].empty());
    EXPECT_EQ(fit["top"][0]["contact_id"], best->customer_id);
    Json contact =
        Expect(200, admin_, "GET", "/api/v1/contacts/" + best->customer_id + "/analytics");
    EXPECT_EQ(contact["clv"]["clv"], core::FormatAmount(std::llround(best->clv), "RUB"));
    EXPECT_NEAR(contact["clv"]["p_alive"].get<double>(), best->p_alive, 1e-12);

    Json pareto =
        Expect(200, admin_, "POST", "/api/v1/analytics/clv/refit", {{"model", "pareto-nbd"}});
    EXPECT_EQ(pareto["model"], "pareto-nbd");
    EXPECT_TRUE(pareto["params"].contains("beta"));
    Json bad = Expect(
        400,
        admin_,
        "POST",
        "/api/v1/analytics/clv/refit",
        {{"model", "nope"}, {"annual_discount_rate", -2}, {"horizon_months", 0}}
    );
    EXPECT_EQ(bad["errors"].size(), 3u);
}

// `voronka import orders --file`: the API import's checks on a file, all rows or none.
TEST_P(CustomerAnalyticsTest, ImportOrdersFileIsAllOrNothing) {
    const std::string c1 = Contact(admin_, "c1");
    auto ctx = app_->auth.Authenticate("Bearer " + admin_.token, "", "", "POST", "127.0.0.1");
    ASSERT_TRUE(ctx) << storage::Describe(ctx.error());
    auto write = [](const std::string& name, const std::string& text) {
        const std::string path = ::testing::TempDir() + name;
        std::ofstream(path, std::ios::binary) << text;
        return path;
    };
    const std::string bad = write(
        "orders-bad.csv",
        "external_id,contact_email,ordered_at,amount\n"
        "f1,c1@shop.example,2026-01-10,100.00\n"
        "f2,nobody@shop.example,2026-01-11,5.00\n"
    );
    auto failed = ImportOrdersFile(*app_->records, clock_, *ctx, bad);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, core::ErrorCode::kInvalid);
    ASSERT_EQ(failed.error().fields.size(), 1u);
    EXPECT_EQ(failed.error().fields[0].field, "rows[3].contact_email");
    EXPECT_EQ(failed.error().fields[0].message, "matches no contact");
    EXPECT_TRUE(Expect(200, admin_, "GET", "/api/v1/orders")["data"].empty());

    const std::string good = write(
        "orders-good.csv",
        "external_id,contact_email,ordered_at,amount\n"
        "f1,c1@shop.example,2026-01-10,100.00\n"
        "f2,c1@shop.example,2026-02-11,5.00\n"
    );
    auto imported = ImportOrdersFile(*app_->records, clock_, *ctx, good);
    ASSERT_TRUE(imported) << storage::Describe(imported.error());
    EXPECT_EQ((*imported)["imported"], 2);
    Json a = Expect(200, admin_, "GET", "/api/v1/contacts/" + c1 + "/analytics");
    EXPECT_EQ(a["rfm"]["orders"], 2);
    EXPECT_EQ(a["rfm"]["revenue"], Json({{"RUB", "105.00"}}));

    auto missing = ImportOrdersFile(*app_->records, clock_, *ctx, write("x", "") + "-absent");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().fields.at(0).field, "file");
}

// The demo company has a purchase history: an order for every won deal, repeat purchases with
// catalogue lines, and scored customers, so the customer dashboards are not empty.
TEST_P(CustomerAnalyticsTest, DemoCompanyHasPurchaseHistory) {
    auto ctx = app_->auth.Authenticate("Bearer " + admin_.token, "", "", "POST", "127.0.0.1");
    ASSERT_TRUE(ctx) << storage::Describe(ctx.error());
    sales::DemoOptions options;
    options.contacts = 60;
    auto created = sales::FillDemoCompany(*app_->records, *ctx, options);
    ASSERT_TRUE(created) << storage::Describe(created.error());
    auto count = [&](const std::string& sql) {
        auto rows = storage::ReadReturning<storage::Rows>(db(), [&](Connection& c) {
            return c.Query(sql, {admin_.tenant_id});
        });
        EXPECT_TRUE(rows);
        return storage::AsInt(rows->rows.at(0).at(0));
    };
    const int64_t won = count(
        "SELECT COUNT(*) FROM deals WHERE tenant_id = $1 AND status = 'won' AND deleted_at IS NULL "
        "AND contact_id IS NOT NULL"
    );
    ASSERT_GT(won, 0);
    EXPECT_EQ(
        count("SELECT COUNT(DISTINCT deal_id) FROM orders WHERE tenant_id = $1 AND deal_id IS NOT "
              "NULL"),
        won
    );
    EXPECT_GT(
        count("SELECT COUNT(*) FROM orders WHERE tenant_id = $1 AND deal_id IS NULL AND lines IS "
              "NOT NULL"),
        0
    );
    int64_t customers = 0;
    const Json rfm = Expect(200, admin_, "GET", "/api/v1/analytics/rfm");
    for (const Json& s : rfm["segments"]) {
        customers += s["customers"].get<int64_t>();
    }
    EXPECT_EQ(
        customers,
        count("SELECT COUNT(DISTINCT contact_id) FROM orders WHERE tenant_id = $1 AND status = "
              "'completed'")
    );
    EXPECT_FALSE(Expect(200, admin_, "GET", "/api/v1/analytics/cohorts")["cohorts"].empty());
}

// A merge moves the other contact's orders to the survivor without the order hooks; the
// survivor's metrics must count them at once, and an undo must give each contact its own back.
TEST_P(CustomerAnalyticsTest, MergeMovesOrdersIntoTheSurvivorsMetrics) {
    const std::string a = Contact(admin_, "a");
    const std::string b = Contact(admin_, "b");
    auto order = [&](const std::string& contact, const char* at, const char* amount) {
        Expect(
            201,
            admin_,
            "POST",
            "/api/v1/orders",
            {{"contact_id", contact}, {"ordered_at", at}, {"amount", amount}}
        );
    };
    order(a, "2026-05-01T10:00:00Z", "10.00");
    order(b, "2026-05-20T10:00:00Z", "30.00");
    order(b, "2026-06-01T10:00:00Z", "5.00");
    auto rfm_of = [&](const std::string& id) {
        return Expect(200, admin_, "GET", "/api/v1/contacts/" + id + "/analytics")["rfm"];
    };
    auto customers = [&] {
        int64_t n = 0;
        const Json rfm = Expect(200, admin_, "GET", "/api/v1/analytics/rfm");
        for (const Json& s : rfm["segments"]) {
            n += s["customers"].get<int64_t>();
        }
        return n;
    };
    ASSERT_EQ(customers(), 2);

    Json merge = Expect(
        200, admin_, "POST", "/api/v1/contacts/merge", {{"survivor_id", a}, {"other_id", b}}
    );
    Json rfm = rfm_of(a);
    EXPECT_EQ(rfm["orders"], 3) << rfm.dump();
    EXPECT_EQ(rfm["revenue"], Json({{"RUB", "45.00"}}));
    EXPECT_EQ(rfm["first_order_at"], "2026-05-01T10:00:00Z");
    EXPECT_EQ(rfm["last_order_at"], "2026-06-01T10:00:00Z");
    EXPECT_EQ(customers(), 1);
    // The incremental figures equal a full recount.
    Expect(200, admin_, "POST", "/api/v1/analytics/rfm/recompute");
    EXPECT_EQ(rfm_of(a), rfm);

    Expect(200, admin_, "POST", "/api/v1/merges/" + merge["id"].get<std::string>() + "/undo");
    EXPECT_EQ(rfm_of(a)["orders"], 1);
    EXPECT_EQ(rfm_of(a)["revenue"], Json({{"RUB", "10.00"}}));
    EXPECT_EQ(rfm_of(b)["orders"], 2);
    EXPECT_EQ(rfm_of(b)["revenue"], Json({{"RUB", "35.00"}}));
    EXPECT_EQ(customers(), 2);
}

// A recompute writes only what changed: run twice, the second leaves every row as it was
// (updated_at included); a new order then changes its customer's row.
TEST_P(CustomerAnalyticsTest, RecomputeRewritesOnlyChangedCustomers) {
    const std::string a = Contact(admin_, "a");
    const std::string b = Contact(admin_, "b");
    Expect(
        201,
        admin_,
        "POST",
        "/api/v1/orders",
        {{"contact_id", a}, {"ordered_at", "2026-05-01T10:00:00Z"}, {"amount", "10.00"}}
    );
    Expect(
        201,
        admin_,
        "POST",
        "/api/v1/orders",
        {{"contact_id", b}, {"ordered_at", "2026-06-01T10:00:00Z"}, {"amount", "50.00"}}
    );
    auto stamps = [&] {
        std::map<std::string, int64_t> out;
        EXPECT_TRUE(db().Read([&](Connection& c) -> core::Status {
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                c.Query(
                    "SELECT contact_id, updated_at FROM customer_metrics WHERE tenant_id = $1",
                    {admin_.tenant_id}
                )
            );
            for (const auto& r : rows.rows) {
                out[storage::AsText(r[0])] = storage::AsInt(r[1]);
            }
            return core::Ok();
        }));
        return out;
    };
    Json first = Expect(200, admin_, "POST", "/api/v1/analytics/rfm/recompute");
    const auto before = stamps();
    ASSERT_EQ(before.size(), 2u);
    clock_.Advance(60'000'000);
    Json second = Expect(200, admin_, "POST", "/api/v1/analytics/rfm/recompute");
    EXPECT_EQ(second["segments"], first["segments"]);
    EXPECT_EQ(stamps(), before);
    EXPECT_EQ(Expect(200, admin_, "GET", "/api/v1/contacts/" + a)["rfm_segment"], "lost");
    EXPECT_EQ(Expect(200, admin_, "GET", "/api/v1/contacts/" + b)["rfm_segment"], "need_attention");

    // a buys again, later and for more than b: a's and b's ranks swap, both rows change.
    Expect(
        201,
        admin_,
        "POST",
        "/api/v1/orders",
        {{"contact_id", a}, {"ordered_at", "2026-06-10T10:00:00Z"}, {"amount", "100.00"}}
    );
    clock_.Advance(60'000'000);
    Expect(200, admin_, "POST", "/api/v1/analytics/rfm/recompute");
    const auto after = stamps();
    EXPECT_GT(after.at(a), before.at(a));
    EXPECT_GT(after.at(b), before.at(b));
    EXPECT_EQ(Expect(200, admin_, "GET", "/api/v1/contacts/" + a)["rfm_segment"], "need_attention");
    EXPECT_EQ(Expect(200, admin_, "GET", "/api/v1/contacts/" + b)["rfm_segment"], "lost");

    // b buys far more: the order rescored b against a's stored scores; a's own quintiles move
    // only when the tenant is rescored, here by the scheduled rescoring of every tenant.
    Expect(
        201,
        admin_,
        "POST",
        "/api/v1/orders",
        {{"contact_id", b}, {"ordered_at", "2026-06-12T10:00:00Z"}, {"amount", "1000.00"}}
    );
    EXPECT_EQ(Expect(200, admin_, "GET", "/api/v1/contacts/" + a)["rfm_segment"], "need_attention");
    ASSERT_TRUE(RescoreAllTenants(db(), clock_.NowMicros()));
    EXPECT_EQ(Expect(200, admin_, "GET", "/api/v1/contacts/" + a)["rfm_segment"], "lost");
}

// Random order, contact and merge writes with rescorings, then the RFM and CLV widgets, which
// read per-owner roll-ups, checked for every role against the same figures counted from
// customer_metrics and clv_customers joined to the live contacts; and the roll-ups as stored
// against a recount.
TEST_P(CustomerAnalyticsTest, OwnerRollupsMatchCustomersAfterRandomWrites) {
    const std::vector<Caller> callers = {
        admin_, AddUser(admin_, "user"), AddUser(admin_, "user"), AddUser(admin_, "manager")};
    std::mt19937 rng(20261125);
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    std::vector<std::string> contacts;
    std::vector<std::string> deleted_contacts;
    std::vector<std::string> orders;
    std::vector<std::string> deleted_orders;
    auto owner = [&]() { return pick(5) == 0 ? Json(nullptr) : Json(callers[pick(3)].user_id); };
    for (int i = 0; i < 8; ++i) {
        Json c = Expect(
            201,
            admin_,
            "POST",
            "/api/v1/contacts",
            {{"first_name", "k" + std::to_string(i)}, {"owner_id", owner()}}
        );
        contacts.push_back(c["id"]);
    }
    static const char* kAmounts[] = {"10.00", "250.50", "0.01", "99.99"};
    // Stored CLV results for some customers, as a refit writes them.
    auto write_clv = [&]() {
        ASSERT_TRUE(db().Write([&](Connection& tx) -> core::Status {
            VK_RETURN_IF_ERROR(
                tx.Execute("DELETE FROM clv_customers WHERE tenant_id = $1", {admin_.tenant_id})
            );
            for (const std::string& id : contacts) {
                if (pick(3) != 0) {
                    VK_RETURN_IF_ERROR(tx.Execute(
                        "INSERT INTO clv_customers (tenant_id, contact_id, p_alive, "
                        "expected_purchases, expected_spend_minor, clv_minor) VALUES ($1, $2, "
                        "0.5, $3, 100, $4)",
                        {admin_.tenant_id,
                         id,
                         static_cast<double>(pick(1000)) / 7.0,
                         static_cast<int64_t>(pick(100000))}
                    ));
                }
            }
            return customers_internal::RebuildClvRollups(tx, admin_.tenant_id);
        }));
    };
    write_clv();
    for (int step = 0; step < 150; ++step) {
        clock_.Advance(static_cast<int64_t>(pick(5)) * 86'400'000'000);
        const size_t op = orders.empty() ? 0 : pick(12);
        if (op <= 3) {
            Json o = Expect(
                201,
                admin_,
                "POST",
                "/api/v1/orders",
                {{"contact_id", contacts[pick(contacts.size())]},
                 {"ordered_at",
                  core::FormatTimestamp(kNow - static_cast<int64_t>(pick(400)) * 86'400'000'000)},
                 {"amount", kAmounts[pick(4)]},
                 {"currency", pick(3) == 0 ? "USD" : "RUB"}}
            );
            orders.push_back(o["id"]);
        } else if (op == 4) {
            Json patch = {{"amount", kAmounts[pick(4)]}};
            if (pick(3) == 0) {
                patch["status"] = pick(2) ? "cancelled" : "completed";
            }
            if (pick(3) == 0) {
                patch["contact_id"] = contacts[pick(contacts.size())];
            }
            Expect(200, admin_, "PATCH", "/api/v1/orders/" + orders[pick(orders.size())], patch);
        } else if (op == 5) {
            const size_t i = pick(orders.size());
            Expect(204, admin_, "DELETE", "/api/v1/orders/" + orders[i]);
            deleted_orders.push_back(orders[i]);
            orders.erase(orders.begin() + static_cast<std::ptrdiff_t>(i));
        } else if (op == 6 && !deleted_orders.empty()) {
            const size_t i = pick(deleted_orders.size());
            Expect(200, admin_, "POST", "/api/v1/orders/" + deleted_orders[i] + "/restore");
            orders.push_back(deleted_orders[i]);
            deleted_orders.erase(deleted_orders.begin() + static_cast<std::ptrdiff_t>(i));
        } else if (op == 7) {
            Expect(
                200,
                admin_,
                "PATCH",
                "/api/v1/contacts/" + contacts[pick(contacts.size())],
                {{"owner_id", owner()}}
            );
        } else if (op == 8 && contacts.size() > 3) {
            const size_t i = pick(contacts.size());
            Expect(204, admin_, "DELETE", "/api/v1/contacts/" + contacts[i]);
            deleted_contacts.push_back(contacts[i]);
            contacts.erase(contacts.begin() + static_cast<std::ptrdiff_t>(i));
        } else if (op == 9 && !deleted_contacts.empty()) {
            const size_t i = pick(deleted_contacts.size());
            Expect(200, admin_, "POST", "/api/v1/contacts/" + deleted_contacts[i] + "/restore");
            contacts.push_back(deleted_contacts[i]);
            deleted_contacts.erase(deleted_contacts.begin() + static_cast<std::ptrdiff_t>(i));
        } else if (op == 10 && contacts.size() > 3) {
            const size_t i = pick(contacts.size());
            const size_t j = pick(contacts.size());
            if (i != j) {
                Expect(
                    200,
                    admin_,
                    "POST",
                    "/api/v1/contacts/merge",
                    {{"survivor_id", contacts[i]}, {"other_id", contacts[j]}}
                );
                contacts.erase(contacts.begin() + static_cast<std::ptrdiff_t>(j));
            }
        } else if (pick(3) == 0) {
            write_clv();
        } else {
            Expect(200, admin_, "POST", "/api/v1/analytics/rfm/recompute");
        }
    }

    for (const Caller& who : callers) {
        SCOPED_TRACE("caller " + who.user_id);
        const bool all = who.user_id == callers[0].user_id || who.user_id == callers[3].user_id;
        const std::string scope = all ? "" : " AND c.owner_id = $2";
        std::vector<storage::Value> params{admin_.tenant_id};
        if (!all) {
            params.emplace_back(who.user_id);
        }
        std::map<std::string, std::pair<int64_t, std::map<std::string, int64_t>>> want;
        double expected_purchases = 0;
        int64_t clv_customers = 0;
        int64_t clv = 0;
        ASSERT_NO_FATAL_FAILURE(Check(db().Read([&](Connection& c) -> core::Status {
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                c.Query(
                    "SELECT m.segment, m.revenue FROM customer_metrics m JOIN contacts c ON "
                    "c.tenant_id = m.tenant_id AND c.id = m.contact_id AND c.deleted_at IS NULL "
                    "WHERE m.tenant_id = $1" +
                        scope,
                    params
                )
            );
            for (const auto& r : rows.rows) {
                auto& [count, revenue] = want[storage::AsText(r[0])];
                ++count;
                const Json stored = Json::parse(storage::AsText(r[1]));
                for (const auto& [currency, minor] : stored.items()) {
                    if (minor.is_number_integer() && core::IsCurrencyCode(currency)) {
                        revenue[currency] += minor.get<int64_t>();
                    }
                }
            }
            VK_ASSIGN_OR_RETURN(
                storage::Rows k,
                c.Query(
                    "SELECT k.clv_minor, k.expected_purchases FROM clv_customers k JOIN contacts "
                    "c ON c.tenant_id = k.tenant_id AND c.id = k.contact_id AND c.deleted_at IS "
                    "NULL WHERE k.tenant_id = $1" +
                        scope,
                    params
                )
            );
            for (const auto& r : k.rows) {
                ++clv_customers;
                clv += storage::AsInt(r[0]);
                expected_purchases += storage::AsDouble(r[1]);
            }
            return core::Ok();
        })));
        const Json rfm = Expect(200, who, "GET", "/api/v1/analytics/rfm");
        int64_t total = 0;
        for (const Json& s : rfm["segments"]) {
            const auto& [count, revenue] = want[s["segment"].get<std::string>()];
            EXPECT_EQ(s["customers"], count) << s.dump();
            Json money = Json::object();
            for (const auto& [currency, minor] : revenue) {
                money[currency] = core::FormatAmount(minor, currency);
            }
            EXPECT_EQ(s["revenue"], money) << s.dump();
            total += count;
        }
        if (all) {
            EXPECT_GT(total, 0);
        }
        ASSERT_TRUE(db().Write([&](Connection& tx) -> core::Status {
            VK_RETURN_IF_ERROR(tx.Execute(
                "INSERT INTO clv_fits (tenant_id, model, params, fitted_at) VALUES ($1, 'bgnbd', "
                "'{\"currency\": \"RUB\"}', 1) ON CONFLICT (tenant_id) DO NOTHING",
                {admin_.tenant_id}
            ));
            return core::Ok();
        }));
        std::vector<Transaction> transactions;
        ASSERT_NO_FATAL_FAILURE(Check(db().Read([&](Connection& c) -> core::Status {
            VK_ASSIGN_OR_RETURN(
                storage::Rows rows,
                c.Query(
                    "SELECT o.contact_id, o.ordered_at FROM orders o JOIN contacts c ON "
                    "c.tenant_id = o.tenant_id AND c.id = o.contact_id AND c.deleted_at IS NULL "
                    "WHERE o.tenant_id = $1 AND o.deleted_at IS NULL AND o.status = 'completed' "
                    "AND o.ordered_at IS NOT NULL" +
                        scope,
                    params
                )
            );
            for (const auto& r : rows.rows) {
                transactions.push_back(
                    {storage::AsText(r[0]), customers_internal::DayOf(storage::AsInt(r[1])), 0}
                );
            }
            return core::Ok();
        })));
        Json cohorts = Json::array();
        for (const CohortRow& row : CohortRetention(transactions)) {
            cohorts.push_back(
                {{"cohort", row.cohort_month},
                 {"customers", row.customers},
                 {"active", row.active},
                 {"retention", row.retention}}
            );
        }
        EXPECT_EQ(Expect(200, who, "GET", "/api/v1/analytics/cohorts")["cohorts"], cohorts);
        const Json totals = Expect(200, who, "GET", "/api/v1/analytics/clv")["totals"];
        EXPECT_EQ(totals["customers"], clv_customers);
        EXPECT_EQ(totals["clv"], core::FormatAmount(clv, "RUB"));
        EXPECT_NEAR(totals["expected_purchases"].get<double>(), expected_purchases, 1e-6);
    }

    // The roll-up rows as kept equal a recount (rows that net to nothing left out).
    auto stored = [&](const std::string& sql) {
        std::set<std::vector<std::string>> out;
        EXPECT_TRUE(db().Read([&](Connection& c) -> core::Status {
            VK_ASSIGN_OR_RETURN(storage::Rows rows, c.Query(sql, {admin_.tenant_id}));
            for (const auto& r : rows.rows) {
                std::vector<std::string> row;
                for (const auto& v : r) {
                    row.push_back(storage::AsText(v));
                }
                out.insert(std::move(row));
            }
            return core::Ok();
        }));
        return out;
    };
    const std::string rfm_rows =
        "SELECT owner_id, segment, currency, CAST(customers AS TEXT), CAST(revenue_minor AS "
        "TEXT) FROM rfm_segment_rollups WHERE tenant_id = $1 AND (customers <> 0 OR "
        "revenue_minor <> 0)";
    const auto kept = stored(rfm_rows);
    ASSERT_TRUE(db().Write([&](Connection& tx) {
        return customers_internal::RebuildRfmRollups(tx, admin_.tenant_id);
    }));
    EXPECT_EQ(kept, stored(rfm_rows));
    const std::string cohort_rows =
        "SELECT owner_id, cohort, month, CAST(customers AS TEXT) FROM cohort_rollups WHERE "
        "tenant_id = $1 AND customers <> 0 UNION ALL SELECT contact_id, month, '', '' FROM "
        "customer_months WHERE tenant_id = $1";
    const auto kept_cohorts = stored(cohort_rows);
    ASSERT_FALSE(kept_cohorts.empty());
    ASSERT_TRUE(db().Write([&](Connection& tx) {
        return customers_internal::RebuildCustomerMonths(tx, admin_.tenant_id);
    }));
    EXPECT_EQ(kept_cohorts, stored(cohort_rows));
}

VORONKA_INSTANTIATE_BACKENDS(CustomerAnalyticsTest);

}  // namespace
}  // namespace voronka::analytics
