#include "server/control/service_notify.hpp"

#include <dlfcn.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdint>
#include <cstdlib>

#include "server/logging.hpp"

namespace mailns::server {

namespace {

// STATUS= is one line: newlines would end the assignment.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

using SdNotify = decltype(&sd_notify);

// libsystemd's sd_notify, loaded the first time a service manager listens.
// Not linked: without NOTIFY_SOCKET (mailns not started by systemd) the
// library and the ones it pulls in (libgcrypt, the compressors) would only
// take memory, about 1 MB of every server's resident set.
SdNotify load_sd_notify() noexcept {
  void* lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* why = dlerror();
    server_log().warn("NOTIFY_SOCKET is set but libsystemd.so.0 cannot be loaded ({}): the service manager is not told",
                      why ? why : "unknown error");
    return nullptr;
  }
  auto* fn = reinterpret_cast<SdNotify>(dlsym(lib, "sd_notify"));
  if (!fn) server_log().warn("libsystemd.so.0 has no sd_notify: the service manager is not told");
  return fn;
}

void send(const std::string& state) {
  if (!std::getenv("NOTIFY_SOCKET")) return;  // what sd_notify itself checks first
  static const SdNotify notify = load_sd_notify();
  if (!notify) return;
  const int r = notify(0, state.c_str());
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
