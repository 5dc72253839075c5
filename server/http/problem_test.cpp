// problem+json: status and type for every ErrorCode, body shape, and what never reaches the client.
#include <gtest/gtest.h>

#include "http/http_types.hpp"

namespace voronka::http {
namespace {

std::string HeaderOf(const Response& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
        if (key == name) {
            return value;
        }
    }
    return "<absent>";
}

TEST(Problem, EveryCodeHasAStatusTypeAndTitle) {
    using core::ErrorCode;

    struct Case {
        ErrorCode code;
        int status;
        std::string type;
        std::string title;
    };

    const std::vector<Case> cases = {
        {ErrorCode::kInvalid, 400, "validation", "Invalid request"},
        {ErrorCode::kNotFound, 404, "not-found", "Not found"},
        {ErrorCode::kConflict, 409, "conflict", "Conflict"},
        {ErrorCode::kPrecondition, 412, "precondition-failed", "Precondition failed"},
        {ErrorCode::kForbidden, 403, "forbidden", "Forbidden"},
        {ErrorCode::kUnauthenticated, 401, "unauthenticated", "Authentication required"},
        {ErrorCode::kRateLimited, 429, "rate-limited", "Too many requests"},
        {ErrorCode::kUnavailable, 503, "unavailable", "Service unavailable"},
        {ErrorCode::kPayloadTooLarge, 413, "payload-too-large", "Payload too large"},
        {ErrorCode::kInternal, 500, "internal", "Internal server error"},
    };
    ASSERT_EQ(cases.size(), static_cast<size_t>(ErrorCode::kInternal) + 1) << "a code is untested";
    for (const auto& c : cases) {
        SCOPED_TRACE(c.type);
        EXPECT_EQ(StatusFor(c.code), c.status);
        core::Error error{c.code, "client text", {}, "driver text: relation \"deals\" missing"};
        Response response = ProblemResponse(error, "/api/v1/deals/1");
        EXPECT_EQ(response.status, c.status);
        EXPECT_EQ(response.content_type, "application/problem+json");
        core::Json body = core::Json::parse(response.body);
        EXPECT_EQ(body["type"], "https://voronka.dev/problems/" + c.type);
        EXPECT_EQ(body["title"], c.title);
        EXPECT_EQ(body["status"], c.status);
        EXPECT_EQ(body["detail"], "client text");
        EXPECT_EQ(body["instance"], "/api/v1/deals/1");
        EXPECT_FALSE(body.contains("errors"));
        EXPECT_EQ(response.body.find("driver text"), std::string::npos);
        EXPECT_EQ(
            HeaderOf(response, "WWW-Authenticate"),
            c.code == ErrorCode::kUnauthenticated ? "Bearer" : "<absent>"
        );
    }
}

TEST(Problem, FieldErrorsAreListedInOrder) {
    Response response = ProblemResponse(core::Error::Invalid(
        "Validation failed",
        {{"email", "is not an email address"}, {"amount_minor", "must be >= 0"}}
    ));
    core::Json body = core::Json::parse(response.body);
    ASSERT_TRUE(body["errors"].is_array());
    ASSERT_EQ(body["errors"].size(), 2u);
    EXPECT_EQ(
        body["errors"][0], core::Json({{"field", "email"}, {"message", "is not an email address"}})
    );
    EXPECT_EQ(body["errors"][1]["field"], "amount_minor");
    EXPECT_FALSE(body.contains("instance"));  // omitted when not given
}

TEST(Problem, InternalFactoryShowsOnlyTheGenericMessage) {
    Response response = ProblemResponse(core::Error::Internal("SQLITE_CORRUPT at page 7"));
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(core::Json::parse(response.body)["detail"], "Internal error");
    EXPECT_EQ(response.body.find("SQLITE"), std::string::npos);
}

TEST(Problem, EmptyMessageOmitsDetail) {
    Response response = ProblemResponse(core::Error{core::ErrorCode::kConflict, "", {}, ""});
    EXPECT_FALSE(core::Json::parse(response.body).contains("detail"));
}

TEST(Problem, StatusWithoutErrorCodeUsesAboutBlank) {
    struct Case {
        int status;
        std::string title;
    };

    const std::vector<Case> cases = {
        {405, "Method Not Allowed"},
        {431, "Request Header Fields Too Large"},
        {418, "Client Error"},
    };
    for (const auto& c : cases) {
        Response response = ProblemForStatus(c.status, "why", "/x");
        EXPECT_EQ(response.status, c.status);
        EXPECT_EQ(response.content_type, "application/problem+json");
        core::Json body = core::Json::parse(response.body);
        EXPECT_EQ(body["type"], "about:blank");
        EXPECT_EQ(body["title"], c.title);
        EXPECT_EQ(body["status"], c.status);
        EXPECT_EQ(body["detail"], "why");
        EXPECT_EQ(body["instance"], "/x");
    }
}

TEST(ResponseValues, ConstructorsAndHeaders) {
    Response json = Response::JsonBody(201, {{"id", "x"}});
    EXPECT_EQ(json.status, 201);
    EXPECT_EQ(json.content_type, "application/json");
    EXPECT_EQ(json.body, R"({"id":"x"})");

    Response none = Response::NoContent();
    EXPECT_EQ(none.status, 204);
    EXPECT_TRUE(none.content_type.empty());
    EXPECT_TRUE(none.body.empty());

    Response text = Response::Text(200, "hi");
    EXPECT_EQ(text.content_type, "text/plain; charset=utf-8");

    text.SetHeader("ETag", "\"1\"").SetHeader("etag", "\"2\"");
    ASSERT_EQ(text.headers.size(), 1u);
    EXPECT_EQ(text.headers[0].second, "\"2\"");
}

TEST(RequestValues, Accessors) {
    Request request;
    request.headers["if-match"] = "\"3\"";
    request.query = {{"tag", "a"}, {"tag", "b"}, {"empty", ""}};
    request.path_params["id"] = "x1";
    EXPECT_EQ(request.Header("if-match"), "\"3\"");
    EXPECT_EQ(request.Header("authorization"), "");
    EXPECT_EQ(request.QueryValue("tag"), "a");
    EXPECT_EQ(request.QueryValue("empty"), "");
    EXPECT_EQ(request.QueryValue("missing"), std::nullopt);
    EXPECT_EQ(request.PathParam("id"), "x1");
    EXPECT_EQ(request.PathParam("entity"), "");
}

}  // namespace
}  // namespace voronka::http
