#include "records/record_service.hpp"

#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include "core/text.hpp"
#include "records/search_maintenance.hpp"
#include "records/test_support.hpp"
#include "sales/sales_entities.hpp"

namespace voronka::records {
namespace {

using storage::Connection;
using testing::TestTenant;

class RecordServiceTest : public storage::BackendTest {
protected:
    void SetUp() override {
        storage::BackendTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        registry_.Register(sales::ContactEntity());
        registry_.Register(sales::CompanyEntity());
        service_ = std::make_unique<RecordService>(db(), registry_, clock_);
        tenant_ = TestTenant::Create(db(), "Acme");
    }

    Result<Record> Create(
        const access::RequestContext& ctx, const std::string& entity, const Json& body
    ) {
        return storage::WriteReturning<Record>(db(), [&](Connection& tx) {
            return service_->Create(tx, ctx, entity, body);
        });
    }

    Result<Record> Update(
        const access::RequestContext& ctx,
        const std::string& entity,
        const std::string& id,
        const Json& body,
        std::optional<int64_t> if_match = {}
    ) {
        return storage::WriteReturning<Record>(db(), [&](Connection& tx) {
            return service_->Update(tx, ctx, entity, id, body, if_match);
        });
    }

    Result<ListPage> List(
        const access::RequestContext& ctx, const std::string& entity, const ListQuery& q
    ) {
        return storage::ReadReturning<ListPage>(db(), [&](Connection& c) {
            return service_->List(c, ctx, entity, q);
        });
    }

    Result<Record> Get(
        const access::RequestContext& ctx, const std::string& entity, const std::string& id
    ) {
        return storage::ReadReturning<Record>(db(), [&](Connection& c) {
            return service_->Get(c, ctx, entity, id);
        });
    }

    int64_t CountRows(const std::string& sql, std::vector<storage::Value> params) {
        auto rows = storage::ReadReturning<storage::Rows>(db(), [&](Connection& c) {
            return c.Query(sql, params);
        });
        return rows ? storage::AsInt(rows->rows[0][0]) : -1;
    }

    core::ManualClock clock_{1'800'000'000'000'000};
    EntityRegistry registry_;
    std::unique_ptr<RecordService> service_;
    TestTenant tenant_;
};

TEST_P(RecordServiceTest, CreateReadUpdateWithEventsAndNormalisedPhone) {
    auto created = Create(
        tenant_.admin,
        "contacts",
        {{"first_name", "Иван"}, {"last_name", "Петров"}, {"phone", "8 (915) 123-45-67"}}
    );
    ASSERT_TRUE(created) << storage::Describe(created.error());
    const std::string id = created->body["id"];
    EXPECT_EQ(created->version, 1);
    EXPECT_EQ(created->body["phone"], "8 (915) 123-45-67");
    EXPECT_EQ(created->body["phone_e164"], "+79151234567");
    EXPECT_EQ(created->body["owner_id"], tenant_.admin.user_id);

    auto updated = Update(tenant_.admin, "contacts", id, {{"last_name", "Сидоров"}}, 1);
    ASSERT_TRUE(updated) << storage::Describe(updated.error());
    EXPECT_EQ(updated->version, 2);
    EXPECT_EQ(updated->body["last_name"], "Сидоров");

    auto stale = Update(tenant_.admin, "contacts", id, {{"last_name", "X"}}, 1);
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error().code, core::ErrorCode::kPrecondition);
    EXPECT_EQ(Get(tenant_.admin, "contacts", id)->body["last_name"], "Сидоров");

