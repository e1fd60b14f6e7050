// Logging: one spdlog logger per subsystem ("server", "zone", "dnssec", "xfr"), all
// writing to stderr through one sink. init_logging() is called once at start-up, before
// any thread starts; the accessors are cheap after that.
#pragma once

#include <spdlog/logger.h>

#include <memory>

#include "server/config/config.hpp"

namespace mailns::server {

// Creates (or re-levels) the loggers. Safe to call more than once.
void init_logging(LogLevel level);

spdlog::logger& server_log();
spdlog::logger& zone_log();
spdlog::logger& dnssec_log();
spdlog::logger& xfr_log();  // zone transfers, TSIG, NOTIFY

}  // namespace mailns::server
