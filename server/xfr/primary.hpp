// Primary: mailns as the primary of its zones for secondaries (issue 6).
// It is the transports' RequestHandler (server/net/request_handler.hpp):
// they hand it what needs more than handle_query (AXFR, IXFR, TSIG-signed
// queries) and it answers:
//   - TSIG (RFC 8945): the request is verified first; BADKEY/BADSIG are
//     answered NOTAUTH with an unsigned TSIG error, BADTIME/BADTRUNC NOTAUTH
//     signed; every other answer to a signed request is signed.
//   - AXFR over TCP (RFC 5936) from one pinned snapshot, in messages of up to
//     64 KiB; IXFR (RFC 1995) from the journal, or AXFR when the client's
//     serial is older than the history; IXFR over UDP gets the SOA when the
//     client is current, else TC; AXFR over UDP gets FORMERR.
//   - the ACL (allow_transfer, secondaries; default deny): REFUSED with no
//     zone data; a zone not served here: NOTAUTH.
// And on each snapshot publication (SnapshotHolder hooks, any publisher:
// start-up, reload, re-signing) it adds the catalog zone (RFC 9432),
// records IXFR differences for zones whose serial changed, and sends NOTIFY
// for them to every secondary (server/notifier.hpp).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <set>
#include <string>
#include <vector>

#include "server/net/request_handler.hpp"
#include "server/xfr/ixfr_journal.hpp"
#include "server/xfr/notifier.hpp"
#include "server/net/snapshot_holder.hpp"
#include "server/xfr/transfer_settings.hpp"
#include "server/xfr/xfr_output.hpp"
#include "server/xfr/xfr_request.hpp"
#include "zone/snapshot.hpp"

namespace mailns::server {

// How the last zone transfer to one client ended.
struct TransferOutcome {
  std::string zone;    // with the final dot
  std::string what;    // "AXFR serial 7", "IXFR serial 6 -> 7 (1 version)"
  std::string result;  // "complete (12 records)", "stopped by the client", "failed"
  int64_t at = 0;      // Unix seconds
};

class Primary final : public RequestHandler {
 public:
  using Clock = std::function<int64_t()>;  // Unix seconds

  struct Options {
    std::string state_dir;  // where the catalog's serial is kept; empty: not kept
    std::chrono::milliseconds notify_timeout{1000};
    Clock clock;  // nullptr: the real clock (TSIG times, catalog serials)
  };

  Primary(TransferSettings settings, Options options);
  ~Primary();
  Primary(const Primary&) = delete;
  Primary& operator=(const Primary&) = delete;

  // Installs the publication hooks and publishes the current snapshot again
  // (with the catalog zone). Call before the workers start.
  void attach(SnapshotHolder& holder);
  // Starts the notifier and sends NOTIFY to every secondary for every zone
  // but those in `unchanged` (lookup forms: served with the serial they had
  // before this start, so the secondaries have them) and a catalog whose
  // serial is the one kept in the state directory.
  // Call once the listen sockets are bound: a secondary answers a NOTIFY
  // by connecting at once, and one that finds nothing listening waits for
  // its retry timer (half a minute for Knot).
  void start_notify(const std::set<std::string>& unchanged = {});
  // Stops the notifier (before the holder goes away).
  void stop() noexcept;
  // The transfer settings of a reloaded configuration (on the thread that
  // publishes): keys, ACL, history and secondaries apply at once (a new
  // secondary is sent NOTIFY of every zone); a catalog turned on, off or
  // renamed is published right away.
  void update_settings(TransferSettings settings);

  // The publication hooks (public for tests): before() returns the snapshot
  // to publish instead of next (next plus the catalog zone) and records the
  // IXFR differences from prev; after() sends the NOTIFYs.
  std::shared_ptr<const zone::Snapshot> before_publish(std::shared_ptr<const zone::Snapshot> next,
                                                       const zone::Snapshot& prev);
  void after_publish();

  // RequestHandler (server/net/request_handler.hpp).
  size_t answer_udp(std::span<const std::byte> in, std::span<std::byte> out, const zone::Snapshot& snapshot,
                    const IpAddress& peer) const noexcept override;
  std::unique_ptr<MessageSource> answer_tcp(std::span<const std::byte> in,
                                            std::shared_ptr<const zone::Snapshot> snapshot,
                                            const IpAddress& peer) const noexcept override;

