// MtaStsServerSettings: the HTTPS endpoint that serves each mail domain's
// MTA-STS policy (RFC 8461 3.3) at https://mta-sts.<domain>/.well-known/mta-sts.txt,
// from the configuration's top-level `mta_sts_server:` (parsed by
// server/config/mta_sts_server_config). Listen addresses need a restart;
// the certificates are loaded again on every reload.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "server/net/listen_address.hpp"

namespace mailns::server {

// One certificate chain and its private key, PEM files.
struct CertificateFiles {
  std::string cert;   // resolved against the configuration's directory
  std::string key;
  std::string where;  // "FILE:LINE" of the entry in the configuration, for messages
};

// What a hostile client may take from the endpoint. Small on purpose: an
// MTA-STS fetch is one short GET per sender and policy lifetime.
struct WebLimits {
  // TLS handshake plus the whole first request; a client that has not sent
  // a complete request by then is cut.
  std::chrono::seconds request_deadline{10};
  // Between the requests of one keep-alive connection (reading the next one included).
  std::chrono::seconds idle_timeout{5};
  unsigned max_requests_per_connection = 4;
  unsigned max_connections = 64;
  unsigned max_connections_per_address = 8;
  size_t max_header_bytes = 8 * 1024;  // request line and headers; a body is refused
};

struct MtaStsServerSettings {
  std::vector<ListenAddress> listen;
  std::vector<CertificateFiles> certificates;  // the first is the default (no or unknown SNI)
  WebLimits limits;
};

}  // namespace mailns::server
