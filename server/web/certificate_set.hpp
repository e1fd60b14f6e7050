// CertificateSet: the TLS server contexts of the MTA-STS endpoint, one per
// configured certificate, loaded together (all or nothing). New connections
// start on the first (the default) and switch, in the SNI callback, to the
// certificate whose names cover the name the client asked for
// (server/web/certificate_names). A reload loads a new set; connections
// keep the set they started with (they hold its shared_ptr) until they end.
// Asio stays out of this header: the context type is only declared.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "server/web/mta_sts_server_settings.hpp"

namespace boost::asio::ssl {
class context;
}

namespace mailns::server {

class CertificateSet {
 public:
  // Loads every certificate chain and key (PEM) and checks that each key
  // belongs to its certificate. On failure returns nullptr and sets *error to
  // "FILE:LINE: mta_sts_server.certificates[i]: cannot load ...: <why>".
  static std::shared_ptr<CertificateSet> load(std::span<const CertificateFiles> files, std::string* error);
  ~CertificateSet();
  CertificateSet(const CertificateSet&) = delete;
  CertificateSet& operator=(const CertificateSet&) = delete;

  // The context new TLS streams are created on (the first certificate's).
  boost::asio::ssl::context& default_context() noexcept;
  // Per certificate, in configuration order: the DNS names it covers, lower case.
  const std::vector<std::vector<std::string>>& names() const noexcept;

  struct Impl;  // opaque: defined in certificate_set.cpp

 private:
  explicit CertificateSet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailns::server