    EXPECT_EQ(
        CountRows(
            "SELECT COUNT(*) FROM events WHERE tenant_id = $1 AND record_id = $2", {tenant_.id, id}
        ),
        2
    );
    auto history = storage::ReadReturning<Json>(db(), [&](Connection& c) {
        return service_->History(c, tenant_.admin, "contacts", id);
    });
    ASSERT_TRUE(history);
    ASSERT_EQ((*history)["data"].size(), 2u);
    EXPECT_EQ((*history)["data"][1]["changes"]["last_name"]["from"], "Петров");
    EXPECT_EQ((*history)["data"][1]["changes"]["last_name"]["to"], "Сидоров");
    EXPECT_EQ((*history)["data"][1]["actor_id"], tenant_.admin.user_id);
}

TEST_P(RecordServiceTest, SearchDocumentFollowsSearchedFieldsOnly) {
    auto created =
        Create(tenant_.admin, "contacts", {{"first_name", "Глеб"}, {"last_name", "Жуковский"}});
    ASSERT_TRUE(created) << storage::Describe(created.error());
    const std::string id = created->body["id"];
    // The document's title, marked by hand: an update that re-indexes writes it anew.
    auto title = [&] {
        auto rows = storage::ReadReturning<storage::Rows>(db(), [&](Connection& c) {
            return c.Query(
                "SELECT title FROM search_docs WHERE tenant_id = $1 AND record_id = $2",
                {tenant_.id, id}
            );
        });
        return rows && rows->size() == 1 ? storage::AsText(rows->rows[0][0]) : std::string("?");
    };
    ASSERT_TRUE(db().Write([&](Connection& tx) -> core::Status {
        auto marked = tx.Execute(
            "UPDATE search_docs SET title = 'marker' WHERE tenant_id = $1 AND record_id = $2",
            {tenant_.id, id}
        );
        return marked ? core::Ok() : core::Status(std::move(marked).error());
    }));
    auto found = [&](const std::string& q) {
        auto hits = storage::ReadReturning<Json>(db(), [&](Connection& c) {
            return service_->Search(c, tenant_.admin, q, 10);
        });
        return hits ? (*hits)["data"].size() : size_t{99};
    };
    // A field outside the document: the document stays as it is.
    ASSERT_TRUE(Update(tenant_.admin, "contacts", id, {{"birthday", "1990-05-17"}}, 1));
    EXPECT_EQ(title(), "marker");
    EXPECT_EQ(found("жуковск"), 1u);

    // A searched field: the old words are gone, the new ones found.
    ASSERT_TRUE(Update(tenant_.admin, "contacts", id, {{"last_name", "Зайцевский"}}, 2));
    EXPECT_EQ(title(), "Глеб Зайцевский");
    EXPECT_EQ(found("жуковск"), 0u);
    EXPECT_EQ(found("зайцевск"), 1u);
    EXPECT_EQ(
        CountRows(
            "SELECT COUNT(*) FROM search_docs WHERE tenant_id = $1 AND record_id = $2",
            {tenant_.id, id}
        ),
        1
    );
}

TEST_P(RecordServiceTest, ScopedSearchFillsItsPageFromBehindNewerHiddenMatches) {
    auto carol = tenant_.AddUser(db(), "user", "");
    // Carol's two contacts are the oldest matches; forty newer ones belong to the admin.
    for (int i = 0; i < 2; ++i) {
        ASSERT_TRUE(Create(carol, "contacts", {{"first_name", "Тамара"}, {"last_name", "Старая"}}));
    }
    for (int i = 0; i < 40; ++i) {
        ASSERT_TRUE(
            Create(tenant_.admin, "contacts", {{"first_name", "Тамара"}, {"last_name", "Новая"}})
        );
    }
    auto search = [&](const access::RequestContext& ctx, int limit) {
        auto hits = storage::ReadReturning<Json>(db(), [&](Connection& c) {
            return service_->Search(c, ctx, "тамара", limit);
        });
        return hits ? (*hits)["data"] : Json();
    };
    const Json mine = search(carol, 2);
    ASSERT_EQ(mine.size(), 2u);
    for (const Json& hit : mine) {
        EXPECT_EQ(hit["title"], "Тамара Старая");
    }
    const Json all = search(tenant_.admin, 5);
    ASSERT_EQ(all.size(), 5u);
    EXPECT_EQ(all[0]["title"], "Тамара Новая");
    EXPECT_EQ(search(tenant_.admin, 100).size(), 42u);
}

// Creates, an update and a delete in one transaction (as a batch request or one group commit
// runs them): the search index ends up with exactly the live documents, newest first, with no
// row left behind for the replaced and the deleted record (a renamed record is re-indexed, so
// it is the newest document).
TEST_P(RecordServiceTest, SearchRowsOfOneCommitFollowItsUpdatesAndDeletes) {
    std::vector<std::string> ids;
    auto done = db().Write([&](Connection& tx) -> core::Status {
        for (int i = 0; i < 5; ++i) {
            VK_ASSIGN_OR_RETURN(
                Record r,
                service_->Create(
                    tx,
                    tenant_.admin,
                    "contacts",
                    {{"first_name", "Партия"}, {"last_name", "Коммитова" + std::to_string(i)}}
                )
            );
            ids.push_back(r.body["id"]);
        }
        VK_ASSIGN_OR_RETURN(
            Record renamed,
            service_->Update(
                tx, tenant_.admin, "contacts", ids[1], {{"last_name", "Переименова"}}, std::nullopt
            )
        );
        (void)renamed;
        return service_->Delete(tx, tenant_.admin, "contacts", ids[3], std::nullopt);
    });
    ASSERT_TRUE(done) << storage::Describe(done.error());
    auto found = [&](const std::string& q) {
        auto hits = storage::ReadReturning<Json>(db(), [&](Connection& c) {
            return service_->Search(c, tenant_.admin, q, 50);
        });
        std::vector<std::string> titles;
        for (const Json& hit : hits ? (*hits)["data"] : Json::array()) {
            titles.push_back(hit["title"]);
        }
        return titles;
    };
    EXPECT_EQ(
        found("партия"),
        (std::vector<std::string>{
            "Партия Переименова", "Партия Коммитова4", "Партия Коммитова2", "Партия Коммитова0"})
    );
    EXPECT_TRUE(found("коммитова1").empty());
    EXPECT_TRUE(found("коммитова3").empty());
    if (GetParam() == storage::Dialect::kSqlite) {
        EXPECT_EQ(
            CountRows("SELECT COUNT(*) FROM search_fts", {}),
            CountRows("SELECT COUNT(*) FROM search_docs", {})
        );
    }
}

TEST_P(RecordServiceTest, SearchIndexMergesIntoOneSegmentAndFindsTheSame) {
    // Separate commits, each of which may leave a segment in the SQLite index.
    for (int i = 0; i < 12; ++i) {
        ASSERT_TRUE(Create(
            tenant_.admin,
            "contacts",
            {{"first_name", "Ольга"}, {"last_name", "Сегментова" + std::to_string(i)}}
        ));
    }
    auto found = [&](const std::string& q) {
        auto hits = storage::ReadReturning<Json>(db(), [&](Connection& c) {
            return service_->Search(c, tenant_.admin, q, 50);
        });
        return hits ? (*hits)["data"] : Json();
    };
    const Json before = found("сегмент");
    ASSERT_EQ(before.size(), 12u);
    for (size_t i = 0; i < before.size(); ++i) {  // newest first
        EXPECT_EQ(before[i]["title"], "Ольга Сегментова" + std::to_string(11 - i));
    }
    auto step = [&] {
        return storage::WriteReturning<bool>(db(), [&](Connection& tx) {
            return MergeSearchIndexStep(tx, 16);
        });
    };
    const auto segment_rows = [&] {
        return GetParam() == storage::Dialect::kSqlite
                   ? CountRows("SELECT COUNT(*) FROM search_fts_data", {})
                   : 0;
    };
    const int64_t rows_before = segment_rows();
    ASSERT_TRUE(MergeSearchIndex(db(), 16));
    auto again = step();
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again) << "a merged index has nothing left to merge";
    EXPECT_LE(segment_rows(), rows_before);
    EXPECT_EQ(found("сегмент"), before);
    EXPECT_EQ(found("ольга сегментова1").size(), 3u);  // 1, 10, 11
}

TEST_P(RecordServiceTest, ValidationFailsWithFieldErrorsAndWritesNothing) {
    struct Case {
        Json body;
        std::string field;
    };

    const std::vector<Case> cases = {
        {{{"first_name", 5}}, "first_name"},
        {{{"nope", "x"}}, "nope"},
        {{{"birthday", "1990-02-30"}}, "birthday"},
        {{{"company_id", core::NewId()}}, "company_id"},
        {{{"source", "carrier_pigeon"}}, "source"},
        {{{"id", "abc"}}, "id"},
        {{{"phone_e164", "+7"}}, "phone_e164"},
        {{{"custom", {{"missing", 1}}}}, "custom.missing"},
    };
    for (const auto& c : cases) {
        auto r = Create(tenant_.admin, "contacts", c.body);
        ASSERT_FALSE(r) << c.body.dump();
        EXPECT_EQ(r.error().code, core::ErrorCode::kInvalid);
        ASSERT_FALSE(r.error().fields.empty());
        EXPECT_EQ(r.error().fields[0].field, c.field) << c.body.dump();
    }
    auto company = Create(tenant_.admin, "companies", Json::object());
    ASSERT_FALSE(company);
    EXPECT_EQ(company.error().fields[0].field, "name");
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM contacts WHERE tenant_id = $1", {tenant_.id}), 0);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM events WHERE tenant_id = $1", {tenant_.id}), 0);
}

