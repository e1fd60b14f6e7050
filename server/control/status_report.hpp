// StatusReport: what `mailns status` shows of a running server, as plain
// values (cli/serve_status gathers them on the reload thread), and its two
// renderings: text for people, JSON (--json) for scripts. Times are Unix
// seconds; in text they are printed in UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/net/net_totals.hpp"

namespace mailns::server {

struct KeyStatus {
  uint16_t tag = 0;
  std::string algorithm, role, state;  // "ecdsap256sha256", "csk", "active"
};

struct DkimSelectorStatus {
  std::string selector, state;  // "published", "active", "retiring", "retired"
};

struct ZoneStatus {
  std::string zone;  // without the final dot
  uint32_t serial = 0;
  bool is_signed = false;
  std::optional<int64_t> rrsig_expiry;  // the earliest signature expiration
  std::optional<int64_t> next_resign;   // re-signing or the next rollover step
  std::string source;                   // where the served version came from
  bool last_good_version = false;       // its declaration or files have errors: the archived version is served
  std::vector<KeyStatus> keys;
  std::vector<DkimSelectorStatus> dkim;
};

struct SecondaryStatus {
  std::string address;
  std::string last_notify;    // "example.org. serial 7: acknowledged" (empty: none yet)
  int64_t last_notify_at = 0;
  std::string last_transfer;  // "example.org. AXFR serial 7: complete (12 records)"
  int64_t last_transfer_at = 0;
};

// The dnstap query log's frames (server/dnstap/), when it is on.
struct QueryLogStatus {
  uint64_t sent = 0;     // handed to the writer thread
  uint64_t dropped = 0;  // dropped: a worker's queue was full
};

struct StatusReport {
  int64_t now = 0;
  int64_t started = 0;
  std::vector<ZoneStatus> zones;
  std::optional<int64_t> next_event;
  std::string next_event_what;  // "re-sign example.org", "DKIM s1 of example.org becomes active"
  std::string last_reload;      // its summary line; empty: none since the start
  int64_t last_reload_at = 0;
  std::vector<std::string> last_reload_errors;
  NetTotals queries;
  std::optional<QueryLogStatus> dnstap;  // nullopt: dnstap is off
  std::vector<SecondaryStatus> secondaries;
};

std::string status_text(const StatusReport& r);
std::string status_json(const StatusReport& r);

}  // namespace mailns::server
