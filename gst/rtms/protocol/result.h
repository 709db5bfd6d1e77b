// Result type of the protocol layer: a value, or an error that names the
// offending field and says what was wrong with it.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace rtms {

struct ProtocolError {
  // Dotted path of the field at fault ("content.timestamp"), empty when the
  // whole message is at fault (not JSON, not an object).
  std::string field;
  // Human readable, e.g. "expected an integer, got the string \"abc\"".
  std::string message;

  std::string describe() const {
    return field.empty() ? message : "field '" + field + "': " + message;
  }
};

template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(ProtocolError error) : state_(std::move(error)) {}

  // The parentheses keep check.h's function-like `fail` macro from
  // expanding here when a gst-check test includes this header after it.
  static Result(fail)(std::string field, std::string message) {
    return Result(ProtocolError{std::move(field), std::move(message)});
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T &value() { return std::get<T>(state_); }
  const T &value() const { return std::get<T>(state_); }
  T &operator*() { return value(); }
  const T &operator*() const { return value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

  const ProtocolError &error() const { return std::get<ProtocolError>(state_); }

 private:
  std::variant<T, ProtocolError> state_;
};

}  // namespace rtms
