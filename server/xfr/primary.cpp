#include "server/xfr/primary.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>

#include "server/xfr/axfr_stream.hpp"
#include "server/xfr/catalog_zone.hpp"
#include "server/logging.hpp"
#include "zone/soa_serial.hpp"
#include "server/xfr/xfr_request.hpp"
#include "zone/handle_query.hpp"

namespace mailns::server {

namespace {

constexpr uint16_t kFormErr = 1, kRefused = 5, kNotAuth = 9, kBadVers = 16;
constexpr size_t kMaxTcpMessage = 65535;

std::span<const std::byte> as_bytes(std::span<const uint8_t> s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
std::span<std::byte> as_bytes(std::span<uint8_t> s) { return {reinterpret_cast<std::byte*>(s.data()), s.size()}; }

std::string name_text(const zone::NameBuf& n) {
  auto d = zone::DnsName::from_wire(std::span<const uint8_t>(n.wire, n.len));
  return d ? d->to_text() : std::string("?");
}

const char* tsig_status_text(TsigStatus s) {
  switch (s) {
    case TsigStatus::kOk: return "ok";
    case TsigStatus::kBadKey: return "BADKEY (unknown key or algorithm)";
    case TsigStatus::kBadSig: return "BADSIG (wrong signature: the secret differs?)";
    case TsigStatus::kBadTrunc: return "BADTRUNC (truncated MAC)";
    case TsigStatus::kBadTime: return "BADTIME (clocks more than the fudge apart)";
    case TsigStatus::kFormErr: return "malformed TSIG";
  }
  return "?";
}

ResponseHead head_of(const XfrRequest& q, uint16_t our_payload) {
  ResponseHead h;
  h.id = q.id;
  h.rd = q.rd;
  h.cd = q.cd;
  h.qname = q.qname;
  h.qtype = q.qtype;
  h.qclass = q.qclass;
  h.edns = q.has_edns;
  h.edns_do = q.edns_do;
  h.our_udp_payload = our_payload;
  return h;
}

const char* kind_text(uint16_t qtype) {
  return qtype == zone::rrtype::AXFR ? "AXFR" : qtype == zone::rrtype::IXFR ? "IXFR" : "query";
}

// The largest response message: 64 KiB over TCP; over UDP the client's
// EDNS size capped by ours, at least 512 (RFC 6891 6.2.5).
size_t message_limit(const XfrRequest& q, bool tcp, uint16_t ours, size_t out_size) {
  size_t limit = kMaxTcpMessage;
  if (!tcp) limit = q.has_edns ? std::max<size_t>(512, std::min<size_t>(q.edns_udp_size, ours)) : 512;
  return std::min(limit, out_size);
}

// The zone's SOA alone: an up-to-date IXFR answer.
std::vector<XfrRecord> soa_only(const zone::Zone& z) {
  const auto w = z.origin().wire();
  return {XfrRecord{w.data(), static_cast<uint8_t>(w.size()), zone::rrtype::SOA, z.soa().ttl, z.soa().rdatas.front()}};
}

// Logs how a transfer ended (complete, failed, or cut short by the client)
// and records it as the client's last transfer.
template <typename Record>
std::function<void(const TransferTotals&)> transfer_end_log(std::string zone_name, std::string what, std::string who,
                                                            Record record) {
  const auto started = std::chrono::steady_clock::now();
  return [what, zone_name, who, started, record](const TransferTotals& t) {
    record(zone_name, what, t.complete ? "complete" : t.failed ? "failed" : "stopped",
           t.complete  ? "complete (" + std::to_string(t.records) + " records)"
           : t.failed  ? std::string("failed: a record does not fit in a message")
                       : std::string("stopped by the client"));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (t.complete)
      xfr_log().info("{}: {} to {}: {} records in {} message{} ({} octets) in {:.3f} s", zone_name, what, who,
                     t.records, t.messages, t.messages == 1 ? "" : "s", t.bytes, secs);
    else if (t.failed)
      xfr_log().error("{}: {} to {}: a record does not fit in a message; answered SERVFAIL", zone_name, what, who);
    else
      xfr_log().info("{}: {} to {}: stopped after {} records (the client closed the connection)", zone_name, what,
                     who, t.records);
  };
}

}  // namespace

bool Primary::RefusalLog::allow(int64_t now) const noexcept {
  int64_t second = second_.load(std::memory_order_relaxed);
  if (second != now && second_.compare_exchange_strong(second, now, std::memory_order_relaxed)) {
    const uint32_t seen = count_.exchange(0, std::memory_order_relaxed);
    if (seen > kPerSecond)
      xfr_log().info("{} more refused or failed transfer requests in the second before were not logged",
                     seen - kPerSecond);
  }
  return count_.fetch_add(1, std::memory_order_relaxed) < kPerSecond;
}

Primary::Primary(TransferSettings settings, Options options)
    : options_(std::move(options)),
      settings_(std::make_shared<const TransferSettings>(std::move(settings))),
      journal_(settings_->ixfr_history) {
  if (!options_.state_dir.empty()) journal_.persist_in(options_.state_dir + "/journal");
}

void Primary::record_start_up_change(const zone::Zone& from, const zone::Zone& to) {
  journal_.restore(from.origin(), from.soa_serial());
  journal_.record(from, to);
}

Primary::~Primary() { stop(); }

int64_t Primary::now() const { return options_.clock ? options_.clock() : static_cast<int64_t>(std::time(nullptr)); }

std::shared_ptr<const TransferSettings> Primary::settings() const {
  std::lock_guard lock(settings_mu_);
  return settings_;
}

void Primary::update_settings(TransferSettings s) {
  journal_.set_history(s.ixfr_history);
  // A secondary added by this reload hears of every zone now: the NOTIFYs
  // of the zones this reload changed went out, on publication, to the
  // secondaries there were before it.
  std::vector<std::pair<zone::DnsName, uint32_t>> all;
  if (holder_ && notifying_)
    for (const auto& z : holder_->owner()->zones()) all.emplace_back(z->origin(), z->soa_serial());
  if (notifier_) {
    notifier_->update(s.secondaries, s.tsig_keys, std::move(all));
  } else if (!s.secondaries.empty() && holder_ && notifying_) {
    // The first secondaries: from now on they hear of every change.
    notifier_ = std::make_unique<Notifier>(std::vector<Secondary>{}, s.tsig_keys, options_.notify_timeout);
    notifier_->start();
    notifier_->update(s.secondaries, s.tsig_keys, std::move(all));
  }
  const auto old = settings();
  const bool catalog_changed = old->catalog.has_value() != s.catalog.has_value() ||
                               (s.catalog && !(old->catalog->zone == s.catalog->zone));
  {
    std::lock_guard lock(settings_mu_);
    settings_ = std::make_shared<const TransferSettings>(std::move(s));
  }
  // A catalog turned on, off or renamed: published now, not at the next change.
  if (catalog_changed && holder_) holder_->publish(holder_->owner());
}

std::map<std::pair<std::string, std::string>, uint64_t> Primary::transfer_counts() const {
  std::lock_guard lock(transfer_log_->mu);
  return transfer_log_->counts;
}

std::map<std::string, TransferOutcome> Primary::last_transfers() const {
  std::lock_guard lock(transfer_log_->mu);
  return transfer_log_->last;
}

NotifyStats Primary::notify_stats() const { return notifier_ ? notifier_->stats() : NotifyStats{}; }
bool Primary::notify_idle() const { return !notifier_ || notifier_->idle(); }

void Primary::attach(SnapshotHolder& holder) {
  holder_ = &holder;
  holder.set_publish_hooks(
      [this](std::shared_ptr<const zone::Snapshot> next, const zone::Snapshot& prev) {
        return before_publish(std::move(next), prev);
      },
      [this] { after_publish(); });
  // Published again so that the catalog zone is in it from the start.
  attaching_ = true;
  holder.publish(holder.owner());
  attaching_ = false;
  restore_journal();
}

// The differences written before a restart, for the zones served with the
// serial they had then (the changed ones went through record_start_up_change).
void Primary::restore_journal() {
  std::vector<std::pair<zone::DnsName, uint32_t>> served;
  for (const auto& z : holder_->owner()->zones()) served.emplace_back(z->origin(), z->soa_serial());
  const auto r = journal_.restore_all(served);
  if (r.zones) xfr_log().info("IXFR journal: {} differences of {} zones kept from before the restart", r.differences, r.zones);
  if (r.refused)
    xfr_log().warn("IXFR journal: {} zone file{} not used ({}{}); those secondaries get AXFR if they are behind",
                   r.refused, r.refused == 1 ? "" : "s", r.first_refusal, r.refused > 1 ? ", ..." : "");
}

void Primary::start_notify(const std::set<std::string>& unchanged) {
  notifying_ = true;
  const auto s = settings();
  if (s->secondaries.empty() || !holder_ || notifier_) return;
  notifier_ = std::make_unique<Notifier>(s->secondaries, s->tsig_keys, options_.notify_timeout);
  notifier_->start();
  // Every zone changed while mailns was down (or at this start); a zone
  // served with the serial it had before has nothing new for them.
  std::vector<std::pair<zone::DnsName, uint32_t>> all;
  size_t same = 0;
  for (const auto& z : holder_->owner()->zones()) {
    const bool kept = z == catalog_ ? catalog_serial_before_ != 0 && z->soa_serial() == catalog_serial_before_
                                    : unchanged.contains(std::string(z->origin().lookup_form()));
    if (kept) ++same;
    else all.emplace_back(z->origin(), z->soa_serial());
  }
  xfr_log().info("sending NOTIFY for {} zone{} to {} secondar{} ({} unchanged since the last run: none for them)",
                 all.size(), all.size() == 1 ? "" : "s", s->secondaries.size(),
                 s->secondaries.size() == 1 ? "y" : "ies", same);
  if (!all.empty()) notifier_->notify(std::move(all));
}

void Primary::stop() noexcept {
  if (holder_) holder_->set_publish_hooks(nullptr, nullptr);
  holder_ = nullptr;
  if (notifier_) notifier_->stop();
}

std::shared_ptr<const zone::Snapshot> Primary::with_catalog(std::shared_ptr<const zone::Snapshot> next,
                                                            const zone::Snapshot& prev,
                                                            const CatalogSettings& catalog) {
  // Derived from the served snapshot with its catalog (a reload of some
  // zones, Snapshot::with_zones): the same members, the catalog as it is.
  if (catalog_ && catalog_->origin() == catalog.zone && next->same_origins(prev) && !next->zones().empty() &&
      next->zones().back() == catalog_)
    return next;
  std::vector<std::shared_ptr<const zone::Zone>> zones;
  std::vector<zone::DnsName> members;
  for (const auto& z : next->zones()) {
    // A catalog from an earlier publication (republished, or renamed since).
    if (z->origin() == catalog.zone || z == catalog_) continue;
    zones.push_back(z);
    members.push_back(z->origin());
  }
  const std::string fp = catalog_fingerprint(members);
  const std::string state_path = options_.state_dir.empty() ? std::string() : options_.state_dir + "/catalog";
  if (!catalog_state_loaded_) {
    catalog_state_loaded_ = true;
    if (!state_path.empty()) {
      std::vector<std::string> warnings;
      const CatalogState st = load_catalog_state(state_path, warnings);
      for (const auto& w : warnings) xfr_log().warn("{}", w);
      catalog_serial_ = st.serial;
      catalog_serial_before_ = st.serial;
      catalog_fingerprint_ = st.fingerprint;
    }
  }
  if (!catalog_ || !(catalog_->origin() == catalog.zone) || fp != catalog_fingerprint_) {
    // The same members as last time (before a restart too) keep their serial.
    const bool same = fp == catalog_fingerprint_ && catalog_serial_ != 0 &&
                      (!catalog_ || catalog_->origin() == catalog.zone);
    const uint32_t serial = same ? catalog_serial_
                            : catalog_serial_ ? zone::next_serial(catalog_serial_, now())
                                              : zone::first_serial_of_day(now());
    try {
      catalog_ = build_catalog_zone(catalog.zone, members, serial);
    } catch (const std::exception& e) {
      xfr_log().error("{}; the catalog is not served", e.what());
      return next;
    }
    catalog_serial_ = serial;
    catalog_fingerprint_ = fp;
    if (!state_path.empty())
      if (std::string err = save_catalog_state(state_path, CatalogState{serial, fp}); !err.empty())
        xfr_log().error("{}; the catalog's serial may repeat after a restart (fix the state directory)", err);
    xfr_log().info("catalog {} serial {}: {} member zone{}", catalog.zone.to_text(), serial, members.size(),
                   members.size() == 1 ? "" : "s");
  }
  zones.push_back(catalog_);
  return std::make_shared<const zone::Snapshot>(std::move(zones), next->options());
}

std::shared_ptr<const zone::Snapshot> Primary::before_publish(std::shared_ptr<const zone::Snapshot> next,
                                                              const zone::Snapshot& prev) {
  const auto s = settings();
  if (s->catalog) {
    next = with_catalog(std::move(next), prev, *s->catalog);
  } else if (catalog_) {
    // The catalog was turned off: a snapshot published again loses it.
    const auto& zs = next->zones();
    if (std::find(zs.begin(), zs.end(), catalog_) != zs.end()) {
      std::vector<std::shared_ptr<const zone::Zone>> kept;
      for (const auto& z : zs)
        if (z != catalog_) kept.push_back(z);
      next = std::make_shared<const zone::Snapshot>(std::move(kept), next->options());
    }
  }
  to_notify_.clear();
  if (next->same_origins(prev)) {
    // Zone i of both has one origin: only the versions that differ are compared.
    for (size_t i = 0; i < next->zones().size(); ++i)
      if (next->zones()[i] != prev.zones()[i]) record_change(*prev.zones()[i], *next->zones()[i]);
    return next;
  }
  std::map<std::string_view, const zone::Zone*> old;
  for (const auto& z : prev.zones()) old.emplace(z->origin().lookup_form(), z.get());
  for (const auto& z : next->zones()) {
    auto it = old.find(z->origin().lookup_form());
    if (it == old.end()) {
      to_notify_.emplace_back(z->origin(), z->soa_serial());
      continue;
    }
    const zone::Zone* o = it->second;
    old.erase(it);
    if (o != z.get()) record_change(*o, *z);
  }
  for (const auto& [lf, z] : old) journal_.forget(z->origin());
  return next;
}

void Primary::record_change(const zone::Zone& o, const zone::Zone& z) {
  // The same serial is the same version for secondaries (RFC 1982): a
  // master file edited without a new serial never reaches them.
  if (o.soa_serial() == z.soa_serial()) {
    const ZoneDiff d = diff_zones(o, z);
    if (!d.removed.empty() || !d.added.empty())
      xfr_log().warn("{}: {} records changed but the SOA serial stayed {}; secondaries will not transfer the "
                     "change (raise the serial in the zone's master file)",
                     z.origin().to_text(), d.removed.size() + d.added.size(), z.soa_serial());
    return;
  }
  const auto started = std::chrono::steady_clock::now();
  journal_.record(o, z);
  xfr_log().debug("{}: serial {} -> {}, IXFR difference computed in {:.3f} s", z.origin().to_text(), o.soa_serial(),
                  z.soa_serial(), std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  to_notify_.emplace_back(z.origin(), z.soa_serial());
}

void Primary::after_publish() {
  if (!attaching_ && notifier_ && !to_notify_.empty()) notifier_->notify(std::move(to_notify_));
  to_notify_.clear();
  // The journal's files once the new versions are served and notified.
  journal_.save_unsaved();
}

size_t Primary::answer_udp(std::span<const std::byte> in, std::span<std::byte> out, const zone::Snapshot& snapshot,
                           const IpAddress& peer) const noexcept {
  try {
    return answer({reinterpret_cast<const uint8_t*>(in.data()), in.size()},
                  {reinterpret_cast<uint8_t*>(out.data()), out.size()}, snapshot, nullptr, peer, false, nullptr);
  } catch (const std::exception& e) {
    xfr_log().error("{}: {}; query dropped", peer.to_string(), e.what());
    return 0;
  }
}

namespace {
// What the exception being handled says.
std::string current_exception_text() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}
}  // namespace

std::unique_ptr<MessageSource> Primary::answer_tcp(std::span<const std::byte> in,
                                                   std::shared_ptr<const zone::Snapshot> snapshot,
                                                   const IpAddress& peer) const noexcept {
  try {
    std::vector<uint8_t> buf(kMaxTcpMessage);
    std::unique_ptr<MessageSource> transfer;
    const size_t n = answer({reinterpret_cast<const uint8_t*>(in.data()), in.size()}, buf, *snapshot, &snapshot, peer,
                            true, &transfer);
    if (transfer) return transfer;
    if (n == 0) return nullptr;
    buf.resize(n);
    return std::make_unique<SingleMessage>(std::move(buf));
  } catch (...) {
    // The client must not wait for an answer that never comes: SERVFAIL
    // (the header alone, RFC 1035 4.1.1), or nothing if even that fails.
    try {
      xfr_log().error("{}: {}; answered SERVFAIL", peer.to_string(), current_exception_text());
      if (in.size() < 12) return nullptr;
      std::vector<uint8_t> fail(12, 0);
      fail[0] = static_cast<uint8_t>(in[0]);
      fail[1] = static_cast<uint8_t>(in[1]);
      fail[2] = static_cast<uint8_t>(0x80 | (static_cast<uint8_t>(in[2]) & 0x78));  // QR, the request's opcode
      fail[3] = 2;                                                                  // SERVFAIL
      return std::make_unique<SingleMessage>(std::move(fail));
    } catch (...) {
      return nullptr;
    }
  }
}

size_t Primary::answer(std::span<const uint8_t> in, std::span<uint8_t> out, const zone::Snapshot& snapshot,
                       const std::shared_ptr<const zone::Snapshot>* pin, const IpAddress& peer, bool tcp,
                       std::unique_ptr<MessageSource>* transfer) const {
  const zone::Transport transport = tcp ? zone::Transport::kTcp : zone::Transport::kUdp;
  XfrRequest q;
  const XfrParse st = parse_xfr_request(in, q);
  if (st == XfrParse::kDrop) return 0;
  // Malformed: handle_query answers FORMERR as for any other query.
  if (st == XfrParse::kFormErr) return zone::handle_query(as_bytes(in), as_bytes(out), snapshot, transport);

  const uint16_t ours = snapshot.options().max_udp_payload;
  const size_t limit = message_limit(q, tcp, ours, out.size());
  const ResponseHead head = head_of(q, ours);
  const auto settings = this->settings();

  // RFC 8945 5.2: verify before anything else.
  std::optional<TsigSigner> signer;
  const TsigKey* key = nullptr;
  if (q.has_tsig) {
    const TsigCheck c = verify_tsig(in, q.tsig, settings->tsig_keys, {}, now(), settings->tsig_max_fudge);
    if (c.status != TsigStatus::kOk) return answer_bad_tsig(q, c, head, out.first(limit), peer);
    key = c.key;
    signer.emplace(*c.key, q.tsig.mac, q.tsig.original_id);
  }
  const size_t room = signer ? signer->overhead() : 0;
  if (limit < room + 12) return 0;
  auto sign = [&](size_t n) -> size_t {
    if (n == 0 || !signer) return n;
    return signer->sign(out.first(limit), n, static_cast<uint64_t>(now()));
  };
  if (q.qtype != zone::rrtype::AXFR && q.qtype != zone::rrtype::IXFR)
    return sign(zone::handle_query(as_bytes(in), as_bytes(out.first(limit - room)), snapshot, transport));

  const std::string who = peer.to_string() + (key ? " (key " + key->name.to_text() + ")" : std::string());
  const zone::Zone* z = nullptr;
  if (const uint16_t rcode = check_transfer(q, tcp, *settings, peer, key, who, snapshot, z))
    return sign(write_header_only(out.first(limit - room), head, rcode));
  const bool current = q.qtype == zone::rrtype::IXFR && !zone::serial_greater(z->soa_serial(), *q.ixfr_serial);
  if (!tcp) {
    // IXFR over UDP (RFC 1995 2): the SOA when the client is current, else
    // TC so that it asks again over TCP.
    if (!current) return sign(write_header_only(out.first(limit - room), head, 0, true, true));
    TransferMessages m(head, std::make_unique<ListStream>(soa_only(*z), nullptr), std::move(signer), limit, nullptr);
    return m.next(out.first(limit));
  }
  std::string what;
  std::unique_ptr<RecordStream> records = transfer_records(*z, q, current, *pin, what);
  const std::string zone_name = z->origin().to_text();
  xfr_log().debug("{}: {} to {}: started", zone_name, what, who);
  auto record = [log = transfer_log_, peer = peer.to_string(), type = std::string(kind_text(q.qtype))](
                    const std::string& zone, const std::string& w, const std::string& result,
                    const std::string& detail) {
    std::lock_guard lock(log->mu);
    log->last[peer] = TransferOutcome{zone, w, detail, static_cast<int64_t>(std::time(nullptr))};
    ++log->counts[{type, result}];
  };
  *transfer = std::make_unique<TransferMessages>(head, std::move(records), std::move(signer), kMaxTcpMessage,
                                                 transfer_end_log(zone_name, what, who, std::move(record)));
  return 0;
}

size_t Primary::answer_bad_tsig(const XfrRequest& q, const TsigCheck& c, const ResponseHead& head,
                                std::span<uint8_t> out, const IpAddress& peer) const {
  if (refusals_.allow(now()))
    xfr_log().info("{} {} from {}: TSIG key {}: {}; answered NOTAUTH", kind_text(q.qtype), name_text(q.qname),
                   peer.to_string(), name_text(q.tsig.key_name), tsig_status_text(c.status));
  if (c.status == TsigStatus::kFormErr) return write_header_only(out, head, kFormErr);
  const size_t room = 400;  // the largest TSIG record, with other data
  if (out.size() < room + 12) return 0;
  const size_t n = write_header_only(out.first(out.size() - room), head, kNotAuth);
  if (n == 0) return 0;
  if (c.status == TsigStatus::kBadKey || c.status == TsigStatus::kBadSig)  // RFC 8945 5.3.2: unsigned
    return append_unsigned_tsig(out, n, q.tsig.key_name, q.tsig.algorithm, q.tsig.time_signed, q.tsig.original_id,
                                c.error_code());
  // BADTIME (with our time, RFC 8945 5.2.3) and BADTRUNC are signed.
  TsigSigner s(*c.key, q.tsig.mac, q.tsig.original_id);
  const uint64_t t = static_cast<uint64_t>(now());
  const uint8_t ours_now[6] = {static_cast<uint8_t>(t >> 40), static_cast<uint8_t>(t >> 32),
                               static_cast<uint8_t>(t >> 24), static_cast<uint8_t>(t >> 16),
                               static_cast<uint8_t>(t >> 8),  static_cast<uint8_t>(t)};
  const bool badtime = c.status == TsigStatus::kBadTime;
  return s.sign(out, n, q.tsig.time_signed, c.error_code(),
                badtime ? std::span<const uint8_t>(ours_now, 6) : std::span<const uint8_t>());
}

uint16_t Primary::check_transfer(const XfrRequest& q, bool tcp, const TransferSettings& settings,
                                 const IpAddress& peer, const TsigKey* key, const std::string& who,
                                 const zone::Snapshot& snapshot, const zone::Zone*& zone_out) const {
  const char* kind = kind_text(q.qtype);
  if (q.has_edns && q.edns_version != 0) return kBadVers;             // RFC 6891 6.1.3
  if (!tcp && q.qtype == zone::rrtype::AXFR) return kFormErr;         // RFC 5936 4.2: TCP only
  if (q.qclass != zone::rrclass::IN) return kRefused;
  if (!settings.acl.match(peer, key ? &key->name : nullptr)) {
    transfer_log_->count(kind, "refused");
    if (refusals_.allow(now()))
      xfr_log().info("{} {} from {}: refused (not allowed by allow_transfer or secondaries{})", kind,
                     name_text(q.qname), who, key ? "" : "; no TSIG key");
    return kRefused;
  }
  const auto qname = zone::DnsName::from_wire(std::span<const uint8_t>(q.qname.wire, q.qname.len));
  const zone::Zone* z = qname ? snapshot.find_zone(*qname) : nullptr;
  if (!z || !(z->origin() == *qname)) {
    transfer_log_->count(kind, "notauth");
    if (refusals_.allow(now()))
      xfr_log().info("{} {} from {}: not a zone served here; answered NOTAUTH", kind, name_text(q.qname), who);
    return kNotAuth;
  }
  zone_out = z;
  return 0;
}

std::unique_ptr<RecordStream> Primary::transfer_records(const zone::Zone& z, const XfrRequest& q, bool current,
                                                        const std::shared_ptr<const zone::Snapshot>& pin,
                                                        std::string& what) const {
  const uint32_t serial = z.soa_serial();
  what = "AXFR serial " + std::to_string(serial);
  if (current) {
    what = "IXFR serial " + std::to_string(*q.ixfr_serial) + " (up to date)";
    return std::make_unique<ListStream>(soa_only(z), pin);
  }
  if (q.qtype == zone::rrtype::IXFR) {
    const std::string serials = std::to_string(*q.ixfr_serial) + " -> " + std::to_string(serial);
    if (auto chain = journal_.chain(z.origin(), *q.ixfr_serial, serial)) {
      auto keep = std::make_shared<std::pair<DiffChain, std::shared_ptr<const zone::Snapshot>>>(std::move(*chain), pin);
      what = "IXFR serial " + serials + " (" + std::to_string(keep->first.size()) + " version" +
             (keep->first.size() == 1 ? "" : "s") + ")";
      return std::make_unique<ListStream>(ixfr_records(z, keep->first), keep);
    }
    what = "IXFR serial " + serials + " as AXFR (" + std::to_string(*q.ixfr_serial) + " is not among the last " +
           std::to_string(journal_.history()) + " versions)";
  }
  return std::make_unique<AxfrStream>(pin, z);
}

}  // namespace mailns::server
