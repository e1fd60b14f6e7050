// MtaStsServer: the HTTPS endpoint of the MTA-STS policies (RFC 8461 3.3):
// GET/HEAD of https://mta-sts.<domain>/.well-known/mta-sts.txt answered from
// the snapshot the DNS workers answer from (server/web/policy_route), over
// TLS with the certificate chosen by SNI, by an HttpEndpoint and its limits
// against hostile clients (server/web/http_endpoint.hpp).
#pragma once

#include <memory>
#include <string>

#include "server/net/snapshot_holder.hpp"
#include "server/web/certificate_set.hpp"
#include "server/web/http_endpoint.hpp"
#include "server/web/mta_sts_server_settings.hpp"

namespace mailns::server {

class MtaStsServer {
 public:
  MtaStsServer(MtaStsServerSettings settings, const SnapshotHolder& snapshots,
               std::shared_ptr<CertificateSet> certificates);
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
  const std::vector<ListenAddress> listen_;
  HttpEndpoint endpoint_;
};

}  // namespace mailns::server
