// Notifier: sends NOTIFY (RFC 1996) for changed zones to every configured
// secondary, over UDP from an ephemeral port, signed with the secondary's
// TSIG key when it has one (RFC 8945). A NOTIFY is retried with back-off
// (1, 2, 4, 8 s by default) until the secondary answers, at most 5 tries.
// Only an answer whose ID, source and question match, and whose TSIG
// verifies when we signed, acknowledges it; an error answer that matches
// (signed or not: RFC 8945 5.3.2 errors come back unsigned) is logged with
// what it means and ends the retries, except BADTIME, which a retry may
// cure. A newer serial for the same zone and secondary replaces a NOTIFY
// still waiting. Its own thread and io_context: the publishing thread only
// queues.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <map>

#include "server/xfr/transfer_settings.hpp"
#include "zone/dns_name.hpp"

namespace mailns::server {

// How the last NOTIFY to one secondary ended.
struct NotifyOutcome {
  std::string zone;  // with the final dot
  uint32_t serial = 0;
  // "acknowledged", "no answer after 5 tries", or what an error answer
  // means ("secondary 192.0.2.1:53 rejects our TSIG signature: ...").
  std::string result;
  int64_t at = 0;      // Unix seconds
};

struct NotifyStats {
  uint64_t sent = 0;          // datagrams, retries included
  uint64_t acknowledged = 0;  // NOERROR answers (with a valid TSIG when signed)
  uint64_t rejected = 0;      // error answers that end the retries (RCODE or TSIG error)
  uint64_t gave_up = 0;       // not acknowledged after every try
  std::map<std::string, NotifyOutcome> last;  // by secondary address ("192.0.2.1:53")
  // By secondary address and result: "acknowledged"; the error answers
  // "bad_signature" (TSIG BADSIG), "unknown_key" (BADKEY), "tsig_error"
  // (another TSIG error), "refused", "not_authoritative" (NOTAUTH without a
  // TSIG error), "not_implemented", "rejected" (another RCODE); and after the
  // last try "bad_time" (BADTIME answers), "unverified" (NOERROR answers
  // without a valid TSIG) or "no_answer".
  std::map<std::pair<std::string, std::string>, uint64_t> outcomes;
};

class Notifier {
 public:
  static constexpr int kMaxTries = 5;

  // first_timeout: how long the first try waits; each later try waits twice
  // as long as the one before.
  Notifier(std::vector<Secondary> secondaries, std::vector<TsigKey> keys,
           std::chrono::milliseconds first_timeout = std::chrono::seconds(1));
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void start();
  // Stops the thread; NOTIFYs still waiting are dropped.
  void stop() noexcept;

  // Queues NOTIFY of each zone (origin, serial) to every secondary.
  void notify(std::vector<std::pair<zone::DnsName, uint32_t>> zones);
  // New secondaries and keys (a reload); waiting NOTIFYs to secondaries
  // that are gone are dropped. A secondary whose address was not there
  // before is sent NOTIFY of every zone in `zones` (the zones served now):
  // it has not heard of any change yet.
  void update(std::vector<Secondary> secondaries, std::vector<TsigKey> keys,
              std::vector<std::pair<zone::DnsName, uint32_t>> zones = {});

  NotifyStats stats() const;
  // True when nothing is waiting for an answer (tests).
  bool idle() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailns::server
