// Value accessors and the URL-based choice of driver.
#include "storage/database.hpp"

#include <charconv>

#include "storage/postgres/postgres_database.hpp"
#include "storage/sqlite/sqlite_database.hpp"

namespace voronka::storage {

Status Connection::InsertBeforeCommit(int64_t, std::string sql, std::vector<Value> params) {
    auto done = Execute(sql, params);
    return done ? core::Ok() : Status(std::move(done).error());
}

bool Connection::DropBeforeCommit(int64_t) { return false; }

int Rows::Column(std::string_view name) const {
    for (size_t i = 0; i < columns.size(); ++i) {
        if (columns[i] == name) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int64_t AsInt(const Value& v, int64_t fallback) {
    if (const auto* i = std::get_if<int64_t>(&v)) {
        return *i;
    }
    if (const auto* d = std::get_if<double>(&v)) {
        return static_cast<int64_t>(*d);
    }
    if (const auto* s = std::get_if<std::string>(&v)) {
        int64_t out = 0;
        auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
        return ec == std::errc() ? out : fallback;
    }
    return fallback;
}

double AsDouble(const Value& v, double fallback) {
    if (const auto* d = std::get_if<double>(&v)) {
        return *d;
    }
    if (const auto* i = std::get_if<int64_t>(&v)) {
        return static_cast<double>(*i);
    }
    if (const auto* s = std::get_if<std::string>(&v)) {
        try {
            return std::stod(*s);
        } catch (...) {
            return fallback;
        }
    }
    return fallback;
}

std::string AsText(const Value& v) {
    if (const auto* s = std::get_if<std::string>(&v)) {
        return *s;
    }
    if (const auto* i = std::get_if<int64_t>(&v)) {
        return std::to_string(*i);
    }
    if (const auto* d = std::get_if<double>(&v)) {
        return std::to_string(*d);
    }
    return {};
}

Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url) {
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
        return OpenPostgres(url);
    }
    return OpenSqlite(url);
}

}  // namespace voronka::storage
