// Segment-trie router: match, authenticate per policy, call the handler, map errors to problems.
#include "http/router.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include <boost/container/small_vector.hpp>
#include <spdlog/spdlog.h>

#include "http/metrics.hpp"
#include "storage/tenant_scope.hpp"

namespace voronka::http {

namespace {

struct StringHash {
    using is_transparent = void;

    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

using Segments = boost::container::small_vector<std::string_view, 8>;

// "/a/b" -> {"a", "b"}; "/" -> {}; "/a/" -> {"a", ""} (an empty segment matches nothing).
Segments SplitPath(std::string_view path) {
    Segments segments;
    if (path.size() <= 1) {
        return segments;
    }
    size_t start = 1;
    while (true) {
        const size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) {
            segments.push_back(path.substr(start));
            return segments;
        }
        segments.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
}

bool IsToken(std::string_view method) {
    return !method.empty() &&
           std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool IsParamName(std::string_view name) {
    if (name.empty() || (name[0] >= '0' && name[0] <= '9')) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

// Metrics for requests no route matched, by method; a fixed set keeps label cardinality bounded.
RouteMetrics& UnmatchedMetrics(std::string_view method) {
    static constexpr std::array<std::string_view, 7> kMethods = {
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    static const auto slots = [] {
        std::array<RouteMetrics*, kMethods.size() + 1> result{};
        for (size_t i = 0; i < kMethods.size(); ++i) {
            result[i] = &MetricsFor(kMethods[i], kUnmatchedRoute);
        }
        result[kMethods.size()] = &MetricsFor("OTHER", kUnmatchedRoute);
        return result;
    }();
    for (size_t i = 0; i < kMethods.size(); ++i) {
        if (kMethods[i] == method) {
            return *slots[i];
        }
    }
    return *slots[kMethods.size()];
}

}  // namespace

std::string_view PolicyName(Policy policy) {
    switch (policy) {
        case Policy::kPublic:
            return "public";
        case Policy::kAuthenticated:
            return "authenticated";
        case Policy::kAdmin:
            return "admin";
        case Policy::kOperator:
            return "operator";
    }
    return "unknown";
}

struct Router::Node {
    std::unordered_map<std::string, std::unique_ptr<Node>, StringHash, std::equal_to<>> literals;
    std::unique_ptr<Node> param;  // one child for "{...}" whatever the parameter is called
    std::vector<std::pair<std::string, size_t>> methods;  // method -> index into routes_
};

struct Router::Route {
    Handler handler;
    std::vector<std::pair<size_t, std::string>> params;  // segment index -> parameter name
    RouteMetrics* metrics = nullptr;
    RouteMetrics* head_metrics = nullptr;  // GET routes answering HEAD
    bool quick = false;
};

struct Router::Match {
    std::string_view method;
    Segments segments;
    size_t route = 0;
    bool head_as_get = false;
    bool path_matched = false;  // some route matched the path under another method
    std::vector<std::string_view> allowed;
};

Router::Router() : root_(std::make_unique<Node>()) {}

Router::~Router() = default;

Router::Router(Router&&) noexcept = default;

Router& Router::operator=(Router&&) noexcept = default;

void Router::Add(
    std::string method,
    std::string pattern,
    Policy policy,
    Handler handler,
    std::string summary,
    std::string tag
) {
    if (!IsToken(method)) {
        throw std::invalid_argument("route method must be an upper-case token: " + method);
    }
    if (pattern.empty() || pattern[0] != '/') {
        throw std::invalid_argument("route pattern must start with '/': " + pattern);
    }
    if (!handler) {
        throw std::invalid_argument("route has no handler: " + method + " " + pattern);
    }
    Route route;
    route.handler = std::move(handler);
    Node* node = root_.get();
    const Segments segments = SplitPath(pattern);
    for (size_t i = 0; i < segments.size(); ++i) {
        const std::string_view segment = segments[i];
        if (segment.empty()) {
            throw std::invalid_argument("route pattern has an empty segment: " + pattern);
        }
        if (segment.front() == '{') {
            const std::string_view name = segment.substr(1, segment.size() - 2);
            if (segment.back() != '}' || !IsParamName(name)) {
                throw std::invalid_argument("bad route parameter in: " + pattern);
            }
            for (const auto& [index, existing] : route.params) {
                if (existing == name) {
                    throw std::invalid_argument("repeated route parameter in: " + pattern);
                }
            }
            route.params.emplace_back(i, std::string(name));
            if (!node->param) {
                node->param = std::make_unique<Node>();
            }
            node = node->param.get();
        } else {
            if (segment.find_first_of("{}") != std::string_view::npos) {
                throw std::invalid_argument("braces inside a literal segment: " + pattern);
            }
            auto it = node->literals.find(segment);
            if (it == node->literals.end()) {
                it = node->literals.emplace(std::string(segment), std::make_unique<Node>()).first;
            }
            node = it->second.get();
        }
    }
    for (const auto& [existing, index] : node->methods) {
        if (existing == method) {
            throw std::invalid_argument(
                "duplicate route " + method + " " + pattern + " (same shape as " +
                infos_[index].pattern + ")"
            );
        }
    }
    route.metrics = &MetricsFor(method, pattern);
    if (method == "GET") {
        route.head_metrics = &MetricsFor("HEAD", pattern);
    }
    node->methods.emplace_back(method, routes_.size());
    routes_.push_back(std::move(route));
    infos_.push_back(
        {std::move(method), std::move(pattern), policy, std::move(summary), std::move(tag), {}, {}}
    );
}

void Router::SetAuthenticator(Authenticator authenticator) {
    authenticator_ = std::move(authenticator);
}

void Router::Describe(
    std::string_view method, std::string_view pattern, std::string name, core::Json schema
) {
    for (RouteInfo& info : infos_) {
        if (info.method == method && info.pattern == pattern) {
            info.response_name = std::move(name);
            info.response_schema = std::move(schema);
            return;
        }
    }
    throw std::invalid_argument(
        "Describe: no route " + std::string(method) + " " + std::string(pattern)
    );
}

void Router::MarkQuick(std::string_view method, std::string_view pattern) {
    for (size_t i = 0; i < infos_.size(); ++i) {
        if (infos_[i].method == method && infos_[i].pattern == pattern) {
            routes_[i].quick = true;
            return;
        }
    }
    throw std::invalid_argument(
        "MarkQuick: no route " + std::string(method) + " " + std::string(pattern)
    );
}

bool Router::IsQuick(const Request& request) const {
    if (root_ == nullptr || request.path.empty() || request.path[0] != '/') {
        return true;
    }
    Match match;
    match.method = request.method;
    match.segments = SplitPath(request.path);
    return !Find(*root_, 0, match) || routes_[match.route].quick;
}

void Router::DescribeComponent(std::string name, core::Json schema) {
    components_[std::move(name)] = std::move(schema);
}

const std::vector<RouteInfo>& Router::Routes() const { return infos_; }

void Router::SetRateLimit(RateLimit rate_limit) { rate_limit_ = std::move(rate_limit); }

// Depth-first, literal child before the parameter child, backtracking on failure: the first leaf
// reached that accepts the method is the most specific matching route.
bool Router::Find(const Node& node, size_t depth, Match& match) const {
    if (depth == match.segments.size()) {
        if (node.methods.empty()) {
            return false;
        }
        for (const auto& [method, index] : node.methods) {
            if (method == match.method) {
                match.route = index;
                return true;
            }
        }
        if (match.method == "HEAD") {
            for (const auto& [method, index] : node.methods) {
                if (method == "GET") {
                    match.route = index;
                    match.head_as_get = true;
                    return true;
                }
            }
        }
        match.path_matched = true;
        for (const auto& [method, index] : node.methods) {
            match.allowed.push_back(method);
            if (method == "GET") {
                match.allowed.push_back("HEAD");
            }
        }
        return false;
    }
    const std::string_view segment = match.segments[depth];
    if (auto it = node.literals.find(segment); it != node.literals.end()) {
        if (Find(*it->second, depth + 1, match)) {
            return true;
        }
    }
    if (node.param && !segment.empty()) {
        return Find(*node.param, depth + 1, match);
    }
    return false;
}

bool Router::HasRoute(std::string_view path) const {
    if (root_ == nullptr || path.empty() || path[0] != '/') {
        return false;
    }
    Match match;
    match.method = "\n";  // no route has this method, so Find visits every leaf the path reaches
    match.segments = SplitPath(path);
    (void)Find(*root_, 0, match);
    return match.path_matched;
}

Response Router::Dispatch(Request request) const {
    const auto start = std::chrono::steady_clock::now();
    RouteMetrics* metrics = nullptr;
    Response response;
    const bool is_head = request.method == "HEAD";
    std::optional<RateLimitOutcome> limit;
    // Failed sign-ins and unmatched paths are charged to the caller's address.
    auto check_limit = [&](const access::RequestContext* caller) {
        if (!rate_limit_ || !request.path.starts_with("/api/") || limit) {
            return;
        }
        access::RequestContext anonymous;
        anonymous.remote_address = request.remote_address;
        limit = rate_limit_(caller ? *caller : anonymous, request);
    };
    try {
        Match match;
        match.method = request.method;
        match.segments = SplitPath(request.path);
        const bool found = !request.path.empty() && request.path[0] == '/' && root_ != nullptr &&
                           Find(*root_, 0, match);
        if (!found) {
            metrics = &UnmatchedMetrics(request.method);
            check_limit(nullptr);
            if (limit && !limit->allowed) {
                response = ProblemResponse(
                    core::Error::RateLimited("Too many requests; see Retry-After"), request.path
                );
            } else if (match.path_matched) {
                std::sort(match.allowed.begin(), match.allowed.end());
                match.allowed.erase(
                    std::unique(match.allowed.begin(), match.allowed.end()), match.allowed.end()
                );
                std::string allow;
                for (std::string_view method : match.allowed) {
                    allow += allow.empty() ? "" : ", ";
                    allow += method;
                }
                response = ProblemForStatus(
                    405, "Method " + request.method + " is not allowed here", request.path
                );
                response.SetHeader("Allow", std::move(allow));
            } else {
                response = ProblemResponse(
                    core::Error::NotFound("No route matches this path"), request.path
                );
            }
        } else {
            const Route& route = routes_[match.route];
            const RouteInfo& info = infos_[match.route];
            metrics = match.head_as_get ? route.head_metrics : route.metrics;
            for (const auto& [index, name] : route.params) {
                request.path_params[name] = std::string(match.segments[index]);
            }
            try {
                core::Result<access::RequestContext> context = access::RequestContext{};
                if (info.policy != Policy::kPublic) {
                    if (!authenticator_) {
                        context = core::Error::Internal(
                            "no authenticator set for guarded route " + info.pattern
                        );
                    } else {
                        context = authenticator_(request, info.policy);
                        if (context && context->auth == access::AuthKind::kNone) {
                            context = core::Error::Internal(
                                "authenticator returned an anonymous context for " + info.pattern
                            );
                        }
                    }
                }
                check_limit(context ? &*context : nullptr);
                if (limit && !limit->allowed) {
                    response = ProblemResponse(
                        core::Error::RateLimited("Too many requests; see Retry-After"), request.path
                    );
                } else if (!context) {
                    response = ProblemResponse(context.error(), request.path);
                } else {
                    if (context->remote_address.empty()) {
                        context->remote_address = request.remote_address;
                    }
                    if (context->user_agent.empty()) {
                        context->user_agent = request.Header("user-agent");
                    }
                    // Every statement the handler runs is bound to the caller's tenant (row-level
                    // security on PostgreSQL); public and operator routes get none.
                    const storage::TenantScope tenant_scope(context->tenant_id);
                    core::Result<Response> result = route.handler(*context, request);
                    response = result ? std::move(result).value()
                                      : ProblemResponse(result.error(), request.path);
                }
            } catch (const std::exception& e) {
                response = ProblemResponse(
                    core::Error::Internal(
                        "exception in " + info.method + " " + info.pattern + ": " + e.what()
                    ),
                    request.path
                );
            } catch (...) {
                response = ProblemResponse(
                    core::Error::Internal(
                        "unknown exception in " + info.method + " " + info.pattern
                    ),
                    request.path
                );
            }
        }
    } catch (const std::exception& e) {
        // Matching itself failed (allocation): still answer.
        response = ProblemResponse(core::Error::Internal(e.what()), {});
    }
    if (limit) {
        for (auto& [name, value] : limit->headers) {
            response.SetHeader(std::move(name), std::move(value));
        }
    }
    if (is_head && !response.body.empty()) {
        response.SetHeader("Content-Length", std::to_string(response.body.size()));
        response.body.clear();
    }
    if (metrics == nullptr) {
        metrics = &UnmatchedMetrics(request.method);
    }
    metrics->Record(response.status, std::chrono::steady_clock::now() - start);
    return response;
}

}  // namespace voronka::http
