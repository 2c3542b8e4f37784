#pragma once

#include <string>
#include <utility>
#include <variant>

namespace pageviews {

// A failure carried as a value across a module boundary. The message is one
// line, names what was wrong and is safe to print: it never holds a secret.
struct Error {
    std::string message;
};

// The value of an operation that can fail: either T or an Error.
template <typename T>
class [[nodiscard]] Result {
  public:
    Result(T value) : state_(std::move(value)) {}
    Result(Error error) : state_(std::move(error)) {}

    bool ok() const noexcept { return std::holds_alternative<T>(state_); }
    explicit operator bool() const noexcept { return ok(); }

    const T &value() const & { return std::get<T>(state_); }
    T &value() & { return std::get<T>(state_); }
    T &&value() && { return std::get<T>(std::move(state_)); }
    const Error &error() const & { return std::get<Error>(state_); }

  private:
    std::variant<T, Error> state_;
};

}  // namespace pageviews
