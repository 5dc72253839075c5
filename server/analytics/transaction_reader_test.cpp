// Tests for the CSV transaction reader and exact decimal parsing.
#include "analytics/transaction_reader.hpp"

#include <sstream>

#include <gtest/gtest.h>

namespace voronka::analytics {
namespace {

TransactionCsvOptions Options() { return {"customer", "date", "amount", "%Y-%m-%d", ','}; }

core::Result<std::vector<Transaction>> Parse(const std::string& text) {
    std::istringstream input(text);
    return ParseTransactionsCsv(input, Options());
}

TEST(ParseDecimalTest, ParsesExactly) {
    const struct {
        const char* text;
        double value;
    } cases[] = {
        {"29.33", 29.33},
        {"0", 0.0},
        {"-3", -3.0},
        {"+0.5", 0.5},
        {"0.05", 0.05},
        {"1500.", 1500.0},
        {".25", 0.25},
        {"000123.4500", 123.45},
        {"999999999999999999", 999999999999999999.0},
    };

    for (const auto& c : cases) {
        const auto value = ParseDecimal(c.text);
        ASSERT_TRUE(value.has_value()) << c.text;
        EXPECT_EQ(*value, c.value) << c.text;  // exact: same double as the literal
    }
}

TEST(ParseDecimalTest, RejectsNonDecimals) {
    const struct {
        const char* text;
        const char* message;
    } cases[] = {
        {"", "'' is not a decimal number"},
        {"-", "'-' is not a decimal number"},
        {".", "'.' is not a decimal number"},
        {"1e5", "'1e5' is not a decimal number"},
        {"1,000", "'1,000' is not a decimal number"},
        {"1.2.3", "'1.2.3' is not a decimal number"},
        {"12 ", "'12 ' is not a decimal number"},
        {"1234567890123456789", "'1234567890123456789' has more than 18 significant digits"},
    };

    for (const auto& c : cases) {
        const auto value = ParseDecimal(c.text);
        ASSERT_FALSE(value.has_value()) << c.text;
        EXPECT_EQ(value.error().message, c.message);
    }
}

TEST(ParseTransactionsCsvTest, ReadsColumnsByNameInAnyOrder) {
    const auto txs = Parse(
        "\xEF\xBB\xBF"
        "amount,note,customer,date\r\n"
        "10.50,\"first, with comma\",c1,1997-01-01\r\n"
        "\r\n"
        "\"2\",\"say \"\"hi\"\"\nsecond line\", c2 ,1997-01-02\n"
    );
    ASSERT_TRUE(txs.has_value()) << txs.error().message;
    ASSERT_EQ(txs->size(), 2u);
    EXPECT_EQ((*txs)[0].customer_id, "c1");
    EXPECT_EQ((*txs)[0].day, 9862);
    EXPECT_EQ((*txs)[0].amount, 10.5);
    EXPECT_EQ((*txs)[1].customer_id, "c2");
    EXPECT_EQ((*txs)[1].day, 9863);
    EXPECT_EQ((*txs)[1].amount, 2.0);
}

TEST(ParseTransactionsCsvTest, AmountColumnIsOptional) {
    std::istringstream input("customer,date\nc1,1997-01-01\n");
    auto options = Options();
    options.amount_col.clear();
    const auto txs = ParseTransactionsCsv(input, options);
    ASSERT_TRUE(txs.has_value());
    ASSERT_EQ(txs->size(), 1u);
    EXPECT_EQ((*txs)[0].amount, 0.0);
}

TEST(ParseTransactionsCsvTest, ReportsErrorsWithLineAndColumn) {
    const struct {
        const char* text;
        const char* message;
    } cases[] = {
        {"", "input is empty: expected a header row"},
        {"client,date,amount\n",
         "customer column 'customer' not found in header (columns: client, date, amount)"},
        {"customer,day,amount\n",
         "date column 'date' not found in header (columns: customer, day, amount)"},
        {"customer,date,amount\nc1,1997-02-30,1\n",
         "line 2: date '1997-02-30' is not a calendar date"},
        {"customer,date,amount\nc1,19970101,1\n",
         "line 2: date '19970101' does not match format '%Y-%m-%d'"},
        {"customer,date,amount\nc1,1997-01-01,1\nc1,1997-01-01,ten\n",
         "line 3: amount 'ten' is not a decimal number"},
        {"customer,date,amount\nc1,1997-01-01\n", "line 2: expected at least 3 fields, found 2"},
        {"customer,date,amount\n,1997-01-01,1\n", "line 2: empty customer id"},
        {"customer,date,amount\n\"c1,1997-01-01,1\n", "line 2: unterminated quoted field"},
    };

    for (const auto& c : cases) {
        const auto txs = Parse(c.text);
        ASSERT_FALSE(txs.has_value()) << c.text;
        EXPECT_EQ(txs.error().code, core::ErrorCode::kInvalid);
        EXPECT_EQ(txs.error().message, c.message);
    }
}

TEST(ReadTransactionsCsvTest, MissingFileIsNotFound) {
    const auto txs = ReadTransactionsCsv("/nonexistent/voronka/tx.csv", Options());
    ASSERT_FALSE(txs.has_value());
    EXPECT_EQ(txs.error().code, core::ErrorCode::kNotFound);
    EXPECT_EQ(txs.error().message, "cannot open input file '/nonexistent/voronka/tx.csv'");
}

}  // namespace
}  // namespace voronka::analytics
