// Server over real loopback sockets: framing, limits, keep-alive, decoding, headers, static files.
#include "http/server.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "http/health.hpp"

namespace voronka::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using BeastResponse = bhttp::response<bhttp::string_body>;
using boost::system::error_code;

// Only a guard against a hung test; no test waits for it to pass.
constexpr std::chrono::seconds kClientSafetyTimeout{10};

std::string Str(beast::string_view text) { return std::string(text.data(), text.size()); }

// A deliberately low-level client: raw bytes out, one parsed response in.
class Client {
public:
    explicit Client(uint16_t port) : stream_(ioc_) {
        stream_.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
    }

    void Send(std::string_view raw) {
        asio::write(stream_.socket(), asio::buffer(raw.data(), raw.size()));
    }

    // One response, or nullopt if the connection ended first (error() says how).
    std::optional<BeastResponse> Read(bool head = false) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.skip(head);
        parser.body_limit(1 << 24);
        error_ = asio::error::would_block;
        stream_.expires_after(kClientSafetyTimeout);
        bhttp::async_read(stream_, buffer_, parser, [this](error_code ec, size_t) { error_ = ec; });
        ioc_.restart();
        ioc_.run();
        if (error_) {
            return std::nullopt;
        }
        return parser.release();
    }

    BeastResponse Roundtrip(std::string_view raw, bool head = false) {
        Send(raw);
        auto response = Read(head);
        EXPECT_TRUE(response.has_value()) << "no response: " << error_.message();
        return response ? std::move(*response) : BeastResponse{};
    }

    // True when the server ends the connection (EOF or reset) with nothing more to read.
    bool ClosedByServer() {
        if (buffer_.size() > 0) {
            return false;
        }
        char byte = 0;
        error_ = asio::error::would_block;
        stream_.expires_after(kClientSafetyTimeout);
        stream_.async_read_some(asio::buffer(&byte, 1), [this](error_code ec, size_t) {
            error_ = ec;
        });
        ioc_.restart();
        ioc_.run();
        return error_ == asio::error::eof || error_ == asio::error::connection_reset;
    }

    const error_code& error() const { return error_; }

private:
    asio::io_context ioc_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    error_code error_;
};

std::string Get(std::string_view target, std::string_view extra_headers = {}) {
    return "GET " + std::string(target) + " HTTP/1.1\r\nHost: localhost\r\n" +
           std::string(extra_headers) + "\r\n";
}

core::Json JsonOf(const BeastResponse& response) { return core::Json::parse(response.body()); }

