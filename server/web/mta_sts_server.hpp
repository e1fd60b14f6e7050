// MtaStsServer: the HTTPS endpoint of the MTA-STS policies (RFC 8461 3.3).
// One I/O thread of its own answers GET/HEAD of
// https://mta-sts.<domain>/.well-known/mta-sts.txt from the snapshot the DNS
// workers answer from (server/web/policy_route), over TLS with the
// certificate chosen by SNI (server/web/certificate_set).
//
// Every client is assumed hostile (server/web/mta_sts_server_settings.hpp,
// WebLimits): one deadline covers the TLS handshake and the first request,
// headers are capped, a request body is refused, keep-alive is bounded in
// requests and idle time, connections are limited in total and per address,
// and the log gets a few lines per second about bad clients at most.
#pragma once

#include <memory>
#include <string>

#include "server/net/snapshot_holder.hpp"
#include "server/web/certificate_set.hpp"
#include "server/web/mta_sts_server_settings.hpp"

namespace mailns::server {

class MtaStsServer {
 public:
  MtaStsServer(MtaStsServerSettings settings, const SnapshotHolder& snapshots,
               std::shared_ptr<CertificateSet> certificates);
  ~MtaStsServer();  // stops
  MtaStsServer(const MtaStsServer&) = delete;
  MtaStsServer& operator=(const MtaStsServer&) = delete;

  // Binds every listen address and starts the I/O thread. Throws
  // std::system_error naming the address that cannot be bound.
  void start();
  // Closes the listeners and every connection and joins the thread.
  void stop() noexcept;
  // New connections use these certificates from now on; open ones keep theirs.
  void set_certificates(std::shared_ptr<CertificateSet> certificates);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailns::server
