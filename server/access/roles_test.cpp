// Custom roles end to end through the assembled app's router: CRUD, assignment, field rules in
// every read path, role changes applying to the next request, tenant isolation, PATCH /me.
#include <gtest/gtest.h>

#include "access/role_service.hpp"
#include "app/app.hpp"
#include "http/url.hpp"
#include "storage/backend_fixture.hpp"

namespace voronka::access {
namespace {

using storage::Connection;

struct Reply {
    int status = 0;
    Json body;
    std::string raw;
};

class RolesTest : public storage::BackendTest {
protected:
    void SetUp() override {
        storage::BackendTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        app_ = app::BuildApp(db(), clock_);
        std::tie(tenant_, admin_token_) = NewTenant();
        team_ = Call("POST", "/api/v1/teams", admin_token_, {{"name", "North"}}).body["id"];
        user_id_ = AddUser(tenant_, "user", team_);
        user_token_ = Token(tenant_, user_id_);
    }

    std::pair<int64_t, std::string> NewTenant() {
        const std::string email = storage::UniqueName("admin") + "@example.com";
        auto created =
            storage::WriteReturning<std::pair<int64_t, std::string>>(db(), [&](Connection& tx) {
                return app_->auth.CreateTenant(tx, "Co " + email, email, "correct horse");
            });
        EXPECT_TRUE(created) << storage::Describe(created.error());
        return {created->first, Token(created->first, created->second)};
    }

    std::string AddUser(int64_t tenant, const std::string& role, const std::string& team) {
        NewUser user;
        user.tenant_id = tenant;
        user.email = storage::UniqueName("u") + "@example.com";
        user.password = "correct horse";
        user.role = role;
        user.team_id = team;
        auto id = storage::WriteReturning<std::string>(db(), [&](Connection& tx) {
            return app_->auth.CreateUser(tx, user);
        });
        EXPECT_TRUE(id) << storage::Describe(id.error());
        return id ? *id : "";
    }

    std::string Token(int64_t tenant, const std::string& user) {
        auto token = storage::WriteReturning<IssuedToken>(db(), [&](Connection& tx) {
            return app_->auth.CreateToken(tx, tenant, user, "test", false, std::nullopt);
        });
        EXPECT_TRUE(token);
        return token ? token->token : "";
    }

    Reply Call(
        const std::string& method,
        const std::string& target,
        const std::string& token,
        const Json& body = nullptr
    ) {
        http::Request req;
        req.method = method;
        EXPECT_TRUE(http::ParseTarget(target, req)) << target;
        req.headers["authorization"] = "Bearer " + token;
        if (!body.is_null()) {
            req.body = body.dump();
            req.headers["content-type"] = "application/json";
        }
        req.remote_address = "127.0.0.1";
        const http::Response res = app_->router.Dispatch(req);
        Reply reply{res.status, Json::parse(res.body, nullptr, false), res.body};
        return reply;
    }

    // The field names of a problem's errors[].
    static std::set<std::string> Fields(const Reply& r) {
        std::set<std::string> out;
        if (r.body.contains("errors")) {
            for (const auto& e : r.body["errors"]) {
                out.insert(e.value("field", ""));
            }
        }
        return out;
    }

    // A pipeline and a deal of 1234.56 owned by `owner`, made by the admin.
    std::string MakeDeal(const std::string& owner, const std::string& title) {
        const Reply pipeline = Call(
            "POST",
            "/api/v1/pipelines",
            admin_token_,
            {{"name", storage::UniqueName("P")},
             {"stages", {{{"name", "New"}, {"kind", "open"}}, {{"name", "Won"}, {"kind", "won"}}}}}
        );
        EXPECT_EQ(pipeline.status, 201) << pipeline.raw;
        const Reply deal = Call(
            "POST",
            "/api/v1/deals",
            admin_token_,
            {{"title", title},
             {"pipeline_id", pipeline.body["id"]},
             {"stage_id", pipeline.body["stages"][0]["id"]},
             {"amount", "1234.56"},
             {"probability", 40},
             {"owner_id", owner}}
        );
        EXPECT_EQ(deal.status, 201) << deal.raw;
        return deal.body.value("id", "");
    }