TEST_P(RecordServiceTest, OtherTenantSeesNothing) {
    TestTenant other = TestTenant::Create(db(), "Other");
    auto created = Create(tenant_.admin, "contacts", {{"first_name", "Secret"}});
    ASSERT_TRUE(created);
    const std::string id = created->body["id"];
    auto got = Get(other.admin, "contacts", id);
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, core::ErrorCode::kNotFound);
    auto patched = Update(other.admin, "contacts", id, {{"first_name", "Hacked"}});
    ASSERT_FALSE(patched);
    EXPECT_EQ(patched.error().code, core::ErrorCode::kNotFound);
    auto list = List(other.admin, "contacts", {});
    ASSERT_TRUE(list);
    EXPECT_TRUE(list->data.empty());
    auto found = storage::ReadReturning<Json>(db(), [&](Connection& c) {
        return service_->Search(c, other.admin, "Secret", 10);
    });
    ASSERT_TRUE(found);
    EXPECT_TRUE((*found)["data"].empty());
    auto mine = storage::ReadReturning<Json>(db(), [&](Connection& c) {
        return service_->Search(c, tenant_.admin, "secr", 10);
    });
    ASSERT_TRUE(mine);
    ASSERT_EQ((*mine)["data"].size(), 1u);
}

TEST_P(RecordServiceTest, UserRoleSeesOwnAndTeamRecordsOnly) {
    const std::string team = tenant_.AddTeam(db());
    auto alice = tenant_.AddUser(db(), "user", team);
    auto bob = tenant_.AddUser(db(), "user", team);
    auto carol = tenant_.AddUser(db(), "user", "");
    ASSERT_TRUE(Create(alice, "contacts", {{"first_name", "AliceLead"}}));
    ASSERT_TRUE(Create(carol, "contacts", {{"first_name", "CarolLead"}}));
    auto bob_list = List(bob, "contacts", {});
    ASSERT_TRUE(bob_list);
    ASSERT_EQ(bob_list->data.size(), 1u);
    EXPECT_EQ(bob_list->data[0]["first_name"], "AliceLead");
    auto carol_list = List(carol, "contacts", {});
    ASSERT_EQ(carol_list->data.size(), 1u);
    EXPECT_EQ(carol_list->data[0]["first_name"], "CarolLead");
    const std::string alice_record = bob_list->data[0]["id"];
    auto carol_get = Get(carol, "contacts", alice_record);
    ASSERT_FALSE(carol_get);
    EXPECT_EQ(carol_get.error().code, core::ErrorCode::kNotFound);
    // Handing a record to someone outside the caller's scope is refused.
    auto give = Update(bob, "contacts", alice_record, {{"owner_id", carol.user_id}});
    ASSERT_FALSE(give);
    EXPECT_EQ(give.error().code, core::ErrorCode::kForbidden);
    EXPECT_EQ(List(tenant_.admin, "contacts", {})->data.size(), 2u);
}

