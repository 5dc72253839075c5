// SPA file serving with content types, cache headers and a root that requests cannot escape.
#include "http/static_files.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include <spdlog/spdlog.h>

namespace voronka::http {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kAssetsPrefix = "/assets/";

bool StartsWith(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

// True when `path` (canonical) is `root` (canonical) or lies beneath it.
bool IsWithin(const fs::path& path, const fs::path& root) {
    return std::mismatch(root.begin(), root.end(), path.begin(), path.end()).first == root.end();
}

}  // namespace

StaticFiles::StaticFiles(const std::string& root) {
    if (root.empty()) {
        return;
    }
    std::error_code ec;
    root_ = fs::canonical(root, ec);
    if (ec) {
        spdlog::warn("static_dir {} is not usable ({}); not serving files", root, ec.message());
        root_.clear();
    }
}

bool StaticFiles::Eligible(const Request& request) {
    if (request.method != "GET" && request.method != "HEAD") {
        return false;
    }
    return request.path != "/api" && !StartsWith(request.path, "/api/");
}

std::string_view StaticFiles::ContentTypeFor(std::string_view file_name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 22> kTypes = {{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".txt", "text/plain; charset=utf-8"},
        {".xml", "application/xml"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".avif", "image/avif"},
        {".ico", "image/x-icon"},
        {".woff", "font/woff"},
        {".woff2", "font/woff2"},
        {".ttf", "font/ttf"},
        {".wasm", "application/wasm"},
        {".pdf", "application/pdf"},
    }};
    const size_t dot = file_name.rfind('.');
    if (dot == std::string_view::npos) {
        return "application/octet-stream";
    }
    std::string extension(file_name.substr(dot));
    std::transform(extension.begin(), extension.end(), extension.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    for (const auto& [known, type] : kTypes) {
        if (known == extension) {
            return type;
        }
    }
    return "application/octet-stream";
}

Response StaticFiles::Serve(const Request& request) const {
    // Refuse before touching the file system: the decoded path must name a plain relative file.
    fs::path relative;
    std::string_view rest = std::string_view(request.path).substr(1);
    while (!rest.empty()) {
        const size_t slash = rest.find('/');
        const std::string_view segment = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        if (segment.empty()) {
            continue;
        }
        if (segment == "." || segment == ".." || segment.find('\\') != std::string_view::npos) {
            return ProblemResponse(core::Error::Invalid("Invalid path"), request.path);
        }
        if (segment.front() == '.') {
            return ProblemResponse(core::Error::NotFound(), request.path);
        }
        relative /= fs::path(segment);
    }
    const bool is_asset = StartsWith(request.path, kAssetsPrefix);
    std::error_code ec;
    if (!relative.empty()) {
        const fs::path file = fs::canonical(root_ / relative, ec);
        if (!ec && fs::is_regular_file(file, ec)) {
            if (!IsWithin(file, root_)) {
                return ProblemResponse(core::Error::NotFound(), request.path);
            }
            return ServeFile(file, request, is_asset);
        }
    }
    if (is_asset) {
        return ProblemResponse(core::Error::NotFound(), request.path);
    }
    return ServeFile(root_ / "index.html", request, false);
}

Response StaticFiles::ServeFile(const fs::path& file, const Request& request, bool immutable)
    const {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return ProblemResponse(core::Error::NotFound(), request.path);
    }
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        return ProblemResponse(core::Error::Internal("reading " + file.string()), request.path);
    }
    Response response =
        Response::Text(200, std::string(), std::string(ContentTypeFor(file.filename().string())));
    response.SetHeader(
        "Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache"
    );
    if (request.method == "HEAD") {
        response.SetHeader("Content-Length", std::to_string(body.size()));
    } else {
        response.body = std::move(body);
    }
    return response;
}

}  // namespace voronka::http
