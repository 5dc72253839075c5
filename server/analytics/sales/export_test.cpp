#include "analytics/sales/export.hpp"

#include <gtest/gtest.h>

namespace voronka::analytics {
namespace {

using core::Json;

TEST(Export, FlattensNestedObjectsIntoColumns) {
    const Json rows = Json::parse(R"([
        {"source": "web_form", "leads": 2, "revenue": {"RUB": "1400.00"}, "roi": null},
        {"source": "call", "leads": 1, "revenue": {"USD": "5.00"}, "tags": ["a"]}
    ])");
    const Table t = Flatten(rows, {"leads"});
    // JSON objects iterate their keys in order; `leading` columns come first.
    EXPECT_EQ(
        t.columns,
        (std::vector<std::string>{"leads", "revenue.RUB", "roi", "source", "revenue.USD", "tags"})
    );
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0][0], Json(2));
    EXPECT_EQ(t.rows[0][1], Json("1400.00"));
    EXPECT_TRUE(t.rows[0][2].is_null());
    EXPECT_TRUE(t.rows[0][4].is_null());
    EXPECT_EQ(t.rows[1][3], Json("call"));
    EXPECT_EQ(t.rows[1][4], Json("5.00"));
    EXPECT_EQ(t.rows[1][5], Json("[\"a\"]"));
}

TEST(Export, DrilldownColumnsGoLast) {
    const Json rows =
        Json::parse(R"([{"a": 1, "drilldown": {"leads": "/l"}, "z": {"RUB": "1.00"}}])");
    const Table t = Flatten(rows);
    EXPECT_EQ(t.columns, (std::vector<std::string>{"a", "z.RUB", "drilldown.leads"}));
    EXPECT_EQ(t.rows[0], (std::vector<Json>{Json(1), Json("1.00"), Json("/l")}));
}

TEST(Export, CsvQuotesPerRfc4180AndDefusesFormulas) {
    Table t;
    t.columns = {"name", "amount", "note"};
    t.rows = {
        {Json("Acme, Inc."), Json("-12.50"), Json("say \"hi\"\nbye")},
        {Json("=HYPERLINK(\"x\")"), Json(3), Json(nullptr)},
        {Json("-x"), Json(true), Json("+1")},
    };
    EXPECT_EQ(
        ToCsv(t),
        "name,amount,note\r\n"
        "\"Acme, Inc.\",-12.50,\"say \"\"hi\"\"\nbye\"\r\n"
        "\"'=HYPERLINK(\"\"x\"\")\",3,\r\n"
        "'-x,true,'+1\r\n"
    );
}

TEST(Export, XlsxIsAZipWorkbook) {
    Table t;
    t.columns = {"stage", "deals"};
    t.rows = {{Json("Новая"), Json(5)}, {Json("Won"), Json(nullptr)}};
    auto bytes = ToXlsx(t, "funnel");
    ASSERT_TRUE(bytes) << bytes.error().internal;
    ASSERT_GT(bytes->size(), 1000u);
    EXPECT_EQ(bytes->substr(0, 4), std::string("PK\x03\x04", 4));
    EXPECT_NE(bytes->find("xl/worksheets/sheet1.xml"), std::string::npos);
}

}  // namespace
}  // namespace voronka::analytics