void WriteFile(const fs::path& path, std::string_view content) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
}

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "voronka-server-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        base_ = pattern;
        WriteFile(base_ / "web" / "index.html", "<!doctype html>INDEX");
        WriteFile(base_ / "web" / "assets" / "app.5d41402a.js", "console.log('app')");
        WriteFile(base_ / "secret.txt", "SECRET");

        router_
            .Add("GET", "/api/v1/echo", Policy::kPublic, [](const auto&, const Request& request) {
                core::Json query = core::Json::array();
                for (const auto& [key, value] : request.query) {
                    query.push_back({key, value});
                }
                return core::Result<Response>(Response::JsonBody(
                    200,
                    {{"path", request.path},
                     {"query", query},
                     {"x_test", request.Header("x-test")},
                     {"cookie", request.Header("cookie")},
                     {"remote", request.remote_address}}
                ));
            });
        router_.Add("GET", "/api/v1/echo/{name}", Policy::kPublic, [](const auto&, const auto& r) {
            return core::Result<Response>(Response::JsonBody(200, {{"name", r.PathParam("name")}}));
        });
        router_.Add("POST", "/api/v1/echo", Policy::kPublic, [](const auto&, const Request& r) {
            return core::Result<Response>(Response::JsonBody(200, {{"bytes", r.body.size()}}));
        });
        router_.Add("GET", "/api/v1/throw", Policy::kPublic, [](const auto&, const auto&) {
            throw std::runtime_error("secret-detail");
            return core::Result<Response>(Response::NoContent());
        });
        router_.Add("GET", "/api/v1/headers", Policy::kPublic, [](const auto&, const auto&) {
            Response response = Response::NoContent();
            response.SetHeader("X-Echo", "a\r\nInjected: yes");
            response.headers.emplace_back("Set-Cookie", "a=1");
            response.headers.emplace_back("Set-Cookie", "b=2");
            response.SetHeader("Cache-Control", "private, max-age=60");
            return core::Result<Response>(std::move(response));
        });
        router_.Add("GET", "/api/v1/block", Policy::kPublic, [this](const auto&, const auto&) {
            entered_block_.set_value();
            release_block_future_.wait();
            return core::Result<Response>(Response::Text(200, "released"));
        });
        router_.Add("POST", "/api/v1/block", Policy::kPublic, [this](const auto&, const auto&) {
            writers_in_handler_.fetch_add(1);
            release_block_future_.wait();
            return core::Result<Response>(Response::Text(200, "written"));
        });
        RegisterHealthRoutes(router_, nullptr);
    }

    void TearDown() override {
        StopServer();
        fs::remove_all(base_);
    }

    ServerOptions Options() {
        ServerOptions options;
        options.port = 0;
        options.threads = 2;
        options.handle_signals = false;
        options.body_limit_bytes = 1024;
        options.header_limit_bytes = 2048;
        options.static_dir = (base_ / "web").string();
        return options;
    }

    void StartServer(ServerOptions options) {
        server_ = std::make_unique<Server>(router_, std::move(options));
        port_ = server_->Start();
        ASSERT_NE(port_, 0);
        runner_ = std::thread([this] { server_->Run(); });
    }

    void StartServer() { StartServer(Options()); }

    void StopServer() {
        if (server_) {
            server_->Stop();
            runner_.join();
            server_.reset();
        }
    }

    fs::path base_;
    Router router_;
    std::unique_ptr<Server> server_;
    std::thread runner_;
    uint16_t port_ = 0;
    std::promise<void> entered_block_;
    std::promise<void> release_block_;
    std::shared_future<void> release_block_future_ = release_block_.get_future().share();
    std::atomic<int> writers_in_handler_{0};
};

void ExpectSecurityHeaders(const BeastResponse& response) {
    EXPECT_EQ(
        Str(response["Content-Security-Policy"]),
        "default-src 'self'; frame-ancestors 'none'; object-src 'none'"
    );
    EXPECT_EQ(Str(response["X-Content-Type-Options"]), "nosniff");
    EXPECT_EQ(Str(response["Referrer-Policy"]), "no-referrer");
    EXPECT_EQ(Str(response["X-Frame-Options"]), "DENY");
}

TEST_F(ServerTest, ServesARequestWithSecurityHeaders) {
    StartServer();
    spdlog::set_level(spdlog::level::debug);  // exercise the access log once
    Client client(port_);
    BeastResponse response = client.Roundtrip(Get("/api/v1/echo", "X-Test: hello\r\n"));
    spdlog::set_level(spdlog::level::info);
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(Str(response[bhttp::field::content_type]), "application/json");
    EXPECT_EQ(Str(response[bhttp::field::cache_control]), "no-store");
    EXPECT_TRUE(response.keep_alive());
    ExpectSecurityHeaders(response);
    core::Json body = JsonOf(response);
    EXPECT_EQ(body["x_test"], "hello");
    EXPECT_EQ(body["remote"], "127.0.0.1");
}

TEST_F(ServerTest, KeepAliveServesSequentialAndPipelinedRequests) {
    StartServer();
    Client client(port_);
    EXPECT_EQ(JsonOf(client.Roundtrip(Get("/api/v1/echo/one")))["name"], "one");
    EXPECT_EQ(JsonOf(client.Roundtrip(Get("/api/v1/echo/two")))["name"], "two");
    client.Send(Get("/api/v1/echo/three") + Get("/api/v1/echo/four"));
    auto third = client.Read();
    auto fourth = client.Read();
    ASSERT_TRUE(third && fourth);
    EXPECT_EQ(JsonOf(*third)["name"], "three");
    EXPECT_EQ(JsonOf(*fourth)["name"], "four");
}

