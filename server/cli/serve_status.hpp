// What `mailns status` reports of the running server, gathered from the
// parts `serve` wires together. collect_status must run on the reload
// thread (ReloadService::call): the reloader's and re-signer's state is
// only whole there.
#pragma once

#include <cstdint>

#include "server/control/metrics.hpp"
#include "server/control/status_report.hpp"
#include "server/dnstap/dnstap_writer.hpp"
#include "server/net/server.hpp"
#include "server/net/snapshot_holder.hpp"
#include "server/publish/reloader.hpp"
#include "server/publish/resigner.hpp"
#include "server/xfr/primary.hpp"

namespace mailns::server {

struct ServeParts {
  const SnapshotHolder& snapshots;
  const Reloader& reloader;
  const Resigner& resigner;
  const Primary& primary;
  const Server* server = nullptr;  // set once the sockets are bound
  const DnstapWriter* dnstap = nullptr;  // set while the dnstap query log runs
  int64_t started = 0;
  // The last reload (reload thread only).
  std::optional<ReloadOutcome> last_reload;
  int64_t last_reload_at = 0;
  ReloadCounters reloads;
};

StatusReport collect_status(const ServeParts& parts, int64_t now);
// The status plus the counters only metrics show (reload thread too).
MetricsReport collect_metrics(const ServeParts& parts, int64_t now);

}  // namespace mailns::server
