#include "server/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <ctime>

namespace mailns::server {

const char* to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

namespace {

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return spdlog::level::trace;
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> get_or_create(const char* name) {
  if (auto existing = spdlog::get(name)) return existing;
  static const auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(spdlog::color_mode::automatic);
  auto logger = std::make_shared<spdlog::logger>(name, sink);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%n] %v");
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace

void init_logging(LogLevel level) {
  for (const char* name : {"server", "zone", "dnssec", "xfr", "web"}) {
    auto logger = get_or_create(name);
    logger->set_level(to_spdlog(level));
    logger->flush_on(spdlog::level::warn);
  }
}

std::string utc_text(int64_t t, const char* format) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

spdlog::logger& server_log() {
  static const std::shared_ptr<spdlog::logger> logger = get_or_create("server");
  return *logger;
}

spdlog::logger& zone_log() {
  static const std::shared_ptr<spdlog::logger> logger = get_or_create("zone");
  return *logger;
}

spdlog::logger& dnssec_log() {
  static const std::shared_ptr<spdlog::logger> logger = get_or_create("dnssec");
  return *logger;
}

spdlog::logger& xfr_log() {
  static const std::shared_ptr<spdlog::logger> logger = get_or_create("xfr");
  return *logger;
}

spdlog::logger& web_log() {
  static const std::shared_ptr<spdlog::logger> logger = get_or_create("web");
  return *logger;
}

}  // namespace mailns::server
