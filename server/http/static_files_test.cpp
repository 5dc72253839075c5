// Static SPA files: content types, cache headers, index.html fallback, and refused escapes.
#include "http/static_files.hpp"

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "http/url.hpp"

namespace voronka::http {
namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& path, std::string_view content) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
}

std::string HeaderOf(const Response& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
        if (key == name) {
            return value;
        }
    }
    return "<absent>";
}

// <tmp>/web is the root; <tmp>/secret.txt and <tmp>/outside/ lie beside it.
class StaticFilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "voronka-static-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        base_ = pattern;
        root_ = base_ / "web";
        WriteFile(root_ / "index.html", "<!doctype html>INDEX");
        WriteFile(root_ / "assets" / "app.3f9a1c.js", "console.log(1)");
        WriteFile(root_ / "robots.txt", "User-agent: *");
        WriteFile(root_ / ".env", "TOKEN=abc");
        WriteFile(root_ / "docs" / "guide.PDF", "%PDF");
        WriteFile(base_ / "secret.txt", "SECRET");
        WriteFile(base_ / "outside" / "leak.txt", "SECRET");
        fs::create_symlink(base_ / "outside", root_ / "link");
    }

    void TearDown() override { fs::remove_all(base_); }

    Response Get(std::string_view target, std::string method = "GET") {
        Request request;
        request.method = std::move(method);
        EXPECT_TRUE(ParseTarget(target, request)) << target;
        StaticFiles files(root_.string());
        EXPECT_TRUE(files.enabled());
        EXPECT_TRUE(StaticFiles::Eligible(request));
        return files.Serve(request);
    }

    fs::path base_;
    fs::path root_;
};

TEST_F(StaticFilesTest, ServesFilesWithTypesAndCacheHeaders) {
    struct Case {
        std::string target;
        std::string body;
        std::string content_type;
        std::string cache_control;
    };

    const std::string immutable = "public, max-age=31536000, immutable";
    const std::vector<Case> cases = {
        {"/", "<!doctype html>INDEX", "text/html; charset=utf-8", "no-cache"},
        {"/index.html", "<!doctype html>INDEX", "text/html; charset=utf-8", "no-cache"},
        {"/assets/app.3f9a1c.js", "console.log(1)", "text/javascript; charset=utf-8", immutable},
        {"/robots.txt", "User-agent: *", "text/plain; charset=utf-8", "no-cache"},
        {"/docs/guide.PDF", "%PDF", "application/pdf", "no-cache"},
        {"/%72obots.txt", "User-agent: *", "text/plain; charset=utf-8", "no-cache"},  // decoded
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.target);
        Response response = Get(c.target);
        EXPECT_EQ(response.status, 200);
        EXPECT_EQ(response.body, c.body);
        EXPECT_EQ(response.content_type, c.content_type);
        EXPECT_EQ(HeaderOf(response, "Cache-Control"), c.cache_control);
    }
}

TEST_F(StaticFilesTest, UnknownPathsGetIndexExceptUnderAssets) {
    for (std::string target : {"/contacts/01hx", "/deals", "/docs", "/settings/users?tab=2"}) {
        SCOPED_TRACE(target);
        Response response = Get(target);
        EXPECT_EQ(response.status, 200);
        EXPECT_EQ(response.body, "<!doctype html>INDEX");
        EXPECT_EQ(HeaderOf(response, "Cache-Control"), "no-cache");
    }
    Response missing = Get("/assets/app.000000.js");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.content_type, "application/problem+json");
}

TEST_F(StaticFilesTest, RefusesEscapesAndHiddenFiles) {
    struct Case {
        std::string target;
        int status;
    };

    const std::vector<Case> cases = {
        {"/../secret.txt", 400},
        {"/%2e%2e/secret.txt", 400},
        {"/assets/..%2F..%2Fsecret.txt", 400},
        {"/assets/../../secret.txt", 400},
        {"/./index.html", 400},
        {"/..", 400},
        {"/a%5C..%5C..%5Csecret.txt", 400},  // backslashes
        {"/.env", 404},
        {"/assets/.hidden", 404},
        {"/link/leak.txt", 404},  // a symlink out of the root
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.target);
        Response response = Get(c.target);
        EXPECT_EQ(response.status, c.status);
        EXPECT_EQ(response.content_type, "application/problem+json");
        EXPECT_EQ(response.body.find("SECRET"), std::string::npos);
        EXPECT_EQ(response.body.find("TOKEN"), std::string::npos);
    }
}

TEST_F(StaticFilesTest, HeadReportsLengthWithoutBody) {
    Response response = Get("/robots.txt", "HEAD");
    EXPECT_EQ(response.status, 200);
    EXPECT_TRUE(response.body.empty());
    EXPECT_EQ(HeaderOf(response, "Content-Length"), "13");
}

TEST(StaticFilesConfig, DisabledWithoutAUsableRoot) {
    EXPECT_FALSE(StaticFiles("").enabled());
    EXPECT_FALSE(StaticFiles("/nonexistent/voronka/web").enabled());
}

TEST(StaticFilesConfig, OnlyGetAndHeadOutsideApiAreEligible) {
    struct Case {
        std::string method;
        std::string path;
        bool eligible;
    };

    const std::vector<Case> cases = {
        {"GET", "/", true},
        {"HEAD", "/deals", true},
        {"GET", "/apiary", true},
        {"POST", "/deals", false},
        {"GET", "/api", false},
        {"GET", "/api/", false},
        {"GET", "/api/v1/unknown", false},
    };
    for (const auto& c : cases) {
        Request request;
        request.method = c.method;
        request.path = c.path;
        EXPECT_EQ(StaticFiles::Eligible(request), c.eligible) << c.method << " " << c.path;
    }
}

TEST(StaticFilesConfig, ContentTypes) {
    EXPECT_EQ(StaticFiles::ContentTypeFor("a.css"), "text/css; charset=utf-8");
    EXPECT_EQ(StaticFiles::ContentTypeFor("a.woff2"), "font/woff2");
    EXPECT_EQ(StaticFiles::ContentTypeFor("a.SVG"), "image/svg+xml");
    EXPECT_EQ(StaticFiles::ContentTypeFor("app.js.map"), "application/json");
    EXPECT_EQ(StaticFiles::ContentTypeFor("LICENSE"), "application/octet-stream");
    EXPECT_EQ(StaticFiles::ContentTypeFor("a.exe"), "application/octet-stream");
}

}  // namespace
}  // namespace voronka::http