TEST_F(ServerTest, OversizedBodyGets413ProblemAndClose) {
    StartServer();
    {
        Client client(port_);
        const std::string body(1024, 'x');
        BeastResponse ok = client.Roundtrip(
            "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n" + body
        );
        EXPECT_EQ(JsonOf(ok)["bytes"], 1024);  // exactly the limit is fine
    }
    const std::string big(4096, 'x');
    const std::vector<std::string> requests = {
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n" + big,
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n" +
            big + "\r\n0\r\n\r\n",
    };
    for (const auto& request : requests) {
        Client client(port_);
        BeastResponse response = client.Roundtrip(request);
        EXPECT_EQ(response.result_int(), 413);
        EXPECT_EQ(Str(response[bhttp::field::content_type]), "application/problem+json");
        EXPECT_EQ(JsonOf(response)["type"], "https://voronka.dev/problems/payload-too-large");
        EXPECT_FALSE(response.keep_alive());
        ExpectSecurityHeaders(response);
        EXPECT_TRUE(client.ClosedByServer());
    }
}

TEST_F(ServerTest, MalformedRequestsGet400AndClose) {
    StartServer();
    for (std::string raw : {
             "GARBAGE\r\n\r\n",
             "G(T / HTTP/1.1\r\n\r\n",
             "GET /api/v1/echo\r\n\r\n",
             "GET /api/v1/echo HTTP/1.2\r\n\r\n",  // Beast accepts only 1.0 and 1.1
             "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
             "GET /api/v1/echo HTTP/1.1\r\nNo-Colon-Here\r\n\r\n",
             "POST /api/v1/echo HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
             "POST /api/v1/echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
         }) {
        SCOPED_TRACE(raw);
        Client client(port_);
        BeastResponse response = client.Roundtrip(raw);
        EXPECT_EQ(response.result_int(), 400);
        EXPECT_EQ(response.version(), 11u);
        EXPECT_EQ(Str(response[bhttp::field::content_type]), "application/problem+json");
        EXPECT_EQ(JsonOf(response)["type"], "https://voronka.dev/problems/validation");
        ExpectSecurityHeaders(response);
        EXPECT_TRUE(client.ClosedByServer());
    }
}

TEST_F(ServerTest, BadTargetsGet400AndKeepTheConnection) {
    StartServer();
    Client client(port_);
    for (std::string target : {"/api/v1/echo?q=%zz", "/api/v1/echo/%ff", "api/v1/echo"}) {
        SCOPED_TRACE(target);
        BeastResponse response = client.Roundtrip(Get(target));
        EXPECT_EQ(response.result_int(), 400);
        EXPECT_EQ(JsonOf(response)["type"], "https://voronka.dev/problems/validation");
    }
    EXPECT_EQ(client.Roundtrip(Get("/healthz")).result_int(), 200);
}

TEST_F(ServerTest, OversizedHeadersGet431) {
    StartServer();
    Client client(port_);
    BeastResponse response =
        client.Roundtrip(Get("/api/v1/echo", "X-Big: " + std::string(4096, 'h') + "\r\n"));
    EXPECT_EQ(response.result_int(), 431);
    EXPECT_EQ(JsonOf(response)["title"], "Request Header Fields Too Large");
    EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(ServerTest, DecodesPathAndQueryKeepingBracketKeys) {
    StartServer();
    Client client(port_);
    core::Json body = JsonOf(client.Roundtrip(Get(
        "/api/v1/echo?filter%5Bname%5D%5Bop%5D=Ivan%20Petrov&filter[stage][in]=won,lost&tag=a+b&"
        "tag=%D0%98"
    )));
    EXPECT_EQ(
        body["query"],
        core::Json::parse(R"([["filter[name][op]","Ivan Petrov"],["filter[stage][in]","won,lost"],)"
                          R"(["tag","a b"],["tag","И"]])")
    );
    EXPECT_EQ(
        JsonOf(client.Roundtrip(Get("/api/v1/echo/%D0%98%D0%B2%D0%B0%D0%BD%20I")))["name"], "Иван I"
    );
}

TEST_F(ServerTest, RepeatedHeadersAreJoined) {
    StartServer();
    Client client(port_);
    core::Json body = JsonOf(client.Roundtrip(
        Get("/api/v1/echo", "X-Test: a\r\nx-test: b\r\nCookie: s=1\r\nCookie: t=2\r\n")
    ));
    EXPECT_EQ(body["x_test"], "a, b");
    EXPECT_EQ(body["cookie"], "s=1; t=2");
}

TEST_F(ServerTest, HeadGetsGetLengthWithoutBody) {
    StartServer();
    Client client(port_);
    BeastResponse get = client.Roundtrip(Get("/api/v1/echo/abc"));
    BeastResponse head =
        client.Roundtrip("HEAD /api/v1/echo/abc HTTP/1.1\r\nHost: x\r\n\r\n", /*head=*/true);
    EXPECT_EQ(head.result_int(), 200);
    EXPECT_EQ(Str(head[bhttp::field::content_length]), std::to_string(get.body().size()));
    EXPECT_TRUE(head.body().empty());
    EXPECT_EQ(client.Roundtrip(Get("/healthz")).result_int(), 200);  // framing still in sync
}

TEST_F(ServerTest, ExpectContinueGetsA100First) {
    StartServer();
    Client client(port_);
    client.Send(
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
    );
    auto interim = client.Read();
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->result_int(), 100);
    client.Send("hello");
    auto final_response = client.Read();
    ASSERT_TRUE(final_response);
    EXPECT_EQ(JsonOf(*final_response)["bytes"], 5);
}

