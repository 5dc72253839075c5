// Beast HTTP/1.1 sessions as coroutines: limits on every read, one request at a time per
// connection.
#include "http/server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <csignal>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "http/metrics.hpp"
#include "http/static_files.hpp"
#include "http/url.hpp"

namespace voronka::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto kUseAwaitable = asio::use_awaitable;

// After an error response we stop reading requests but keep draining what the client still sends
// for a moment: closing with unread bytes makes the kernel send RST, which can destroy the
// response before the client reads it (the "lingering close" of Apache and nginx).
constexpr std::chrono::milliseconds kLingerTimeout{2000};
constexpr size_t kLingerMaxBytes = 1 << 20;

constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kSecurityHeaders = {{
    {"Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; object-src 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
}};

// Beast 1.74 uses boost::string_view; everything else here is std::string_view.
std::string_view Std(beast::string_view text) { return {text.data(), text.size()}; }

beast::string_view Beast(std::string_view text) { return {text.data(), text.size()}; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool IsHeaderName(std::string_view name) {
    static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               kSpecials.find(c) != std::string_view::npos;
    });
}

// Header values come from handlers that may echo client input: CR/LF would split the response.
std::string CleanHeaderValue(std::string_view value) {
    std::string out(value);
    std::replace_if(
        out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; }, ' '
    );
    return out;
}

bool HasHeader(const Response& response, std::string_view name) {
    return std::any_of(response.headers.begin(), response.headers.end(), [&](const auto& header) {
        return EqualsIgnoreCase(header.first, name);
    });
}

// Methods whose handlers only read: they run inline on the io threads.
bool IsReadMethod(std::string_view method) {
    return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

bool IsHttpError(const error_code& ec) {
    return ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category();
}

// Builds the wire response. Framing and connection headers are the server's, not the handler's.
bhttp::response<bhttp::string_body> ToBeast(
    Response response, unsigned version, bool keep_alive, bool is_head
) {
    if (response.status < 100 || response.status > 599) {
        spdlog::error("handler returned HTTP status {}; sending 500", response.status);
        response = ProblemResponse(core::Error::Internal("invalid status"));
    }
    bhttp::response<bhttp::string_body> res;
    res.version(version);
    res.result(static_cast<unsigned>(response.status));
    const bool no_body = response.status < 200 || response.status == 204 || response.status == 304;
    if (!response.content_type.empty() && !no_body) {
        res.set(bhttp::field::content_type, CleanHeaderValue(response.content_type));
    }
    std::string head_length;
    for (auto& [name, value] : response.headers) {
        if (!IsHeaderName(name)) {
            spdlog::error("dropping response header with an invalid name");
            continue;
        }
        if (EqualsIgnoreCase(name, "Content-Length")) {
            head_length = value;
            continue;
        }
        if (EqualsIgnoreCase(name, "Transfer-Encoding") || EqualsIgnoreCase(name, "Connection")) {
            continue;
        }
        res.insert(name, CleanHeaderValue(value));
    }
    for (const auto& [name, value] : kSecurityHeaders) {
        if (!HasHeader(response, name)) {
            res.set(Beast(name), Beast(value));
        }
    }
    if (!HasHeader(response, "Cache-Control")) {
        res.set(bhttp::field::cache_control, "no-store");
    }
    res.keep_alive(keep_alive);
    if (no_body) {
        return res;
    }
    if (is_head) {
        // The router and static files drop HEAD bodies and report the GET length.
        uint64_t length = response.body.size();
        if (!head_length.empty()) {
            std::from_chars(head_length.data(), head_length.data() + head_length.size(), length);
        }
        res.content_length(length);
    } else {
        res.body() = std::move(response.body);
        res.prepare_payload();
    }
    return res;
}

struct Connection {
    explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}

    beast::tcp_stream stream;
    bool reading = false;  // touched only on the connection's strand
};

}  // namespace

struct Server::Impl {
    Impl(const Router& r, ServerOptions o)
        : router(r),
          options(std::move(o)),
          static_files(options.static_dir),
          ioc(std::max(1, options.threads)),
          control(asio::make_strand(ioc)),
          acceptor(control),
          signals(control),
          grace_timer(control) {
        if (options.write_threads > 0) {
            write_pool.emplace(static_cast<size_t>(options.write_threads));
        }
        if (options.read_threads > 0) {
            read_pool.emplace(static_cast<size_t>(options.read_threads));
        }
    }

    ~Impl() {
        // Handlers still running on the pool finish before the io_context they answer to goes.
        for (auto* pool : {&write_pool, &read_pool}) {
            if (*pool) {
                (*pool)->stop();
                (*pool)->join();
            }
        }
    }

