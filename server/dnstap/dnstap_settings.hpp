// DnstapSettings: the `server: dnstap:` section: the Frame Streams socket a
// dnstap collector (fstrm_capture, dnstap-receiver...) listens on, and
// which messages to write. Off when the section is absent; a change needs
// a restart, like every server setting.
#pragma once

#include <string>

namespace mailns::server {

struct DnstapSettings {
  std::string socket;      // unix socket path, resolved against the config's directory; empty: off
  bool queries = true;     // AUTH_QUERY messages
  bool responses = true;   // AUTH_RESPONSE messages

  bool enabled() const noexcept { return !socket.empty(); }
  friend bool operator==(const DnstapSettings&, const DnstapSettings&) = default;
};

}  // namespace mailns::server
