#include "server/control/service_notify.hpp"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdint>

#include "server/logging.hpp"

namespace mailns::server {

namespace {

// STATUS= is one line: newlines would end the assignment.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

void send(const std::string& state) {
  const int r = sd_notify(0, state.c_str());
  if (r < 0) server_log().warn("sd_notify to the service manager failed: error {}", -r);
}

}  // namespace

void notify_ready(const std::string& status) { send("READY=1\nSTATUS=" + one_line(status)); }

void notify_reloading(const std::string& status) {
  // MONOTONIC_USEC: what systemd 253+ (Type=notify-reload) matches the
  // reload with; older managers ignore it.
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const uint64_t usec = static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=" + one_line(status));
}

void notify_stopping(const std::string& status) { send("STOPPING=1\nSTATUS=" + one_line(status)); }

void notify_status(const std::string& status) { send("STATUS=" + one_line(status)); }

}  // namespace mailns::server