TEST_F(ServerTest, Http10WithoutKeepAliveCloses) {
    StartServer();
    Client client(port_);
    BeastResponse response = client.Roundtrip("GET /healthz HTTP/1.0\r\n\r\n");
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(response.version(), 10u);
    EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(ServerTest, ExceptionsBecome500WithoutDetail) {
    StartServer();
    Client client(port_);
    BeastResponse response = client.Roundtrip(Get("/api/v1/throw"));
    EXPECT_EQ(response.result_int(), 500);
    EXPECT_EQ(response.body().find("secret-detail"), std::string::npos);
    EXPECT_EQ(client.Roundtrip(Get("/healthz")).result_int(), 200);  // connection survives
}

TEST_F(ServerTest, HandlerHeadersAreKeptButCannotSplitTheResponse) {
    StartServer();
    Client client(port_);
    BeastResponse response = client.Roundtrip(Get("/api/v1/headers"));
    EXPECT_EQ(response.result_int(), 204);
    EXPECT_EQ(Str(response["X-Echo"]), "a  Injected: yes");
    EXPECT_EQ(response.count("Injected"), 0u);
    EXPECT_EQ(response.count(bhttp::field::set_cookie), 2u);
    EXPECT_EQ(Str(response[bhttp::field::cache_control]), "private, max-age=60");
    ExpectSecurityHeaders(response);
}

TEST_F(ServerTest, ServesStaticFilesAndSpaFallback) {
    StartServer();
    Client client(port_);
    BeastResponse asset = client.Roundtrip(Get("/assets/app.5d41402a.js"));
    EXPECT_EQ(asset.result_int(), 200);
    EXPECT_EQ(asset.body(), "console.log('app')");
    EXPECT_EQ(Str(asset[bhttp::field::content_type]), "text/javascript; charset=utf-8");
    EXPECT_EQ(Str(asset[bhttp::field::cache_control]), "public, max-age=31536000, immutable");
    ExpectSecurityHeaders(asset);

    for (std::string target : {"/", "/contacts/01hx", "/deals?view=kanban"}) {
        SCOPED_TRACE(target);
        BeastResponse page = client.Roundtrip(Get(target));
        EXPECT_EQ(page.result_int(), 200);
        EXPECT_EQ(page.body(), "<!doctype html>INDEX");
        EXPECT_EQ(Str(page[bhttp::field::content_type]), "text/html; charset=utf-8");
        ExpectSecurityHeaders(page);
    }

    // Routes win over files, and /api never falls back to the app.
    EXPECT_EQ(JsonOf(client.Roundtrip(Get("/healthz")))["status"], "ok");
    BeastResponse api = client.Roundtrip(Get("/api/v1/unknown/route/x"));
    EXPECT_EQ(api.result_int(), 404);
    EXPECT_EQ(Str(api[bhttp::field::content_type]), "application/problem+json");
    EXPECT_EQ(client.Roundtrip(Get("/assets/missing.js")).result_int(), 404);
}

TEST_F(ServerTest, RefusesPathTraversal) {
    StartServer();
    for (std::string target : {
             "/../secret.txt",
             "/%2e%2e/secret.txt",
             "/assets/..%2F..%2Fsecret.txt",
             "/assets/%2E%2E/%2E%2E/secret.txt",
             "/..%5Csecret.txt",
         }) {
        SCOPED_TRACE(target);
        Client client(port_);
        BeastResponse response = client.Roundtrip(Get(target));
        EXPECT_GE(response.result_int(), 400);
        EXPECT_EQ(response.body().find("SECRET"), std::string::npos);
        EXPECT_EQ(response.body().find("INDEX"), std::string::npos);
    }
}

TEST_F(ServerTest, ABlockedHandlerDoesNotStallOtherConnections) {
    StartServer();
    Client blocked(port_);
    blocked.Send(Get("/api/v1/block"));
    entered_block_.get_future().wait();  // one server thread is now inside the handler
    Client other(port_);
    EXPECT_EQ(other.Roundtrip(Get("/healthz")).result_int(), 200);
    release_block_.set_value();
    auto released = blocked.Read();
    ASSERT_TRUE(released);
    EXPECT_EQ(released->body(), "released");
}

TEST_F(ServerTest, WritesWaitOnTheWritePoolWhileReadsKeepTheIoThread) {
    ServerOptions options = Options();
    options.threads = 1;
    options.write_threads = 3;
    StartServer(options);
    // Three writes wait in their handlers at once (as on a group commit): none holds the only
    // io thread, so a read is still answered.
    std::vector<std::unique_ptr<Client>> writers;
    for (int i = 0; i < 3; ++i) {
        writers.push_back(std::make_unique<Client>(port_));
        writers.back()->Send(
            "POST /api/v1/block HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"
        );
    }
    const auto deadline = std::chrono::steady_clock::now() + kClientSafetyTimeout;
    while (writers_in_handler_.load() < 3 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(writers_in_handler_.load(), 3);
    Client reader(port_);
    EXPECT_EQ(reader.Roundtrip(Get("/healthz")).result_int(), 200);
    release_block_.set_value();
    for (auto& writer : writers) {
        auto written = writer->Read();
        ASSERT_TRUE(written);
        EXPECT_EQ(written->body(), "written");
    }
}

TEST_F(ServerTest, SlowReadsWaitOnTheReadPoolWhileQuickReadsKeepTheIoThread) {
    ServerOptions options = Options();
    options.threads = 1;
    options.read_threads = 1;
    StartServer(options);
    // The only io thread would be stuck in this unmarked (slow) read if it ran inline.
    Client slow(port_);
    slow.Send(Get("/api/v1/block"));
    entered_block_.get_future().wait();
    Client quick(port_);
    EXPECT_EQ(quick.Roundtrip(Get("/healthz")).result_int(), 200);
    // A second slow read queues behind the first on the pool's only thread and is answered later.
    Client queued(port_);
    queued.Send(Get("/api/v1/echo?x=1"));
    release_block_.set_value();
    auto released = slow.Read();
    ASSERT_TRUE(released);
    EXPECT_EQ(released->body(), "released");
    auto echoed = queued.Read();
    ASSERT_TRUE(echoed);
    EXPECT_EQ(echoed->result_int(), 200);
}

TEST_F(ServerTest, IdleAndSlowConnectionsAreClosedAtTheReadTimeout) {
    ServerOptions options = Options();
    options.read_timeout_ms = 100;
    StartServer(options);
    Client idle(port_);
    Client slow(port_);
    slow.Send("GET /api/v1/echo HTTP/1.1\r\nHost: x\r\n");  // never finishes its headers
    EXPECT_TRUE(idle.ClosedByServer());
    EXPECT_TRUE(slow.ClosedByServer());
}

TEST_F(ServerTest, StopClosesIdleConnectionsWithoutWaitingForTheGracePeriod) {
    ServerOptions options = Options();
    options.shutdown_grace_ms = 60000;
    StartServer(options);
    Client idle(port_);
    EXPECT_EQ(idle.Roundtrip(Get("/healthz")).result_int(), 200);
    const auto start = std::chrono::steady_clock::now();
    StopServer();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
    EXPECT_TRUE(idle.ClosedByServer());
}

TEST(ServerStart, ThrowsWhenThePortIsTaken) {
    Router router;
    ServerOptions options;
    options.port = 0;
    options.handle_signals = false;
    Server first(router, options);
    options.port = first.Start();
    Server second(router, options);
    EXPECT_THROW(second.Start(), std::system_error);
}

}  // namespace
}  // namespace voronka::http
