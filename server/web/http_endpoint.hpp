// HttpEndpoint: a small HTTP/1.1 server with one I/O thread of its own,
// over TLS (certificates given: chosen by SNI, server/web/certificate_set)
// or plain TCP (none given), answering GET/HEAD requests through a handler.
// It serves the MTA-STS policies (server/web/mta_sts_server) and the
// Prometheus metrics (`server.metrics_listen`).
//
// Every client is assumed hostile (WebLimits): one deadline covers the TLS
// handshake and the first request, headers are capped, a request body is
// refused, keep-alive is bounded in requests and idle time, connections are
// limited in total and per address, and the log gets a few lines per second
// about bad clients at most.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/net/listen_address.hpp"
#include "server/web/certificate_set.hpp"
#include "server/web/mta_sts_server_settings.hpp"
#include "server/web/web_response.hpp"

namespace mailns::server {

class HttpEndpoint {
 public:
  // method and target as in the request line, host: the Host header. Runs on
  // the endpoint's I/O thread; must not throw.
  using Handler = std::function<WebResponse(std::string_view method, std::string_view host, std::string_view target)>;

  // name: for the log ("MTA-STS endpoint"). certificates: nullptr for plain HTTP.
  HttpEndpoint(std::string name, std::vector<ListenAddress> listen, WebLimits limits, Handler handler,
               std::shared_ptr<CertificateSet> certificates);
  ~HttpEndpoint();  // stops
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // Binds every listen address and starts the I/O thread. Throws
  // std::system_error naming the address that cannot be bound.
  void start();
  // Closes the listeners and every connection and joins the thread.
  void stop() noexcept;
  // TLS: new connections use these certificates from now on; open ones keep theirs.
  void set_certificates(std::shared_ptr<CertificateSet> certificates);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailns::server