// A scoped page is chosen from the list index before its rows are read: under every sort, filter
// and page size a team member's pages must be the admin's pages without the other owners' rows.
TEST_P(RecordServiceTest, ScopedPagesAreTheAdminsPagesWithoutOtherOwnersRows) {
    const std::string team = tenant_.AddTeam(db());
    auto alice = tenant_.AddUser(db(), "user", team);
    auto bob = tenant_.AddUser(db(), "user", team);
    auto carol = tenant_.AddUser(db(), "user", "");
    const std::vector<std::string> owners = {
        alice.user_id, carol.user_id, tenant_.admin.user_id, bob.user_id};
    const char* names[] = {"Орлов", "орлова", "Осипов", nullptr, "Петров"};
    std::map<std::string, std::string> owner_of;
    for (int i = 0; i < 24; ++i) {
        Json body = {{"first_name", "N" + std::to_string(i % 5)}, {"owner_id", owners[i % 4]}};
        if (names[i % 5]) {
            body["last_name"] = names[i % 5];
        }
        body["source"] = i % 3 ? "call" : "email";
        auto r = Create(tenant_.admin, "contacts", body);
        ASSERT_TRUE(r) << storage::Describe(r.error());
        owner_of[r->body["id"].get<std::string>()] = owners[i % 4];
        clock_.Advance(i % 2 ? 1000 : 0);  // equal sort keys, ordered by id
    }
    auto pages = [&](const access::RequestContext& ctx, ListQuery q) {
        std::vector<std::string> ids;
        for (int page = 0; page < 30; ++page) {
            auto r = List(ctx, "contacts", q);
            EXPECT_TRUE(r) << storage::Describe(r.error());
            if (!r) {
                break;
            }
            for (const auto& item : r->data) {
                ids.push_back(item["id"]);
            }
            if (!r->next_cursor) {
                break;
            }
            q.cursor = *r->next_cursor;
        }
        return ids;
    };
    std::vector<ListQuery> queries;
    for (const char* sort : {"-updated_at", "last_name", "-last_name,first_name", "first_name"}) {
        for (int limit : {1, 3, 50}) {
            ListQuery q;
            q.sort = sort;
            q.limit = limit;
            queries.push_back(q);
            q.filters = {{"last_name", "starts", "ор"}};
            queries.push_back(q);
            q.filters = {{"source", "eq", "call"}};
            queries.push_back(q);
        }
    }
    for (const ListQuery& q : queries) {
        const std::vector<std::string> all = pages(tenant_.admin, q);
        std::vector<std::string> team_rows;
        std::vector<std::string> carol_rows;
        for (const std::string& id : all) {
            const std::string& owner = owner_of[id];
            if (owner == alice.user_id || owner == bob.user_id) {
                team_rows.push_back(id);
            } else if (owner == carol.user_id) {
                carol_rows.push_back(id);
            }
        }
        const std::string label = q.sort + " limit " + std::to_string(q.limit) +
                                  (q.filters.empty() ? "" : " " + q.filters[0].field);
        EXPECT_EQ(pages(bob, q), team_rows) << label;
        EXPECT_EQ(pages(carol, q), carol_rows) << label;
    }
}

