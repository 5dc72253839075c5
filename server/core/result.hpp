// Result<T>: a value or an Error, with std::expected's shape (GCC 12 has <expected> only in C++23).
#pragma once

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/error.hpp"

namespace voronka::core {

template <class T>
class [[nodiscard]] Result {
public:
    using value_type = T;

    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}

    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

    template <class U>
        requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
                 !std::is_same_v<std::decay_t<U>, Error> &&
                 !std::is_same_v<std::decay_t<U>, Result<T>>)
    Result(U&& value) : v_(std::in_place_index<0>, T(std::forward<U>(value))) {}

    bool has_value() const { return v_.index() == 0; }

    explicit operator bool() const { return has_value(); }

    T& value() & {
        assert(has_value());
        return std::get<0>(v_);
    }

    const T& value() const& {
        assert(has_value());
        return std::get<0>(v_);
    }

    T&& value() && {
        assert(has_value());
        return std::get<0>(std::move(v_));
    }

    T& operator*() & { return value(); }

    const T& operator*() const& { return value(); }

    T&& operator*() && { return std::move(*this).value(); }

    T* operator->() { return &value(); }

    const T* operator->() const { return &value(); }

    const Error& error() const& {
        assert(!has_value());
        return std::get<1>(v_);
    }

    Error&& error() && {
        assert(!has_value());
        return std::get<1>(std::move(v_));
    }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    using value_type = void;

    Result() = default;

    Result(Error error) : error_(std::move(error)) {}

    bool has_value() const { return !error_.has_value(); }

    explicit operator bool() const { return has_value(); }

    const Error& error() const& {
        assert(error_);
        return *error_;
    }

    Error&& error() && {
        assert(error_);
        return std::move(*error_);
    }

private:
    std::optional<Error> error_;
};

using Status = Result<void>;

inline Status Ok() { return {}; }

}  // namespace voronka::core

#define VK_CONCAT_INNER(a, b) a##b
#define VK_CONCAT(a, b) VK_CONCAT_INNER(a, b)

// Returns the error of a failed Result/Status from the enclosing function.
#define VK_RETURN_IF_ERROR(expr) VK_RETURN_IF_ERROR_IMPL(VK_CONCAT(vk_status_, __COUNTER__), expr)
#define VK_RETURN_IF_ERROR_IMPL(tmp, expr)      \
    do {                                        \
        auto tmp = (expr);                      \
        if (!tmp) return std::move(tmp).error(); \
    } while (0)

// Declares `lhs` from a successful Result, or returns its error.
#define VK_ASSIGN_OR_RETURN(lhs, expr) VK_ASSIGN_OR_RETURN_IMPL(VK_CONCAT(vk_result_, __COUNTER__), lhs, expr)
#define VK_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
    auto tmp = (expr);                           \
    if (!tmp) return std::move(tmp).error();     \
    lhs = std::move(tmp).value()
