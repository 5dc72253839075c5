#include "storage/batch_insert.hpp"

#include <utility>

namespace voronka::storage {

std::string Placeholders(size_t first, size_t count) {
    std::string out;
    for (size_t i = 0; i < count; ++i) {
        out += (i ? ", $" : "$") + std::to_string(first + i);
    }
    return out;
}

BatchInsert::BatchInsert(
    Connection& tx, std::string head, size_t columns, std::string tail, size_t rows_per_statement
)
    : tx_(tx),
      head_(std::move(head)),
      columns_(columns),
      tail_(std::move(tail)),
      rows_per_statement_(rows_per_statement == 0 ? 1 : rows_per_statement) {}

Status BatchInsert::Add(std::vector<Value> row) {
    if (row.size() != columns_) {
        return core::Error::Internal(
            "batch insert row has " + std::to_string(row.size()) + " values, not " +
            std::to_string(columns_)
        );
    }
    for (Value& v : row) {
        params_.push_back(std::move(v));
    }
    return ++rows_ == rows_per_statement_ ? Flush() : core::Ok();
}

Status BatchInsert::Flush() {
    if (rows_ == 0) {
        return core::Ok();
    }
    std::string sql = head_;
    for (size_t r = 0; r < rows_; ++r) {
        sql += (r ? ", (" : "(") + Placeholders(r * columns_ + 1, columns_) + ")";
    }
    auto done = tx_.Execute(sql + tail_, params_);
    params_.clear();
    rows_ = 0;
    return done ? core::Ok() : Status(std::move(done).error());
}

}  // namespace voronka::storage
