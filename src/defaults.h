#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

// The default of every setting that has one, defined once: the settings
// table (settings.cc: parsing, --help, the startup line), the Settings and
// Counter::Limits members and, through `pageviews --help`, README's table
// (checked by the lint suite) all take them from here.
namespace pageviews::defaults {

inline constexpr std::string_view kListen = "0.0.0.0:8000";
inline constexpr std::string_view kListenHost = "0.0.0.0";
inline constexpr std::uint16_t kListenPort = 8000;
inline constexpr std::uint16_t kMetricsPort = 9464;
inline constexpr std::size_t kDbConnections = 2;
inline constexpr std::chrono::milliseconds kDbTimeout{2000};
inline constexpr std::size_t kBatchMaxSize = 1024;
inline constexpr std::chrono::microseconds kBatchMaxWait{0};
inline constexpr std::chrono::milliseconds kDrainQuiet{1500};
inline constexpr std::chrono::milliseconds kShutdownTimeout{8000};
inline constexpr std::string_view kLogLevel = "info";
inline constexpr std::string_view kSqliteFile = "pageviews.sqlite3";

}  // namespace pageviews::defaults
