// Logging: one spdlog logger per subsystem ("server", "zone", "dnssec", "xfr", "web"), all
// writing to stderr through one sink. init_logging() is called once at start-up, before
// any thread starts; the accessors are cheap after that. Every layer of
// server/ may include this; it includes nothing of the server.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <memory>
#include <string>

namespace mailns::server {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };

const char* to_string(LogLevel level) noexcept;

// Creates (or re-levels) the loggers. Safe to call more than once.
void init_logging(LogLevel level);

// "2026-11-29T10:00:00Z": how Unix times appear in log lines and reports
// (another strftime format, e.g. "%Y-%m-%d", for dates only).
std::string utc_text(int64_t unix_seconds, const char* format = "%Y-%m-%dT%H:%M:%SZ");

spdlog::logger& server_log();
spdlog::logger& zone_log();
spdlog::logger& dnssec_log();
spdlog::logger& xfr_log();  // zone transfers, TSIG, NOTIFY
spdlog::logger& web_log();  // the MTA-STS policy endpoint (HTTPS)

}  // namespace mailns::server