  // A version `to` published at start replaced `from`, the one served
  // before it (kept in the archive): the difference goes into the journal,
  // so a secondary that was current before the restart gets an IXFR.
  // Its differences from before the restart (state_dir/journal) are read
  // first, so the chain goes on. Called before attach().
  void record_start_up_change(const zone::Zone& from, const zone::Zone& to);

  const IxfrJournal& journal() const noexcept { return journal_; }
  NotifyStats notify_stats() const;
  // The last transfer to each client address (any thread).
  std::map<std::string, TransferOutcome> last_transfers() const;
  // Transfer requests by type (AXFR, IXFR) and result (complete, stopped,
  // failed, refused, notauth), since the start (any thread).
  std::map<std::pair<std::string, std::string>, uint64_t> transfer_counts() const;
  bool notify_idle() const;

 private:
  size_t answer(std::span<const uint8_t> in, std::span<uint8_t> out, const zone::Snapshot& snapshot,
                const std::shared_ptr<const zone::Snapshot>* pin, const IpAddress& peer, bool tcp,
                std::unique_ptr<MessageSource>* transfer) const;
  // The steps of answer(): a request whose TSIG does not verify; whether a
  // transfer is allowed (0, with the zone) or its refusal's RCODE; the
  // records of an allowed transfer over TCP (what: for the log).
  size_t answer_bad_tsig(const XfrRequest& q, const TsigCheck& c, const ResponseHead& head, std::span<uint8_t> out,
                         const IpAddress& peer) const;
  uint16_t check_transfer(const XfrRequest& q, bool tcp, const TransferSettings& settings, const IpAddress& peer,
                          const TsigKey* key, const std::string& who, const zone::Snapshot& snapshot,
                          const zone::Zone*& zone_out) const;
  std::unique_ptr<RecordStream> transfer_records(const zone::Zone& z, const XfrRequest& q, bool current,
                                                 const std::shared_ptr<const zone::Snapshot>& pin,
                                                 std::string& what) const;
  std::shared_ptr<const TransferSettings> settings() const;
  // next with the catalog zone of its zones (prev: the snapshot served now).
  std::shared_ptr<const zone::Snapshot> with_catalog(std::shared_ptr<const zone::Snapshot> next,
                                                     const zone::Snapshot& prev, const CatalogSettings& catalog);
  // A zone's version o replaced by z: its IXFR difference journaled and a NOTIFY queued.
  void record_change(const zone::Zone& o, const zone::Zone& z);
  void restore_journal();
  int64_t now() const;

  // Refusals and TSIG failures are logged at most kPerSecond a second, so a
  // flood of transfer requests does not flood the log; the rest is counted.
  class RefusalLog {
   public:
    static constexpr uint32_t kPerSecond = 10;
    bool allow(int64_t now) const noexcept;

   private:
    mutable std::atomic<int64_t> second_{0};
    mutable std::atomic<uint32_t> count_{0};
  };

  // Where transfers report how they ended; shared with them (a transfer
  // may end while the Primary is being torn down at shutdown).
  struct TransferLog {
    mutable std::mutex mu;
    std::map<std::string, TransferOutcome> last;  // by client address
    std::map<std::pair<std::string, std::string>, uint64_t> counts;  // (AXFR|IXFR, result) -> transfers
    void count(const std::string& type, const std::string& result) {
      std::lock_guard lock(mu);
      ++counts[{type, result}];
    }
  };

  Options options_;
  RefusalLog refusals_;
  std::shared_ptr<TransferLog> transfer_log_ = std::make_shared<TransferLog>();
  mutable std::mutex settings_mu_;
  std::shared_ptr<const TransferSettings> settings_;
  IxfrJournal journal_;
  std::unique_ptr<Notifier> notifier_;
  SnapshotHolder* holder_ = nullptr;
  // Publishing thread only (publications are serialized by the holder):
  std::vector<std::pair<zone::DnsName, uint32_t>> to_notify_;
  bool attaching_ = false;
  uint32_t catalog_serial_before_ = 0;  // as kept in the state directory at start
  std::atomic<bool> notifying_ = false;  // start_notify() was called
  std::shared_ptr<const zone::Zone> catalog_;
  std::string catalog_fingerprint_;
  uint32_t catalog_serial_ = 0;
  bool catalog_state_loaded_ = false;
};

}  // namespace mailns::server