TEST_P(RecordServiceTest, FiltersSortsAndPagesWithCursor) {
    const char* names[] = {"Антонов", "Борисов", "Волков", nullptr, "Громов", "Дмитриев", "Жуков"};
    for (int i = 0; i < 7; ++i) {
        Json body = {{"first_name", "N" + std::to_string(i)}};
        if (names[i]) {
            body["last_name"] = names[i];
        }
        body["email"] = "user" + std::to_string(i) + "@Example.com";
        ASSERT_TRUE(Create(tenant_.admin, "contacts", body));
        clock_.Advance(1000);
    }
    ListQuery q;
    q.sort = "last_name";
    q.limit = 2;
    std::vector<std::string> seen;
    for (int page = 0; page < 10; ++page) {
        auto r = List(tenant_.admin, "contacts", q);
        ASSERT_TRUE(r) << storage::Describe(r.error());
        for (auto& item : r->data) {
            seen.push_back(
                item["last_name"].is_null() ? "<null>" : item["last_name"].get<std::string>()
            );
        }
        if (!r->next_cursor) {
            break;
        }
        q.cursor = *r->next_cursor;
    }
    const std::vector<std::string> expected = {
        "Антонов", "Борисов", "Волков", "Громов", "Дмитриев", "Жуков", "<null>"};
    EXPECT_EQ(seen, expected);

    ListQuery desc;
    desc.sort = "-updated_at";
    desc.limit = 3;
    auto first = List(tenant_.admin, "contacts", desc);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->data[0]["first_name"], "N6");

    ListQuery contains;
    contains.filters = {{"last_name", "contains", "ОВ"}};
    EXPECT_EQ(List(tenant_.admin, "contacts", contains)->data.size(), 5u);
    ListQuery starts;
    starts.filters = {{"last_name", "starts", "б"}};
    EXPECT_EQ(List(tenant_.admin, "contacts", starts)->data.size(), 1u);
    ListQuery empty;
    empty.filters = {{"last_name", "empty", "true"}};
    EXPECT_EQ(List(tenant_.admin, "contacts", empty)->data.size(), 1u);
    ListQuery in;
    in.filters = {{"first_name", "in", "N1,N2,N9"}};
    EXPECT_EQ(List(tenant_.admin, "contacts", in)->data.size(), 2u);
    ListQuery injection;
    injection.filters = {{"last_name", "eq", "x' OR '1'='1"}};
    EXPECT_EQ(List(tenant_.admin, "contacts", injection)->data.size(), 0u);

    for (const auto& bad : std::vector<FilterTerm>{
             {"nope", "eq", "x"}, {"last_name", "like", "x"}, {"birthday", "gt", "soon"}}) {
        ListQuery q2;
        q2.filters = {bad};
        auto r = List(tenant_.admin, "contacts", q2);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, core::ErrorCode::kInvalid);
        EXPECT_EQ(r.error().fields[0].field, "filter[" + bad.field + "]");
    }
    ListQuery huge;
    huge.limit = 100000;
    EXPECT_FALSE(List(tenant_.admin, "contacts", huge));
    ListQuery bad_cursor;
    bad_cursor.cursor = "garbage";
    EXPECT_FALSE(List(tenant_.admin, "contacts", bad_cursor));
}

