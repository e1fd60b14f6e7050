// DnstapEncoder: one logged query (server/net/query_log.hpp) as a dnstap
// frame payload (server/dnstap/dnstap.proto): an AUTH_QUERY with the query
// bytes, or an AUTH_RESPONSE with the response bytes, each with the socket
// family and protocol, both addresses and ports, the times, and the
// server's identity and version. The payload goes in one malloc'd buffer,
// the only allocation, since the fstrm writer takes ownership of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "server/net/query_log.hpp"

namespace mailns::server {

enum class DnstapKind { kAuthQuery, kAuthResponse };

// A malloc'd payload; the receiver frees it with free().
struct DnstapFrame {
  uint8_t* data = nullptr;  // nullptr: out of memory
  size_t size = 0;
};

class DnstapEncoder {
 public:
  // identity: who writes (the host name); version: "mailns 0.1.0".
  DnstapEncoder(std::string identity, std::string version);

  DnstapFrame encode(const LoggedQuery& entry, DnstapKind kind) const noexcept;

 private:
  std::string identity_, version_;
};

}  // namespace mailns::server