    asio::awaitable<void> Listen();
    asio::awaitable<void> Session(std::shared_ptr<Connection> connection);
    asio::awaitable<void> Serve(Connection& connection);
    asio::awaitable<error_code> Write(
        beast::tcp_stream& stream,
        Response response,
        unsigned version,
        bool keep_alive,
        bool is_head
    );
    asio::awaitable<void> LingeringClose(beast::tcp_stream& stream);
    // Runs the router on the write pool; the session resumes on its own strand afterwards.
    asio::awaitable<Response> DispatchOn(asio::thread_pool& pool, Request request);
    asio::awaitable<Response> Dispatch(Request request);
    void StopOnControlStrand();
    void SessionEnded();

    std::chrono::milliseconds ReadTimeout() const {
        return std::chrono::milliseconds(options.read_timeout_ms);
    }

    const Router& router;
    const ServerOptions options;
    const StaticFiles static_files;
    RouteMetrics& invalid_metrics = MetricsFor("-", kInvalidRoute);
    RouteMetrics& static_get_metrics = MetricsFor("GET", kStaticRoute);
    RouteMetrics& static_head_metrics = MetricsFor("HEAD", kStaticRoute);

    // Declared before the io_context: destroying it destroys suspended sessions, which unregister.
    std::atomic<bool> stopping{false};
    std::atomic<bool> destroying{false};  // the io_context is tearing down suspended sessions
    std::atomic<int> active_sessions{0};
    std::mutex connections_mutex;
    std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;

    asio::io_context ioc;
    asio::strand<asio::io_context::executor_type> control;  // acceptor, signals, grace timer
    tcp::acceptor acceptor;
    asio::signal_set signals;
    asio::steady_timer grace_timer;
    std::optional<asio::thread_pool> write_pool;  // after ioc: stopped and joined first
    std::optional<asio::thread_pool> read_pool;   // likewise
};

Server::Server(const Router& router, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

Server::~Server() {
    impl_->destroying.store(true);
    impl_->ioc.stop();
}

uint16_t Server::Start() {
    Impl& impl = *impl_;
    tcp::endpoint endpoint;
    error_code ec;
    const auto address = asio::ip::make_address(impl.options.host, ec);
    if (!ec) {
        endpoint = tcp::endpoint(address, impl.options.port);
    } else {
        tcp::resolver resolver(impl.ioc);
        auto results = resolver.resolve(impl.options.host, std::to_string(impl.options.port), ec);
        if (ec || results.empty()) {
            throw std::system_error(ec, "cannot resolve " + impl.options.host);
        }
        endpoint = results.begin()->endpoint();
    }
    uint16_t port = 0;
    try {
        impl.acceptor.open(endpoint.protocol());
        impl.acceptor.set_option(asio::socket_base::reuse_address(true));
        impl.acceptor.bind(endpoint);
        impl.acceptor.listen(asio::socket_base::max_listen_connections);
        port = impl.acceptor.local_endpoint().port();
    } catch (const boost::system::system_error& e) {
        error_code close_ec;
        impl.acceptor.close(close_ec);
        throw std::system_error(
            e.code(),
            "cannot listen on " + impl.options.host + ":" + std::to_string(impl.options.port)
        );
    }
    asio::co_spawn(impl.control, impl.Listen(), asio::detached);
    spdlog::info("listening on {}:{}", endpoint.address().to_string(), port);
    return port;
}

void Server::Run() {
    Impl& impl = *impl_;
    if (impl.options.handle_signals) {
        impl.signals.add(SIGINT);
        impl.signals.add(SIGTERM);
        impl.signals.async_wait([this](const error_code& ec, int signal) {
            if (!ec) {
                spdlog::info("signal {}: shutting down", signal);
                Stop();
            }
        });
    }
    const int thread_count = std::max(1, impl.options.threads);
    std::vector<std::thread> threads;
    threads.reserve(static_cast<size_t>(thread_count - 1));
    for (int i = 1; i < thread_count; ++i) {
        threads.emplace_back([&impl] { impl.ioc.run(); });
    }
    impl.ioc.run();
    for (auto& thread : threads) {
        thread.join();
    }
}

void Server::Stop() {
    Impl& impl = *impl_;
    if (impl.stopping.exchange(true)) {
        return;
    }
    asio::post(impl.control, [&impl] { impl.StopOnControlStrand(); });
}

void Server::Impl::StopOnControlStrand() {
    error_code ec;
    acceptor.close(ec);
    signals.cancel(ec);
    {
        // Idle connections wait in a read that may last read_timeout_ms: cancel it. Connections in
        // a handler or a write finish that response first and then see `stopping`.
        std::lock_guard lock(connections_mutex);
        for (auto& [raw, weak] : connections) {
            if (auto connection = weak.lock()) {
                asio::post(connection->stream.get_executor(), [connection] {
                    if (connection->reading) {
                        connection->stream.cancel();
                    }
                });
            }
        }
    }
    if (active_sessions.load() == 0) {
        ioc.stop();
        return;
    }
    grace_timer.expires_after(std::chrono::milliseconds(options.shutdown_grace_ms));
    grace_timer.async_wait([this](const error_code& timer_ec) {
        if (!timer_ec) {
            spdlog::warn("shutdown grace period over; dropping remaining connections");
            ioc.stop();
        }
    });
}

void Server::Impl::SessionEnded() {
    if (active_sessions.fetch_sub(1) == 1 && stopping.load() && !destroying.load()) {
        ioc.stop();
    }
}

asio::awaitable<void> Server::Impl::Listen() {
    asio::steady_timer backoff(control);
    while (acceptor.is_open()) {
        error_code ec;
        tcp::socket socket = co_await acceptor.async_accept(
            asio::make_strand(ioc), asio::redirect_error(kUseAwaitable, ec)
        );
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) {
            co_return;
        }
        if (ec) {
            // Usually EMFILE: pause instead of spinning on a listen queue we cannot drain.
            spdlog::warn("accept failed: {}", ec.message());
            backoff.expires_after(std::chrono::milliseconds(100));
            co_await backoff.async_wait(asio::redirect_error(kUseAwaitable, ec));
            continue;
        }
        if (stopping.load()) {
            socket.close(ec);
            continue;
        }
        socket.set_option(tcp::no_delay(true), ec);
        auto connection = std::make_shared<Connection>(std::move(socket));
        active_sessions.fetch_add(1);
        {
            std::lock_guard lock(connections_mutex);
            connections.emplace(connection.get(), connection);
        }
        auto executor = connection->stream.get_executor();
        asio::co_spawn(executor, Session(std::move(connection)), asio::detached);
    }
}