// "starts" is case-insensitive; on SQLite it also reads index ranges over the case spellings of
// the needle (one UNION ALL branch each when sorted by the column). Every sort and every page
// must still see exactly the matches.
TEST_P(RecordServiceTest, StartsFilterFindsEveryCaseSpellingInEverySortAndPage) {
    std::vector<std::string> names = {
        "Петров",
        "пЕТРОВ",
        "ПЕТРОВА",
        "Петухов",
        "Пётр",
        "Smith",
        "SMITHSON",
        "smirnov",
        "Ёлкин",
        "елкин",
        "Semenov"};
    if (dialect() == storage::Dialect::kSqlite) {
        // Full case folding: "ß" folds to "ss", "ſ" (long s) to "s".
        names.insert(names.end(), {"Straße", "STRASSE", "ſtrasse"});
    }
    for (const auto& name : names) {
        ASSERT_TRUE(Create(tenant_.admin, "contacts", {{"last_name", name}}));
        clock_.Advance(1000);
    }
    auto matches = [&](const std::string& needle) {
        std::vector<std::string> out;
        for (const auto& name : names) {
            if (core::FoldCase(name).starts_with(core::FoldCase(needle))) {
                out.push_back(name);
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    };
    std::vector<std::string> needles = {"пет", "ПЕТР", "пё", "smi", "S", "ё", "е", "zz"};
    if (dialect() == storage::Dialect::kSqlite) {
        needles.insert(needles.end(), {"strass", "ss", "ſt"});
    }
    for (const auto& needle : needles) {
        for (const char* sort :
             {"last_name", "-last_name", "-updated_at", "last_name,-created_at"}) {
            for (int limit : {2, 50}) {
                ListQuery q;
                q.filters = {{"last_name", "starts", needle}};
                q.sort = sort;
                q.limit = limit;
                std::vector<std::string> seen;
                for (int page = 0; page < 20; ++page) {
                    auto r = List(tenant_.admin, "contacts", q);
                    ASSERT_TRUE(r) << storage::Describe(r.error());
                    for (auto& item : r->data) {
                        seen.push_back(item["last_name"].get<std::string>());
                    }
                    if (!r->next_cursor) {
                        break;
                    }
                    q.cursor = *r->next_cursor;
                }
                if (std::string_view(sort).starts_with("last_name")) {
                    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end())) << needle << " " << sort;
                }
                std::sort(seen.begin(), seen.end());
                EXPECT_EQ(seen, matches(needle))
                    << needle << " sort " << sort << " limit " << limit;
            }
        }
    }
}

