// Serves the single-page app's build output: files under one root, index.html for client routes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "http/http_types.hpp"

namespace voronka::http {

class StaticFiles {
public:
    // An empty root disables serving. The root is resolved (symlinks, "..") once, here.
    explicit StaticFiles(const std::string& root);

    bool enabled() const { return !root_.empty(); }

    // True for GET/HEAD to a path outside /api: the requests the SPA may answer.
    static bool Eligible(const Request& request);

    // REQUIRES: enabled() and Eligible(request).
    // A file under the root with its content type; hashed files under /assets/ are cached as
    // immutable, everything else must be revalidated. A path that names no file gets index.html
    // (client-side routing), except under /assets/, where it is a 404 problem. Dot segments, hidden
    // files, backslashes and anything that resolves outside the root are refused (400 or 404)
    // and never fall back to index.html. For HEAD the body is dropped. Thread-safe.
    Response Serve(const Request& request) const;

    // Content type for a file name, by extension; application/octet-stream when unknown.
    static std::string_view ContentTypeFor(std::string_view file_name);

private:
    Response ServeFile(const std::filesystem::path& file, const Request& request, bool immutable)
        const;

    std::filesystem::path root_;  // canonical, or empty when disabled
};

}  // namespace voronka::http
