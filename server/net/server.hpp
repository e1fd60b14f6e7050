// Server: the running DNS service. Owns the worker threads and waits for
// SIGTERM or SIGINT, then stops every worker's io_context, joins the
// threads and returns (the process then exits 0). The snapshot is read
// through the SnapshotHolder, so a later reload only has to publish.
#pragma once

#include <memory>

#include "server/net/net_settings.hpp"
#include "server/net/net_totals.hpp"
#include "server/net/query_log.hpp"
#include "server/net/snapshot_holder.hpp"

namespace mailns::server {

class CookieSecretCell;
class RequestHandler;

class Server {
 public:
  // Creates the workers and binds every listen address on each of them;
  // throws std::system_error (naming the address) when one cannot be bound.
  // Installs the SIGTERM/SIGINT handlers.
  // handler: zone transfers and TSIG (server/net/request_handler.hpp); may be nullptr.
  // query_logs: each worker's query log (server/net/query_log.hpp); empty: none.
  // cookies: the server cookie secrets (server/net/cookie_secret_cell.hpp),
  // nullptr: cookies off; must outlive the server.
  Server(const NetSettings& settings, const SnapshotHolder& snapshots, const RequestHandler* handler = nullptr,
         const QueryLogFor& query_logs = {}, const CookieSecretCell* cookies = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves until a signal or stop(), then shuts the workers down and logs
  // their totals.
  void run();
  // Ends run() from any thread.
  void stop() noexcept;
  // The workers' counters summed; from any thread, at any time.
  NetTotals totals() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailns::server