TEST_P(RecordServiceTest, UpdateSetsOnlyTheColumnsItChanges) {
    // "AFTER UPDATE OF column" triggers fire whenever the column is in the SET list, changed or
    // not (on both backends): they show which columns an update wrote.
    const bool sqlite = db().dialect() == storage::Dialect::kSqlite;
    ASSERT_TRUE(db().Write([&](Connection& tx) -> core::Status {
        VK_RETURN_IF_ERROR(tx.ExecuteScript("CREATE TABLE column_writes (name TEXT NOT NULL)"));
        if (!sqlite) {
            VK_RETURN_IF_ERROR(tx.ExecuteScript(
                "CREATE FUNCTION log_column_write() RETURNS trigger LANGUAGE plpgsql AS $f$ "
                "BEGIN INSERT INTO column_writes VALUES (TG_ARGV[0]); RETURN NULL; END $f$"
            ));
        }
        for (const char* column : {"email", "last_name", "company_id", "custom"}) {
            const std::string name = column;
            VK_RETURN_IF_ERROR(tx.ExecuteScript(
                sqlite ? "CREATE TRIGGER log_" + name + " AFTER UPDATE OF " + name +
                             " ON contacts BEGIN INSERT INTO column_writes VALUES ('" + name +
                             "'); END"
                       : "CREATE TRIGGER log_" + name + " AFTER UPDATE OF " + name +
                             " ON contacts FOR EACH ROW EXECUTE FUNCTION log_column_write('" +
                             name + "')"
            ));
        }
        return core::Ok();
    }));
    auto field = storage::WriteReturning<Json>(db(), [&](Connection& tx) {
        return service_->AddCustomField(
            tx, tenant_.admin, "contacts", {{"name", "score"}, {"type", "integer"}, {"label", "S"}}
        );
    });
    ASSERT_TRUE(field) << storage::Describe(field.error());
    tenant_.admin.meta_version = 2;
    auto created = Create(
        tenant_.admin,
        "contacts",
        {{"first_name", "Иван"},
         {"last_name", "Петров"},
         {"email", "ivan@example.ru"},
         {"score", 1}}
    );
    ASSERT_TRUE(created) << storage::Describe(created.error());
    const std::string id = created->body["id"];
    auto writes = [&] {
        auto rows = storage::ReadReturning<storage::Rows>(db(), [](Connection& c) {
            return c.Query("SELECT name FROM column_writes ORDER BY name");
        });
        std::string out;
        for (const auto& row : rows->rows) {
            out += (out.empty() ? "" : ",") + storage::AsText(row[0]);
        }
        return out;
    };
    auto clear = [&] {
        ASSERT_TRUE(db().Write([](Connection& tx) {
            return tx.ExecuteScript("DELETE FROM column_writes");
        }));
    };

    // The email sent again unchanged, the last name changed: only the last name is written.
    ASSERT_TRUE(Update(
        tenant_.admin, "contacts", id, {{"last_name", "Сидоров"}, {"email", "ivan@example.ru"}}
    ));
    EXPECT_EQ(writes(), "last_name");
    clear();
    ASSERT_TRUE(Update(tenant_.admin, "contacts", id, {{"email", "ivan.s@example.ru"}}));
    EXPECT_EQ(writes(), "email");
    clear();
    ASSERT_TRUE(Update(tenant_.admin, "contacts", id, {{"score", 2}}));
    EXPECT_EQ(writes(), "custom");
    clear();
    auto read = Get(tenant_.admin, "contacts", id);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->body["last_name"], "Сидоров");
    EXPECT_EQ(read->body["email"], "ivan.s@example.ru");
    EXPECT_EQ(read->body["custom"]["score"], 2);
    EXPECT_EQ(read->body["first_name"], "Иван");
    EXPECT_EQ(read->version, 4);
}