    static Json SalesRules(bool hide_amount) {
        Json deals = {
            {"read", "team"},
            {"create", "own"},
            {"edit", "own"},
            {"delete", "none"},
            {"hidden_fields", hide_amount ? Json::array({"amount"}) : Json::array()},
            {"read_only_fields", {"probability"}},
        };
        return {
            {"entities",
             {{"deals", deals}, {"contacts", {{"read", "team"}, {"hidden_fields", {"email"}}}}}},
            {"default", {{"read", "team"}, {"create", "own"}, {"edit", "own"}, {"delete", "own"}}},
        };
    }

    core::ManualClock clock_{1'800'000'000'000'000};
    std::unique_ptr<app::App> app_;
    int64_t tenant_ = 0;
    std::string admin_token_;
    std::string team_;
    std::string user_id_;
    std::string user_token_;
};

TEST_P(RolesTest, RulesAreValidatedWithThePathOfEachMistake) {
    const Reply bad = Call(
        "POST",
        "/api/v1/roles",
        admin_token_,
        {{"name", "Broken"},
         {"rules",
          {{"entities",
            {{"dealz", {{"read", "all"}}},
             {"deals",
              {{"read", "everyone"}, {"hidden_fields", {"amount", "nope"}}, {"colour", 1}}}}},
           {"default", {{"hidden_fields", {"amount"}}}},
           {"manage_users", "yes"},
           {"superpowers", true}}}}
    );
    EXPECT_EQ(bad.status, 400) << bad.raw;
    EXPECT_EQ(
        Fields(bad),
        (std::set<std::string>{
            "rules.entities.dealz",
            "rules.entities.deals.read",
            "rules.entities.deals.hidden_fields[1]",
            "rules.entities.deals.colour",
            "rules.default.hidden_fields",
            "rules.manage_users",
            "rules.superpowers"})
    );
    EXPECT_EQ(
        Fields(Call(
            "POST", "/api/v1/roles", admin_token_, {{"name", "Admin"}, {"rules", Json::object()}}
        )),
        std::set<std::string>{"name"}
    );
    EXPECT_EQ(
        Fields(Call("POST", "/api/v1/roles", admin_token_, {{"rules", Json::object()}})),
        std::set<std::string>{"name"}
    );
    // Nothing was stored: only the three built-in roles are listed.
    const Reply list = Call("GET", "/api/v1/roles", admin_token_);
    ASSERT_EQ(list.status, 200);
    ASSERT_EQ(list.body["data"].size(), 3u);
    EXPECT_TRUE(list.body["data"][0]["builtin"].get<bool>());
    EXPECT_EQ(Call("PATCH", "/api/v1/roles/admin", admin_token_, {{"name", "x"}}).status, 403);
    EXPECT_EQ(Call("DELETE", "/api/v1/roles/user", admin_token_).status, 403);
}

TEST_P(RolesTest, HiddenAndReadOnlyFieldsHoldInEveryReadAndWritePath) {
    const Reply role = Call(
        "POST", "/api/v1/roles", admin_token_, {{"name", "Sales rep"}, {"rules", SalesRules(true)}}
    );
    ASSERT_EQ(role.status, 201) << role.raw;
    EXPECT_EQ(role.body["rules"]["entities"]["deals"]["hidden_fields"], Json::array({"amount"}));
    // Assigned by name; stored and listed by id.
    const Reply assigned =
        Call("PATCH", "/api/v1/users/" + user_id_, admin_token_, {{"role", "sales REP"}});
    ASSERT_EQ(assigned.status, 200) << assigned.raw;
    EXPECT_EQ(assigned.body["role"], role.body["id"]);
    EXPECT_EQ(assigned.body["role_name"], "Sales rep");

    const std::string deal = MakeDeal(user_id_, "Turbine overhaul");
    const Reply contact = Call(
        "POST",
        "/api/v1/contacts",
        admin_token_,
        {{"first_name", "Hidden"},
         {"last_name", "Mailer"},
         {"email", "zyxwvu@example.com"},
         {"owner_id", user_id_}}
    );
    ASSERT_EQ(contact.status, 201) << contact.raw;

    // The admin sees the amount; the rep does not, anywhere.
    EXPECT_EQ(Call("GET", "/api/v1/deals/" + deal, admin_token_).body["amount"], "1234.56");
    const Reply got = Call("GET", "/api/v1/deals/" + deal, user_token_);
    ASSERT_EQ(got.status, 200) << got.raw;
    EXPECT_FALSE(got.body.contains("amount")) << got.raw;
    EXPECT_EQ(got.body["probability"], 40);
    const Reply list = Call("GET", "/api/v1/deals", user_token_);
    ASSERT_EQ(list.status, 200) << list.raw;
    ASSERT_EQ(list.body["data"].size(), 1u);
    EXPECT_EQ(list.raw.find("1234"), std::string::npos) << list.raw;
    const Reply history = Call("GET", "/api/v1/deals/" + deal + "/history", user_token_);
    ASSERT_EQ(history.status, 200) << history.raw;
    EXPECT_TRUE(history.body["data"][0]["changes"].contains("title"));
    EXPECT_EQ(history.raw.find("1234"), std::string::npos) << history.raw;
    const Reply meta = Call("GET", "/api/v1/meta/deals", user_token_);
    ASSERT_EQ(meta.status, 200);
    for (const auto& f : meta.body["fields"]) {
        EXPECT_NE(f["name"], "amount");
        if (f["name"] == "probability") {
            EXPECT_TRUE(f["read_only"].get<bool>());
        }
    }

    // A field derived from a hidden one (the quality domain's matching key) is hidden too.
    const std::string contact_path = "/api/v1/contacts/" + contact.body["id"].get<std::string>();
    EXPECT_EQ(Call("GET", contact_path, admin_token_).body["email_key"], "zyxwvu@example.com");
    const Reply rep_contact = Call("GET", contact_path, user_token_);
    ASSERT_EQ(rep_contact.status, 200) << rep_contact.raw;
    EXPECT_EQ(rep_contact.raw.find("zyxwvu"), std::string::npos) << rep_contact.raw;
    EXPECT_EQ(
        Fields(Call("GET", "/api/v1/contacts?filter[email_key]=x", user_token_)),
        std::set<std::string>{"filter[email_key]"}
    );

    // Search finds the deal by title, but the contact not by its hidden email.
    const Reply by_title = Call("GET", "/api/v1/search?q=turbine", user_token_);
    ASSERT_EQ(by_title.status, 200);
    ASSERT_EQ(by_title.body["data"].size(), 1u) << by_title.raw;
    EXPECT_EQ(Call("GET", "/api/v1/search?q=zyxwvu", admin_token_).body["data"].size(), 1u);
    EXPECT_EQ(Call("GET", "/api/v1/search?q=zyxwvu", user_token_).body["data"].size(), 0u);
    EXPECT_EQ(Call("GET", "/api/v1/search?q=mailer", user_token_).body["data"].size(), 1u);

    // Neither filter nor sort may use a hidden field.
    const Reply filtered = Call("GET", "/api/v1/deals?filter[amount][gte]=1000", user_token_);
    EXPECT_EQ(filtered.status, 400);
    EXPECT_EQ(Fields(filtered), std::set<std::string>{"filter[amount]"});
    const Reply sorted = Call("GET", "/api/v1/deals?sort=-amount", user_token_);
    EXPECT_EQ(sorted.status, 400);
    EXPECT_EQ(Fields(sorted), std::set<std::string>{"sort"});

    // Read-only and hidden fields cannot be written; nothing changes.
    for (const Json& patch : {Json{{"probability", 90}}, Json{{"amount", "1.00"}}}) {
        const Reply rejected = Call("PATCH", "/api/v1/deals/" + deal, user_token_, patch);
        EXPECT_EQ(rejected.status, 400) << rejected.raw;
        EXPECT_EQ(Fields(rejected), std::set<std::string>{patch.begin().key()});
    }
    const Reply after = Call("GET", "/api/v1/deals/" + deal, admin_token_);
    EXPECT_EQ(after.body["version"], 1);
    EXPECT_EQ(after.body["probability"], 40);
    EXPECT_EQ(after.body["amount"], "1234.56");
    EXPECT_EQ(
        Call("PATCH", "/api/v1/deals/" + deal, user_token_, {{"title", "Renamed"}}).status, 200
    );
    EXPECT_EQ(Call("DELETE", "/api/v1/deals/" + deal, user_token_).status, 403);

    // A rule change applies to the very next request.
    const Reply changed = Call(
        "PATCH",
        "/api/v1/roles/" + role.body["id"].get<std::string>(),
        admin_token_,
        {{"rules", SalesRules(false)}}
    );
    ASSERT_EQ(changed.status, 200) << changed.raw;
    EXPECT_EQ(changed.body["version"], 2);
    EXPECT_EQ(Call("GET", "/api/v1/deals/" + deal, user_token_).body["amount"], "1234.56");
    EXPECT_EQ(Call("GET", "/api/v1/deals?filter[amount][gte]=1000", user_token_).status, 200);

    // So does a change of the user's role.
    ASSERT_EQ(
        Call("PATCH", "/api/v1/users/" + user_id_, admin_token_, {{"role", "manager"}}).status, 200
    );
    EXPECT_EQ(Call("DELETE", "/api/v1/deals/" + deal, user_token_).status, 204);

    // Every change of permissions is in the audit log.
    const Reply audit = Call("GET", "/api/v1/audit", admin_token_);
    std::set<std::string> actions;
    for (const auto& e : audit.body["data"]) {
        actions.insert(e["action"].get<std::string>());
    }
    EXPECT_TRUE(actions.contains("role.create"));
    EXPECT_TRUE(actions.contains("role.update"));
    EXPECT_TRUE(actions.contains("user.update"));
}

TEST_P(RolesTest, ARoleInUseCannotBeDeleted) {
    const Reply role = Call(
        "POST", "/api/v1/roles", admin_token_, {{"name", "Temp"}, {"rules", SalesRules(true)}}
    );
    ASSERT_EQ(role.status, 201) << role.raw;
    const std::string id = role.body["id"];
    ASSERT_EQ(Call("PATCH", "/api/v1/users/" + user_id_, admin_token_, {{"role", id}}).status, 200);
    const Reply in_use = Call("DELETE", "/api/v1/roles/" + id, admin_token_);
    EXPECT_EQ(in_use.status, 409) << in_use.raw;
    EXPECT_EQ(Call("GET", "/api/v1/roles/" + id, admin_token_).body["users"], 1);
    EXPECT_EQ(
        Call(
            "POST", "/api/v1/roles", admin_token_, {{"name", "TEMP"}, {"rules", Json::object()}}
        ).status,
        409
    );
    ASSERT_EQ(
        Call("PATCH", "/api/v1/users/" + user_id_, admin_token_, {{"role", "user"}}).status, 200
    );
    EXPECT_EQ(Call("DELETE", "/api/v1/roles/" + id, admin_token_).status, 204);
    EXPECT_EQ(Call("GET", "/api/v1/roles/" + id, admin_token_).status, 404);
}

TEST_P(RolesTest, RolesBelongToOneCompanyAndOnlyAdminsManageThem) {
    const Reply role =
        Call("POST", "/api/v1/roles", admin_token_, {{"name", "Mine"}, {"rules", Json::object()}});
    ASSERT_EQ(role.status, 201);
    const std::string id = role.body["id"];
    auto [other_tenant, other_admin] = NewTenant();
    const std::string other_user = AddUser(other_tenant, "user", "");
    EXPECT_EQ(Call("GET", "/api/v1/roles/" + id, other_admin).status, 404);
    EXPECT_EQ(Call("PATCH", "/api/v1/roles/" + id, other_admin, {{"name", "Stolen"}}).status, 404);
    EXPECT_EQ(Call("DELETE", "/api/v1/roles/" + id, other_admin).status, 404);
    EXPECT_EQ(Call("GET", "/api/v1/roles", other_admin).body["data"].size(), 3u);
    const Reply assign = Call("PATCH", "/api/v1/users/" + other_user, other_admin, {{"role", id}});
    EXPECT_EQ(assign.status, 400);
    EXPECT_EQ(Fields(assign), std::set<std::string>{"role"});
    for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/api/v1/roles"},
             {"POST", "/api/v1/roles"},
             {"GET", "/api/v1/roles/" + id},
             {"PATCH", "/api/v1/roles/" + id},
             {"DELETE", "/api/v1/roles/" + id}}) {
        EXPECT_EQ(Call(method, path, user_token_, Json::object()).status, 403) << method << path;
        EXPECT_EQ(Call(method, path, "vk_unknown", Json::object()).status, 401) << method << path;
    }
}

TEST_P(RolesTest, UsersEditTheirOwnProfileOnly) {
    const Reply ok = Call(
        "PATCH",
        "/api/v1/me",
        user_token_,
        {{"name", " Ann "}, {"locale", "uk"}, {"time_zone", "Europe/Kyiv"}}
    );
    ASSERT_EQ(ok.status, 200) << ok.raw;
    EXPECT_EQ(ok.body["name"], "Ann");
    EXPECT_EQ(ok.body["locale"], "uk");
    EXPECT_EQ(ok.body["time_zone"], "Europe/Kyiv");
    const Reply bad = Call(
        "PATCH",
        "/api/v1/me",
        user_token_,
        {{"locale", "de"}, {"time_zone", "Mars/Olympus"}, {"role", "admin"}, {"name", ""}}
    );
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(Fields(bad), (std::set<std::string>{"locale", "time_zone", "role", "name"}));
    EXPECT_EQ(
        Fields(Call("PATCH", "/api/v1/me", user_token_, {{"time_zone", "GMT+3"}})),
        std::set<std::string>{"time_zone"}
    );
    const Reply me = Call("GET", "/api/v1/me", user_token_);
    EXPECT_EQ(me.body["role"], "user");
    EXPECT_EQ(me.body["name"], "Ann");
    EXPECT_EQ(me.body["locale"], "uk");
    EXPECT_FALSE(me.body.contains("csrf_token"));  // a token caller needs none
}

TEST_P(RolesTest, CookieSessionsReadTheirCsrfTokenFromMe) {
    const std::string email = storage::UniqueName("s") + "@example.com";
    NewUser user;
    user.tenant_id = tenant_;
    user.email = email;
    user.password = "correct horse";
    ASSERT_TRUE(storage::WriteReturning<std::string>(db(), [&](Connection& tx) {
        return app_->auth.CreateUser(tx, user);
    }));
    auto login = app_->auth.Login(email, "correct horse", "127.0.0.1", "test", nullptr);
    ASSERT_TRUE(login) << storage::Describe(login.error());
    http::Request req;
    req.method = "GET";
    ASSERT_TRUE(http::ParseTarget("/api/v1/me", req));
    req.headers["cookie"] = "voronka_session=" + login->session_token;
    const http::Response res = app_->router.Dispatch(req);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(Json::parse(res.body)["csrf_token"], login->csrf_token);
}

TEST_P(RolesTest, AdminsSetATeamsHead) {
    const Reply headed = Call(
        "PATCH",
        "/api/v1/teams/" + team_,
        admin_token_,
        {{"head_user_id", user_id_}, {"name", " South "}}
    );
    ASSERT_EQ(headed.status, 200) << headed.raw;
    EXPECT_EQ(headed.body["head_user_id"], user_id_);
    EXPECT_EQ(headed.body["name"], "South");
    auto [other_tenant, other_admin] = NewTenant();
    const std::string stranger = AddUser(other_tenant, "user", "");
    EXPECT_EQ(Call("PATCH", "/api/v1/teams/" + team_, other_admin, {{"name", "Mine"}}).status, 404);
    const Reply foreign_head =
        Call("PATCH", "/api/v1/teams/" + team_, admin_token_, {{"head_user_id", stranger}});
    EXPECT_EQ(foreign_head.status, 400);
    EXPECT_EQ(Fields(foreign_head), std::set<std::string>{"head_user_id"});
    EXPECT_EQ(Call("PATCH", "/api/v1/teams/" + team_, user_token_, {{"name", "x"}}).status, 403);
    const Reply teams = Call("GET", "/api/v1/teams", admin_token_);
    ASSERT_EQ(teams.body["data"].size(), 1u);
    EXPECT_EQ(teams.body["data"][0]["head_user_id"], user_id_);
    EXPECT_EQ(teams.body["data"][0]["name"], "South");
    EXPECT_EQ(
        Call(
            "PATCH", "/api/v1/teams/" + team_, admin_token_, {{"head_user_id", nullptr}}
        ).body["head_user_id"],
        nullptr
    );
}

VORONKA_INSTANTIATE_BACKENDS(RolesTest);

}  // namespace
}  // namespace voronka::access
