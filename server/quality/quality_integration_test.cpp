// Data quality end to end through the assembled app's routes, on SQLite and PostgreSQL: keys and
// flags on write, duplicates on entry, scans, merge and undo, the report and the scan command.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "app/app.hpp"
#include "app/duplicates_cli.hpp"
#include "http/url.hpp"
#include "quality/quality_routes.hpp"
#include "sales/sales_entities.hpp"
#include "storage/backend_fixture.hpp"

namespace voronka::quality {
namespace {

using core::Json;
using storage::Connection;

struct Caller {
    std::string token;
    std::string user_id;
    int64_t tenant_id = 0;
    std::string tenant_name;
};

class QualityIntegrationTest : public storage::BackendTest {
protected:
    void SetUp() override {
        storage::BackendTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        app_ = app::BuildApp(db(), clock_);
        admin_ = NewTenant();
    }

    // A fresh company with its admin and an API token for them.
    Caller NewTenant() {
        Caller c;
        c.tenant_name = storage::UniqueName("acme");
        auto created =
            storage::WriteReturning<std::pair<int64_t, std::string>>(db(), [&](Connection& tx) {
                return app_->auth.CreateTenant(
                    tx, c.tenant_name, c.tenant_name + "@test.example", "password-123"
                );
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
        const Caller& who,
        const std::string& method,
        const std::string& target,
        const Json& body = nullptr
    ) {
        http::Request req;
        req.method = method;
        EXPECT_TRUE(http::ParseTarget(target, req));
        req.headers["authorization"] = "Bearer " + who.token;
        if (!body.is_null()) {
            req.body = body.dump();
            req.headers["content-type"] = "application/json";
        }
        return app_->router.Dispatch(std::move(req));
    }

    // Calls and parses the body; fails the test when the status differs.
    Json Expect(
        int status,
        const Caller& who,
        const std::string& method,
        const std::string& target,
        const Json& body = nullptr
    ) {
        const http::Response res = Call(who, method, target, body);
        EXPECT_EQ(res.status, status) << method << " " << target << ": " << res.body;
        if (res.body.empty()) {
            return nullptr;
        }
        return Json::parse(res.body, nullptr, false);
    }

    Json Create(const Caller& who, const std::string& entity, const Json& body) {
        return Expect(201, who, "POST", "/api/v1/" + entity, body);
    }

    static std::vector<std::string> Ids(const Json& list) {
        std::vector<std::string> ids;
        for (const Json& item : list) {
            ids.push_back(item.value("id", ""));
        }
        return ids;
    }

    static bool HasReason(Json match, std::string_view prefix) {
        for (const Json& r : match["reasons"]) {
            if (r.get<std::string>().starts_with(prefix)) {
                return true;
            }
        }
        return false;
    }

    // A record's field values without what every write changes (version, timestamps).
    static Json Values(Json body) {
        for (const char* key : {"version", "updated_at", "updated_by", "duplicates"}) {
            body.erase(key);
        }
        return body;
    }

    core::SystemClock clock_;
    std::unique_ptr<app::App> app_;
    Caller admin_;
};

TEST_P(QualityIntegrationTest, KeepsTypedValuesAndStoresKeysAndFlags) {
    Json ivan = Create(
        admin_,
        "contacts",
        {{"first_name", "Иван"},
         {"last_name", "Петров"},
         {"phone", "+7 (915) 123-45-67"},
         {"email", " ivan.petrov@Mail.ru "}}
    );
    EXPECT_EQ(ivan["phone"], "+7 (915) 123-45-67");
    EXPECT_EQ(ivan["phone_e164"], "+79151234567");
    EXPECT_EQ(ivan["email_key"], "ivan.petrov@mail.ru");
    EXPECT_EQ(ivan["name_latin"], "ivan petrov");
    EXPECT_EQ(ivan["name_key"], "petr/iva");
    EXPECT_EQ(ivan["quality_flags"], Json::array());

    Json bad = Create(
        admin_, "contacts", {{"last_name", "Broken"}, {"phone", "12-34"}, {"email", "not-an-email"}}
    );
    EXPECT_EQ(bad["phone"], "12-34");
    EXPECT_EQ(bad["email"], "not-an-email");
    EXPECT_TRUE(bad["phone_e164"].is_null());
    EXPECT_TRUE(bad["email_key"].is_null());
    EXPECT_EQ(bad["quality_flags"], Json::array({"invalid_phone", "invalid_email"}));

    // Fixing the phone clears its flag on the next write.
    Json fixed = Expect(
        200,
        admin_,
        "PATCH",
        "/api/v1/contacts/" + bad["id"].get<std::string>(),
        {{"phone", "8 916 000 11 22"}}
    );
    EXPECT_EQ(fixed["phone_e164"], "+79160001122");
    EXPECT_EQ(fixed["quality_flags"], Json::array({"invalid_email"}));

    Json company = Create(
        admin_,
        "companies",
        {{"name", "ООО «Ромашка»"}, {"website", "https://WWW.Romashka.ru/"}, {"inn", "7707083893"}}
    );
    EXPECT_EQ(company["website_key"], "romashka.ru");
    EXPECT_EQ(company["inn_key"], "7707083893");
    EXPECT_EQ(company["quality_flags"], Json::array());
    Json bad_company = Create(
        admin_, "companies", {{"name", "Bad Inc"}, {"website", "ftp://x"}, {"inn", "7707083890"}}
    );
    EXPECT_EQ(bad_company["quality_flags"], Json::array({"invalid_website", "invalid_inn"}));

    // The keys are read-only.
    Json refused = Expect(
        400,
        admin_,
        "PATCH",
        "/api/v1/contacts/" + ivan["id"].get<std::string>(),
        {{"email_key", "x@y.z"}}
    );
    EXPECT_EQ(refused["errors"][0]["field"], "email_key");
}

TEST_P(QualityIntegrationTest, OnePersonAcrossScriptsAndChannels) {
    Json cyrillic = Create(
        admin_,
        "contacts",
        {{"first_name", "Иван"}, {"last_name", "Петров"}, {"phone", "+7 (915) 123-45-67"}}
    );
    EXPECT_EQ(cyrillic["duplicates"], Json::array());

    // The same person typed in Latin with a national-format phone: flagged on entry.
    Json latin = Create(
        admin_,
        "contacts",
        {{"first_name", "Ivan"},
         {"last_name", "Petrov"},
         {"phone", "89151234567"},
         {"email", "ivan.petrov@Mail.ru"}}
    );
    ASSERT_EQ(latin["duplicates"].size(), 1u) << latin.dump();
    Json& match = latin["duplicates"][0];
    EXPECT_EQ(match["entity"], "contacts");
    EXPECT_EQ(match["id"], cyrillic["id"]);
    EXPECT_EQ(match["title"], "Иван Петров");
    EXPECT_GE(match["score"].get<double>(), 0.9);
    EXPECT_TRUE(HasReason(match, "same_phone")) << match.dump();

    // And the other way round, on the record's duplicates route.
    Json back = Expect(
        200, admin_, "GET", "/api/v1/contacts/" + cyrillic["id"].get<std::string>() + "/duplicates"
    );
    EXPECT_EQ(Ids(back["data"]), std::vector<std::string>{latin["id"].get<std::string>()});

    // A lead from any channel with only the email, in other case: linked to the contact.
    Json lead = Create(admin_, "leads", {{"email", "IVAN.PETROV@mail.ru"}, {"source", "web_form"}});
    EXPECT_EQ(lead["duplicate_of_contact_id"], latin["id"]);
    ASSERT_EQ(lead["duplicates"].size(), 1u) << lead.dump();  // the create response says so too
    EXPECT_EQ(lead["duplicates"][0]["entity"], "contacts");
    EXPECT_EQ(lead["duplicates"][0]["id"], latin["id"]);
    Json lead_dups = Expect(
        200, admin_, "GET", "/api/v1/leads/" + lead["id"].get<std::string>() + "/duplicates"
    );
    ASSERT_FALSE(lead_dups["data"].empty());
    EXPECT_EQ(lead_dups["data"][0]["entity"], "contacts");
    EXPECT_EQ(lead_dups["data"][0]["id"], latin["id"]);
    EXPECT_TRUE(HasReason(lead_dups["data"][0], "same_email"));

    // The scan finds the pair; the list shows it with titles.
    Json scan = Expect(200, admin_, "POST", "/api/v1/duplicates/scan", {{"entity", "contacts"}});
    EXPECT_EQ(scan["records"], 2);
    EXPECT_EQ(scan["pairs"], 1);
    Json pairs = Expect(200, admin_, "GET", "/api/v1/duplicates?entity=contacts");
    ASSERT_EQ(pairs["data"].size(), 1u);
    const std::set<std::string> pair_ids = {
        pairs["data"][0]["left"]["id"].get<std::string>(),
        pairs["data"][0]["right"]["id"].get<std::string>()};
    EXPECT_EQ(
        pair_ids,
        (std::set<std::string>{cyrillic["id"].get<std::string>(), latin["id"].get<std::string>()})
    );
    EXPECT_TRUE(pairs["next_cursor"].is_null());
}

TEST_P(QualityIntegrationTest, CompaniesMatchByInnWebsiteAndName) {
    Json first = Create(
        admin_,
        "companies",
        {{"name", "ООО «Ромашка»"}, {"website", "romashka.ru"}, {"inn", "7707083893"}}
    );
    Json second = Create(
        admin_,
        "companies",
        {{"name", "Romashka LLC"}, {"website", "https://www.romashka.ru/"}, {"inn", "7707 083 893"}}
    );
    ASSERT_EQ(second["duplicates"].size(), 1u) << second.dump();
    EXPECT_EQ(second["duplicates"][0]["id"], first["id"]);
    EXPECT_TRUE(HasReason(second["duplicates"][0], "same_website"));
    Json unrelated = Create(admin_, "companies", {{"name", "Василёк"}, {"website", "vasilek.ru"}});
    EXPECT_EQ(unrelated["duplicates"], Json::array());
}

TEST_P(QualityIntegrationTest, DuplicatesRespectReadScopeAndTenant) {
    Json admins = Create(
        admin_,
        "contacts",
        {{"first_name", "Anna"}, {"last_name", "Smirnova"}, {"phone", "+7 916 555 44 33"}}
    );
    const Caller rep = AddUser(admin_, "user");
    Json reps = Create(
        rep,
        "contacts",
        {{"first_name", "Anna"}, {"last_name", "Smirnova"}, {"phone", "89165554433"}}
    );
    // The rep may not read the admin's contact, so it is not offered to them.
    EXPECT_EQ(reps["duplicates"], Json::array());
    Json for_admin = Expect(
        200, admin_, "GET", "/api/v1/contacts/" + admins["id"].get<std::string>() + "/duplicates"
    );
    EXPECT_EQ(Ids(for_admin["data"]), std::vector<std::string>{reps["id"].get<std::string>()});
    // Nor is the rep able to ask about the admin's record.
    Expect(404, rep, "GET", "/api/v1/contacts/" + admins["id"].get<std::string>() + "/duplicates");

    // Another company with the same person sees nothing of this one.
    const Caller other = NewTenant();
    Json theirs = Create(
        other,
        "contacts",
        {{"first_name", "Anna"}, {"last_name", "Smirnova"}, {"phone", "+79165554433"}}
    );
    EXPECT_EQ(theirs["duplicates"], Json::array());
    Expect(
        404, other, "GET", "/api/v1/contacts/" + admins["id"].get<std::string>() + "/duplicates"
    );
}

TEST_P(QualityIntegrationTest, MergeMovesReferencesAndUndoRestoresExactly) {
    Json survivor = Create(
        admin_,
        "contacts",
        {{"first_name", "Олег"},
         {"last_name", "Сидоров"},
         {"email", "oleg@example.ru"},
         {"position", "CEO"}}
    );
    Json other = Create(
        admin_,
        "contacts",
        {{"first_name", "Oleg"},
         {"last_name", "Sidorov"},
         {"email", "o.sidorov@example.ru"},
         {"phone", "+7 903 111 22 33"},
         {"notes", "met at the fair"}}
    );
    const std::string sid = survivor["id"].get<std::string>();
    const std::string oid = other["id"].get<std::string>();
    Json note = Create(
        admin_,
        "activities",
        {{"type", "note"},
         {"subject", "call back"},
         {"related_entity", "contacts"},
         {"related_id", oid}}
    );
    Json lead = Create(admin_, "leads", {{"email", "O.Sidorov@example.ru"}});
    ASSERT_EQ(lead["duplicate_of_contact_id"], oid);
    Json survivor_before = Expect(200, admin_, "GET", "/api/v1/contacts/" + sid);
    Json other_before = Expect(200, admin_, "GET", "/api/v1/contacts/" + oid);

    Json merge = Expect(
        200,
        admin_,
        "POST",
        "/api/v1/contacts/merge",
        {{"survivor_id", sid}, {"other_id", oid}, {"fields", {{"email", "other"}}}}
    );
    Json& merged = merge["survivor"];
    EXPECT_EQ(merged["email"], "o.sidorov@example.ru");  // chosen
    EXPECT_EQ(merged["phone"], "+7 903 111 22 33");      // blank filled
    EXPECT_EQ(merged["phone_e164"], "+79031112233");     // keys follow
    EXPECT_EQ(merged["notes"], "met at the fair");
    EXPECT_EQ(merged["first_name"], "Олег");  // kept
    EXPECT_EQ(merged["position"], "CEO");
    Expect(404, admin_, "GET", "/api/v1/contacts/" + oid);
    EXPECT_EQ(
        Expect(
            200, admin_, "GET", "/api/v1/activities/" + note["id"].get<std::string>()
        )["related_id"],
        sid
    );
    EXPECT_EQ(
        Expect(
            200, admin_, "GET", "/api/v1/leads/" + lead["id"].get<std::string>()
        )["duplicate_of_contact_id"],
        sid
    );
    // Everything is in the history: the survivor's update, the references' updates.
    Json history = Expect(200, admin_, "GET", "/api/v1/contacts/" + sid + "/history");
    EXPECT_EQ(history.is_object() ? history["data"].size() : history.size(), 2u) << history.dump();
    Json stored = Expect(200, admin_, "GET", "/api/v1/merges/" + merge["id"].get<std::string>());
    EXPECT_EQ(stored["moved"].size(), 2u) << stored.dump();

    Json undone =
        Expect(200, admin_, "POST", "/api/v1/merges/" + merge["id"].get<std::string>() + "/undo");
    EXPECT_EQ(undone["kept"], Json::array());
    EXPECT_EQ(undone["moved_back"], 2);
    EXPECT_EQ(
        Values(Expect(200, admin_, "GET", "/api/v1/contacts/" + sid)), Values(survivor_before)
    );
    EXPECT_EQ(Values(Expect(200, admin_, "GET", "/api/v1/contacts/" + oid)), Values(other_before));
    EXPECT_EQ(
        Expect(
            200, admin_, "GET", "/api/v1/activities/" + note["id"].get<std::string>()
        )["related_id"],
        oid
    );
    EXPECT_EQ(
        Expect(
            200, admin_, "GET", "/api/v1/leads/" + lead["id"].get<std::string>()
        )["duplicate_of_contact_id"],
        oid
    );
    Json again =
        Expect(409, admin_, "POST", "/api/v1/merges/" + merge["id"].get<std::string>() + "/undo");
    EXPECT_EQ(again["detail"], "This merge was already undone");
}

TEST_P(QualityIntegrationTest, MergingCompaniesMovesTheirContacts) {
    Json keep = Create(admin_, "companies", {{"name", "Acme"}, {"inn", "7707083893"}});
    Json drop = Create(admin_, "companies", {{"name", "ACME LLC"}, {"website", "acme.example"}});
    Json person = Create(admin_, "contacts", {{"last_name", "Worker"}, {"company_id", drop["id"]}});
    Json merge = Expect(
        200,
        admin_,
        "POST",
        "/api/v1/companies/merge",
        {{"survivor_id", keep["id"]}, {"other_id", drop["id"]}}
    );
    EXPECT_EQ(merge["survivor"]["website"], "acme.example");
    EXPECT_EQ(
        Expect(
            200, admin_, "GET", "/api/v1/contacts/" + person["id"].get<std::string>()
        )["company_id"],
        keep["id"]
    );
    Expect(200, admin_, "POST", "/api/v1/merges/" + merge["id"].get<std::string>() + "/undo");
    EXPECT_EQ(
        Expect(
            200, admin_, "GET", "/api/v1/contacts/" + person["id"].get<std::string>()
        )["company_id"],
        drop["id"]
    );
    EXPECT_TRUE(
        Expect(200, admin_, "GET", "/api/v1/companies/" + keep["id"].get<std::string>())["website"]
            .is_null()
    );
}

TEST_P(QualityIntegrationTest, MergeRefusesOtherTenantsDeletedAndSelf) {
    Json a = Create(admin_, "contacts", {{"last_name", "Alpha"}});
    Json b = Create(admin_, "contacts", {{"last_name", "Beta"}});
    const Caller other = NewTenant();
    Json foreign = Create(other, "contacts", {{"last_name", "Alpha"}});

    Json cross = Expect(
        404,
        admin_,
        "POST",
        "/api/v1/contacts/merge",
        {{"survivor_id", a["id"]}, {"other_id", foreign["id"]}}
    );
    EXPECT_EQ(cross["status"], 404);
    Expect(
        404,
        other,
        "POST",
        "/api/v1/contacts/merge",
        {{"survivor_id", foreign["id"]}, {"other_id", a["id"]}}
    );

    Json self = Expect(
        400,
        admin_,
        "POST",
        "/api/v1/contacts/merge",
        {{"survivor_id", a["id"]}, {"other_id", a["id"]}}
    );
    EXPECT_EQ(self["errors"][0]["field"], "other_id");

    Expect(204, admin_, "DELETE", "/api/v1/contacts/" + b["id"].get<std::string>());
    Json deleted = Expect(
        409,
        admin_,
        "POST",
        "/api/v1/contacts/merge",
        {{"survivor_id", a["id"]}, {"other_id", b["id"]}}
    );
    EXPECT_EQ(deleted["errors"][0]["field"], "other_id");

    Json unknown = Expect(
        400,
        admin_,
        "POST",
        "/api/v1/contacts/merge",
        {{"survivor_id", a["id"]}, {"other_id", foreign["id"]}, {"fields", {{"nope", "other"}}}}
    );
    EXPECT_EQ(unknown["errors"][0]["field"], "fields.nope");

    // Nothing changed in either tenant.
    EXPECT_EQ(
        Expect(
            200, other, "GET", "/api/v1/contacts/" + foreign["id"].get<std::string>()
        )["version"],
        1
    );
    EXPECT_EQ(
        Expect(200, admin_, "GET", "/api/v1/contacts/" + a["id"].get<std::string>())["version"], 1
    );

    // Another tenant's merge cannot be seen or undone.
    Json c = Create(admin_, "contacts", {{"last_name", "Gamma"}});
    Json merge = Expect(
        200,
        admin_,
        "POST",
        "/api/v1/contacts/merge",
        {{"survivor_id", a["id"]}, {"other_id", c["id"]}}
    );
    Expect(404, other, "POST", "/api/v1/merges/" + merge["id"].get<std::string>() + "/undo");
    Expect(404, other, "GET", "/api/v1/merges/" + merge["id"].get<std::string>());
}

TEST_P(QualityIntegrationTest, ReportCountsIssuesAndDuplicates) {
    Create(
        admin_,
        "contacts",
        {{"first_name", "Pavel"}, {"last_name", "Orlov"}, {"phone", "+7 926 777 88 99"}}
    );
    Create(
        admin_,
        "contacts",
        {{"first_name", "Павел"}, {"last_name", "Орлов"}, {"phone", "8 926 777-88-99"}}
    );
    Create(admin_, "contacts", {{"last_name", "Nophone"}});
    Create(admin_, "contacts", {{"phone", "000"}, {"email", "bad@"}});
    Create(admin_, "companies", {{"name", "Broken"}, {"inn", "123"}});
    Expect(200, admin_, "POST", "/api/v1/duplicates/scan", {{"entity", "contacts"}});
    Json report = Expect(200, admin_, "GET", "/api/v1/quality/report");
    Json& contacts = report["entities"]["contacts"];
    EXPECT_EQ(contacts["records"], 4);
    EXPECT_EQ(contacts["invalid_phone"], 1);
    EXPECT_EQ(contacts["invalid_email"], 1);
    EXPECT_EQ(contacts["no_phone_or_email"], 1);
    EXPECT_EQ(contacts["no_name"], 1);
    EXPECT_EQ(contacts["duplicate_pairs"], 1);
    EXPECT_EQ(contacts["records_in_duplicate_pairs"], 2);
    EXPECT_EQ(report["entities"]["companies"]["invalid_inn"], 1);
    EXPECT_EQ(report["entities"]["leads"]["records"], 0);

    // Scans are for administrators.
    const Caller rep = AddUser(admin_, "user");
    Expect(403, rep, "POST", "/api/v1/duplicates/scan", {{"entity", "contacts"}});
    Json bad = Expect(400, admin_, "POST", "/api/v1/duplicates/scan", {{"entity", "deals"}});
    EXPECT_EQ(bad["errors"][0]["field"], "entity");
}

TEST_P(QualityIntegrationTest, ScanCommandWritesPairsAsCsv) {
    Create(
        admin_,
        "contacts",
        {{"first_name", "Мария"}, {"last_name", "Кузнецова"}, {"email", "maria.k@example.ru"}}
    );
    Create(
        admin_,
        "contacts",
        {{"first_name", "Maria"}, {"last_name", "Kuznetsova"}, {"email", "Maria.K@Example.ru"}}
    );
    Create(admin_, "contacts", {{"first_name", "Someone"}, {"last_name", "Else"}});
    app::DuplicatesScanArgs args;
    args.entity = "contacts";
    args.tenant = admin_.tenant_name;
    args.store = true;
    std::ostringstream csv;
    std::ostringstream log;
    VK_ASSERT_OK(app::RunDuplicatesScan(db(), clock_, args, csv, log));
    std::istringstream lines(csv.str());
    std::string header;
    std::string row;
    std::getline(lines, header);
    EXPECT_EQ(header, "entity,left_id,right_id,score,reasons,left_title,right_title");
    ASSERT_TRUE(std::getline(lines, row));
    EXPECT_TRUE(row.starts_with("contacts,")) << row;
    EXPECT_NE(row.find("same_email"), std::string::npos) << row;
    EXPECT_NE(row.find("Мария Кузнецова"), std::string::npos) << row;
    EXPECT_FALSE(std::getline(lines, row)) << "only one pair expected, got " << row;
    EXPECT_NE(log.str().find("Scanned 3 contacts: 1 likely duplicate pairs"), std::string::npos)
        << log.str();
    EXPECT_EQ(Expect(200, admin_, "GET", "/api/v1/duplicates?entity=contacts")["data"].size(), 1u);

    args.tenant = "no such company";
    const auto missing = app::RunDuplicatesScan(db(), clock_, args, csv, log);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, core::ErrorCode::kNotFound);
}

TEST_P(QualityIntegrationTest, ScanRefreshesKeysOfRecordsWrittenWithoutThem) {
    // A record written by an engine without the quality hooks (as before migration 0005).
    records::EntityRegistry plain_registry;
    sales::RegisterSalesEntities(plain_registry);
    records::RecordService plain(db(), plain_registry, clock_);
    access::RequestContext ctx;
    ctx.tenant_id = admin_.tenant_id;
    ctx.user_id = admin_.user_id;
    ctx.role = "admin";
    ctx.permissions = access::BuiltinRole("admin");
    auto old = storage::WriteReturning<records::Record>(db(), [&](Connection& tx) {
        return plain.Create(
            tx,
            ctx,
            "contacts",
            {{"first_name", "Old"},
             {"last_name", "Timer"},
             {"email", "Old@Example.ru"},
             {"phone", "1"}}
        );
    });
    VK_ASSERT_OK(old);
    const std::string id = old->body["id"].get<std::string>();
    EXPECT_TRUE(Expect(200, admin_, "GET", "/api/v1/contacts/" + id)["email_key"].is_null());
    // Not found by its email on entry yet...
    Json probe = Create(admin_, "contacts", {{"email", "old@example.ru"}});
    EXPECT_EQ(probe["duplicates"], Json::array());

    Json scan = Expect(200, admin_, "POST", "/api/v1/duplicates/scan", {{"entity", "contacts"}});
    EXPECT_EQ(scan["keys_refreshed"], 1);
    Json refreshed = Expect(200, admin_, "GET", "/api/v1/contacts/" + id);
    EXPECT_EQ(refreshed["email_key"], "old@example.ru");
    EXPECT_EQ(refreshed["quality_flags"], Json::array({"invalid_phone"}));
    EXPECT_EQ(refreshed["version"], 1);  // derived columns: no new version
    // ...and found once its keys exist.
    Json again = Create(admin_, "contacts", {{"email", "OLD@example.ru"}});
    EXPECT_EQ(Ids(again["duplicates"]).size(), 2u) << again.dump();
    EXPECT_EQ(
        Expect(
            200, admin_, "POST", "/api/v1/duplicates/scan", {{"entity", "contacts"}}
        )["keys_refreshed"],
        0
    );
}

TEST_P(QualityIntegrationTest, PairListPagesAndReplayedCreatesKeepTheirDuplicates) {
    for (const char* phone : {"+7 917 100 00 01", "8 917 100-00-01", "+79171000001"}) {
        Create(
            admin_, "contacts", {{"first_name", "Ivan"}, {"last_name", "Sokolov"}, {"phone", phone}}
        );
    }
    Expect(
        200, admin_, "POST", "/api/v1/duplicates/scan", {{"entity", "contacts"}, {"threshold", 0.6}}
    );
    Json first = Expect(200, admin_, "GET", "/api/v1/duplicates?entity=contacts&limit=2");
    ASSERT_EQ(first["data"].size(), 2u);
    ASSERT_TRUE(first["next_cursor"].is_string());
    Json second = Expect(
        200,
        admin_,
        "GET",
        "/api/v1/duplicates?entity=contacts&limit=2&cursor=" +
            first["next_cursor"].get<std::string>()
    );
    EXPECT_EQ(second["data"].size(), 1u);
    EXPECT_TRUE(second["next_cursor"].is_null());
    Json bad = Expect(400, admin_, "GET", "/api/v1/duplicates?entity=deals");
    EXPECT_EQ(bad["errors"][0]["field"], "entity");

    http::Request req;
    req.method = "POST";
    ASSERT_TRUE(http::ParseTarget("/api/v1/contacts", req));
    req.headers["authorization"] = "Bearer " + admin_.token;
    req.headers["idempotency-key"] = "dup-1";
    req.body =
        Json{{"first_name", "Ivan"}, {"last_name", "Sokolov"}, {"phone", "89171000001"}}.dump();
    const http::Response created = app_->router.Dispatch(req);
    const http::Response replayed = app_->router.Dispatch(req);
    EXPECT_EQ(created.status, 201);
    EXPECT_EQ(replayed.status, 201);
    bool replay_header = false;
    for (const auto& [name, value] : replayed.headers) {
        replay_header = replay_header || (name == "Idempotent-Replayed" && value == "true");
    }
    EXPECT_TRUE(replay_header);
    EXPECT_EQ(Json::parse(created.body)["duplicates"].size(), 3u);
    EXPECT_EQ(Json::parse(replayed.body)["duplicates"], Json::parse(created.body)["duplicates"]);
}

VORONKA_INSTANTIATE_BACKENDS(QualityIntegrationTest);

// The command as typed, on a small SQLite file.
TEST(DuplicatesCommand, ScansAFileDatabase) {
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / storage::UniqueName("dupscan");
    std::filesystem::create_directories(dir);
    const std::string db_path = (dir / "crm.db").string();
    const std::string csv_path = (dir / "pairs.csv").string();
    core::SystemClock clock;
    {
        auto db = storage::OpenDatabase(db_path);
        ASSERT_TRUE(db);
        VK_ASSERT_OK((*db)->Migrate());
        auto application = app::BuildApp(**db, clock);
        auto made =
            storage::WriteReturning<std::pair<int64_t, std::string>>(**db, [&](Connection& tx) {
                return application->auth.CreateTenant(
                    tx, "Box", "box@test.example", "password-123"
                );
            });
        ASSERT_TRUE(made);
        access::RequestContext ctx;
        ctx.tenant_id = made->first;
        ctx.user_id = made->second;
        ctx.role = "admin";
        ctx.permissions = access::BuiltinRole("admin");
        for (const Json& body :
             {Json{{"first_name", "Ivan"}, {"last_name", "Petrov"}, {"phone", "+7 915 123 45 67"}},
              Json{{"first_name", "Иван"}, {"last_name", "Петров"}, {"phone", "89151234567"}}}) {
            VK_ASSERT_OK(storage::WriteReturning<records::Record>(**db, [&](Connection& tx) {
                return application->records->Create(tx, ctx, "contacts", body);
            }));
        }
    }
    CLI::App cli{"test"};
    app::RegisterDuplicatesCommands(cli, clock);
    std::vector<std::string> argv = {
        "voronka",
        "duplicates",
        "scan",
        "--db",
        db_path,
        "--entity",
        "contacts",
        "--output",
        csv_path,
        "--threshold",
        "0.5"};
    std::vector<char*> raw;
    for (std::string& a : argv) {
        raw.push_back(a.data());
    }
    ASSERT_NO_THROW(cli.parse(static_cast<int>(raw.size()), raw.data()));
    std::ifstream in(csv_path);
    std::string header;
    std::string row;
    std::getline(in, header);
    ASSERT_TRUE(std::getline(in, row));
    EXPECT_NE(row.find("same_phone"), std::string::npos) << row;
    EXPECT_NE(row.find("Ivan Petrov"), std::string::npos) << row;
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace voronka::quality
