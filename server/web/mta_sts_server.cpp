#include "server/web/mta_sts_server.hpp"

#include "server/logging.hpp"
#include "server/web/policy_route.hpp"

namespace mailns::server {

MtaStsServer::MtaStsServer(MtaStsServerSettings settings, const SnapshotHolder& snapshots,
                           std::shared_ptr<CertificateSet> certificates)
    : listen_(settings.listen),
      endpoint_("MTA-STS endpoint", settings.listen, settings.limits,
                [&snapshots](std::string_view method, std::string_view host, std::string_view target) {
                  const auto snapshot = snapshots.owner();  // one publication for the answer
                  return route_request(method, host, target, *snapshot);
                },
                std::move(certificates)) {}

void MtaStsServer::start() {
  endpoint_.start();
  for (const ListenAddress& a : listen_)
    web_log().info("MTA-STS policies served on https://{}/.well-known/mta-sts.txt", a.to_string());
}

void MtaStsServer::stop() noexcept { endpoint_.stop(); }

void MtaStsServer::set_certificates(std::shared_ptr<CertificateSet> certificates) {
  endpoint_.set_certificates(std::move(certificates));
}

}  // namespace mailns::server
