// Service-manager notifications (systemd Type=notify, sd_notify(3) through
// libsystemd, loaded when NOTIFY_SOCKET is set): READY=1 once the zones are loaded and signed and the sockets
// bound; RELOADING=1 then READY=1 around every reload; STOPPING=1 at
// shutdown; STATUS= a one-line summary each time. Without NOTIFY_SOCKET
// (not started by a service manager) every call does nothing.
#pragma once

#include <string>

namespace mailns::server {

void notify_ready(const std::string& status);
void notify_reloading(const std::string& status);
void notify_stopping(const std::string& status);
void notify_status(const std::string& status);

}  // namespace mailns::server