TEST_P(RecordServiceTest, DeleteRestoreRevertAndRecycleBin) {
    auto created =
        Create(tenant_.admin, "companies", {{"name", "ООО Ромашка"}, {"website", "romashka.ru"}});
    ASSERT_TRUE(created);
    const std::string id = created->body["id"];
    ASSERT_TRUE(Update(tenant_.admin, "companies", id, {{"name", "ООО Лютик"}}));
    auto reverted = storage::WriteReturning<Record>(db(), [&](Connection& tx) {
        return service_->Revert(tx, tenant_.admin, "companies", id, 1);
    });
    ASSERT_TRUE(reverted) << storage::Describe(reverted.error());
    EXPECT_EQ(reverted->body["name"], "ООО Ромашка");
    EXPECT_EQ(reverted->version, 3);

    ASSERT_TRUE(db().Write([&](Connection& tx) {
        return service_->Delete(tx, tenant_.admin, "companies", id, std::nullopt);
    }));
    EXPECT_FALSE(Get(tenant_.admin, "companies", id));
    auto bin = storage::ReadReturning<Json>(db(), [&](Connection& c) {
        return service_->RecycleBin(c, tenant_.admin, 50);
    });
    ASSERT_TRUE(bin);
    ASSERT_EQ((*bin)["data"].size(), 1u);
    EXPECT_EQ((*bin)["data"][0]["id"], id);
    auto search_deleted = storage::ReadReturning<Json>(db(), [&](Connection& c) {
        return service_->Search(c, tenant_.admin, "ромашка", 10);
    });
    EXPECT_TRUE((*search_deleted)["data"].empty());

    auto restored = storage::WriteReturning<Record>(db(), [&](Connection& tx) {
        return service_->Restore(tx, tenant_.admin, "companies", id);
    });
    ASSERT_TRUE(restored);
    EXPECT_TRUE(Get(tenant_.admin, "companies", id));
    auto search = storage::ReadReturning<Json>(db(), [&](Connection& c) {
        return service_->Search(c, tenant_.admin, "РОМАШ", 10);
    });
    ASSERT_EQ((*search)["data"].size(), 1u);
}

TEST_P(RecordServiceTest, CustomFieldsAreWritableFilterableSortable) {
    auto field = storage::WriteReturning<Json>(db(), [&](Connection& tx) {
        return service_->AddCustomField(
            tx,
            tenant_.admin,
            "contacts",
            {{"name", "tier"}, {"type", "enum"}, {"label", "Tier"}, {"options", {"gold", "silver"}}}
        );
    });
    ASSERT_TRUE(field) << storage::Describe(field.error());
    auto score = storage::WriteReturning<Json>(db(), [&](Connection& tx) {
        return service_->AddCustomField(
            tx,
            tenant_.admin,
            "contacts",
            {{"name", "score"}, {"type", "integer"}, {"label", "Score"}}
        );
    });
    ASSERT_TRUE(score);
    tenant_.admin.meta_version = 2;
    auto dup = storage::WriteReturning<Json>(db(), [&](Connection& tx) {
        return service_->AddCustomField(
            tx, tenant_.admin, "contacts", {{"name", "email"}, {"type", "text"}, {"label", "E"}}
        );
    });
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().fields[0].field, "name");

    ASSERT_TRUE(
        Create(tenant_.admin, "contacts", {{"first_name", "A"}, {"tier", "gold"}, {"score", 30}})
    );
    ASSERT_TRUE(Create(
        tenant_.admin,
        "contacts",
        {{"first_name", "B"}, {"custom", {{"tier", "silver"}, {"score", 10}}}}
    ));
    ASSERT_TRUE(Create(tenant_.admin, "contacts", {{"first_name", "C"}, {"score", 20}}));
    auto bad = Create(tenant_.admin, "contacts", {{"tier", "bronze"}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().fields[0].field, "tier");

    ListQuery q;
    q.filters = {{"tier", "eq", "gold"}};
    auto gold = List(tenant_.admin, "contacts", q);
    ASSERT_TRUE(gold) << storage::Describe(gold.error());
    ASSERT_EQ(gold->data.size(), 1u);
    EXPECT_EQ(gold->data[0]["custom"]["tier"], "gold");
    ListQuery sorted;
    sorted.sort = "-custom.score";
    auto by_score = List(tenant_.admin, "contacts", sorted);
    ASSERT_TRUE(by_score);
    ASSERT_EQ(by_score->data.size(), 3u);
    EXPECT_EQ(by_score->data[0]["first_name"], "A");
    EXPECT_EQ(by_score->data[2]["first_name"], "B");
    ListQuery gt;
    gt.filters = {{"score", "gt", "15"}};
    EXPECT_EQ(List(tenant_.admin, "contacts", gt)->data.size(), 2u);

    // Another tenant does not get this tenant's fields.
    TestTenant other = TestTenant::Create(db(), "Other");
    auto other_create = Create(other.admin, "contacts", {{"tier", "gold"}});
    ASSERT_FALSE(other_create);
    EXPECT_EQ(other_create.error().fields[0].field, "tier");
}

VORONKA_INSTANTIATE_BACKENDS(RecordServiceTest);

}  // namespace
}  // namespace voronka::records