asio::awaitable<void> Server::Impl::Session(std::shared_ptr<Connection> connection) {
    // Undone on every exit, including destruction of the suspended frame at shutdown.
    struct Registration {
        Impl& impl;
        Connection* connection;

        ~Registration() {
            {
                std::lock_guard lock(impl.connections_mutex);
                impl.connections.erase(connection);
            }
            AddOpenConnections(-1);
            impl.SessionEnded();
        }
    };

    AddOpenConnections(1);
    Registration registration{*this, connection.get()};
    try {
        co_await Serve(*connection);
    } catch (const std::exception& e) {
        // Handlers cannot throw past the router; this is Beast/Asio or allocation failure.
        spdlog::error("connection dropped after an exception: {}", e.what());
    }
    error_code ec;
    connection->stream.socket().close(ec);
}

asio::awaitable<void> Server::Impl::Serve(Connection& connection) {
    beast::tcp_stream& stream = connection.stream;
    beast::flat_buffer buffer;
    error_code ec;
    const std::string remote_address =
        beast::get_lowest_layer(stream).socket().remote_endpoint(ec).address().to_string();
    const bool access_log = spdlog::should_log(spdlog::level::debug);

    while (!stopping.load()) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(options.header_limit_bytes));
        parser.body_limit(options.body_limit_bytes);
        stream.expires_after(ReadTimeout());  // one deadline for header and body together

        connection.reading = true;
        co_await bhttp::async_read_header(
            stream, buffer, parser, asio::redirect_error(kUseAwaitable, ec)
        );
        if (!ec && !parser.is_done()) {
            // Clients that sent "Expect: 100-continue" wait for this before sending the body.
            const auto expect = parser.get()[bhttp::field::expect];
            if (EqualsIgnoreCase(Std(expect), "100-continue")) {
                bhttp::response<bhttp::empty_body> go_on{
                    bhttp::status::continue_, parser.get().version()};
                co_await bhttp::async_write(stream, go_on, asio::redirect_error(kUseAwaitable, ec));
            }
            if (!ec) {
                co_await bhttp::async_read(
                    stream, buffer, parser, asio::redirect_error(kUseAwaitable, ec)
                );
            }
        }
        connection.reading = false;
        const auto start = std::chrono::steady_clock::now();

        if (ec) {
            if (!IsHttpError(ec) || ec == bhttp::error::end_of_stream ||
                ec == bhttp::error::partial_message) {
                co_return;  // timeout, reset, shutdown cancel, or the client went away
            }
            Response problem;
            if (ec == bhttp::error::body_limit) {
                problem = ProblemResponse(core::Error::PayloadTooLarge(
                    "Request body exceeds " + std::to_string(options.body_limit_bytes) + " bytes"
                ));
            } else if (ec == bhttp::error::header_limit) {
                problem = ProblemForStatus(431, "Request header fields are too large");
            } else {
                problem = ProblemResponse(core::Error::Invalid("Malformed HTTP request"));
            }
            invalid_metrics.Record(problem.status, std::chrono::steady_clock::now() - start);
            if (access_log) {
                spdlog::debug("{} - - {} ({})", remote_address, problem.status, ec.message());
            }
            error_code write_ec = co_await Write(stream, std::move(problem), 11, false, false);
            if (!write_ec) {
                co_await LingeringClose(stream);
            }
            co_return;
        }

        auto& message = parser.get();
        Request request;
        request.method = std::string(Std(message.method_string()));
        request.remote_address = remote_address;
        const bool is_head = message.method() == bhttp::verb::head;
        const unsigned version = message.version();
        const core::Status target_status = ParseTarget(Std(message.target()), request);
        for (const auto& field : message) {
            std::string name(Std(field.name_string()));
            std::transform(name.begin(), name.end(), name.begin(), [](char c) {
                return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            });
            const std::string_view value = Std(field.value());
            auto [it, inserted] = request.headers.emplace(std::move(name), value);
            if (!inserted) {
                it->second += it->first == "cookie" ? "; " : ", ";
                it->second += value;
            }
        }
        request.body = std::move(message.body());

        Response response;
        std::string log_path;
        if (!target_status) {
            response = ProblemResponse(target_status.error());
            invalid_metrics.Record(response.status, std::chrono::steady_clock::now() - start);
        } else {
            if (access_log) {
                log_path = request.path;
            }
            if (static_files.enabled() && StaticFiles::Eligible(request) &&
                !router.HasRoute(request.path)) {
                response = static_files.Serve(request);
                (is_head ? static_head_metrics : static_get_metrics)
                    .Record(response.status, std::chrono::steady_clock::now() - start);
            } else if (write_pool && !IsReadMethod(request.method)) {
                response = co_await DispatchOn(*write_pool, std::move(request));
            } else if (read_pool && !router.IsQuick(request)) {
                response = co_await DispatchOn(*read_pool, std::move(request));
            } else {
                response = router.Dispatch(std::move(request));  // inline on this io thread
            }
        }
        // Checked after the handler: a Stop() while it ran makes this the connection's last answer.
        const bool keep_alive = message.keep_alive() && !stopping.load();
        const int status = response.status;
        const size_t body_bytes = response.body.size();
        error_code write_ec =
            co_await Write(stream, std::move(response), version, keep_alive, is_head);
        if (access_log) {
            spdlog::debug(
                "{} {} {} {} {}B {}us",
                remote_address,
                Std(message.method_string()),
                log_path,
                status,
                body_bytes,
                std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - start
                )
                    .count()
            );
        }
        if (write_ec || !keep_alive) {
            break;
        }
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<error_code> Server::Impl::Write(
    beast::tcp_stream& stream, Response response, unsigned version, bool keep_alive, bool is_head
) {
    auto res = ToBeast(std::move(response), version, keep_alive, is_head);
    error_code ec;
    stream.expires_after(ReadTimeout());
    co_await bhttp::async_write(stream, res, asio::redirect_error(kUseAwaitable, ec));
    co_return ec;
}

asio::awaitable<Response> Server::Impl::Dispatch(Request request) {
    co_return router.Dispatch(std::move(request));
}

asio::awaitable<Response> Server::Impl::DispatchOn(asio::thread_pool& pool, Request request) {
    // A member coroutine, not a capturing lambda: its parameter lives in its own frame.
    co_return co_await asio::co_spawn(
        pool.get_executor(), Dispatch(std::move(request)), kUseAwaitable
    );
}

asio::awaitable<void> Server::Impl::LingeringClose(beast::tcp_stream& stream) {
    error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.expires_after(std::min<std::chrono::milliseconds>(kLingerTimeout, ReadTimeout()));
    std::array<char, 4096> scratch;
    size_t drained = 0;
    while (drained < kLingerMaxBytes) {
        const size_t n = co_await stream.async_read_some(
            asio::buffer(scratch), asio::redirect_error(kUseAwaitable, ec)
        );
        if (ec) {
            break;
        }
        drained += n;
    }
}

}  // namespace voronka::http
