// HTTP/1.1 server: Boost.Beast sessions as C++20 coroutines that feed requests to a Router.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "http/router.hpp"

namespace voronka::http {

struct ServerOptions {
    std::string host = "127.0.0.1";  // address or resolvable name to bind
    uint16_t port = 8080;            // 0 picks an ephemeral port, reported by Server::Start
    // Threads running the io_context: they parse requests, write responses and run the handlers
    // of quick reads (Router::MarkQuick) inline. A few threads per core keep the cores busy
    // without the long run queues that stretch the tail latency of every request.
    int threads = 4;
    // Threads for the other GET/HEAD/OPTIONS handlers (lists, search, boards, reports): a slow
    // read waits here for a core instead of holding an io thread that quick reads need. 0 runs
    // them inline on the io threads too.
    int read_threads = 16;
    // Threads for every other method: such a handler usually waits for the durable group commit
    // of its write, and the writer can only batch as many writes as wait at once, so this bounds
    // the group-commit batch. 0 runs them inline on the io threads too.
    int write_threads = 64;
    size_t body_limit_bytes =
        1 << 20;  // larger bodies get 413 problem+json and the connection closes
    // Time allowed to read one whole request (headers and body) and to write one response; also the
    // idle keep-alive timeout. On expiry the connection is closed without a response.
    int read_timeout_ms = 30000;
    // Built single-page app. When set, GET/HEAD outside /api that no route matches are answered
    // from here, with index.html for unknown paths (see StaticFiles).
    std::string static_dir;
    size_t header_limit_bytes = 16 * 1024;  // request line + headers; 431 problem beyond
    // After Stop(), requests already in a handler get this long to finish before the loop stops.
    int shutdown_grace_ms = 5000;
    bool handle_signals = true;  // Run() calls Stop() on SIGINT/SIGTERM
};

// Per connection: reads each request with body, header and time limits; answers malformed
// requests with a 400 problem (413, 431 for limits) and closes; converts the rest into a Request
// (percent-decoded path and query, lower-case header names) for the Router or the static files;
// writes the Response with security headers (CSP, nosniff, no-referrer, DENY framing) and
// Cache-Control: no-store unless the handler set them; keeps the connection alive when the client
// allows. Logs one access line per request at debug level (never header values).
class Server {
public:
    // `router` must outlive the server and stay unchanged while it runs.
    Server(const Router& router, ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and listens; returns the bound port (the ephemeral one when options.port is 0).
    // Throws std::system_error when the address cannot be resolved or bound. Call once.
    uint16_t Start();

    // REQUIRES: Start() succeeded. Serves on options.threads threads (the caller's included) and
    // blocks until Stop() or, with handle_signals, SIGINT/SIGTERM, and every thread has returned.
    void Run();

    // Thread-safe and idempotent; may be called before Run. Stops accepting, closes idle
    // connections, lets requests in progress write their response (with Connection: close) for
    // up to shutdown_grace_ms, then stops the loop so Run returns.
    void Stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;  // keeps Beast and Asio out of every includer
};

}  // namespace voronka::http
