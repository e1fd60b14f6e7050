#include "dnssec/zone_signer.hpp"

#include "dnssec/online_signer.hpp"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>

#include "dnssec/ds.hpp"
#include "dnssec/rrsig.hpp"
#include "dnssec/signature_reuse.hpp"
#include "dnssec/zone_layout.hpp"
#include "zone/rr_type.hpp"
#include "zone/soa.hpp"
#include "zone/usable_cpus.hpp"

namespace mailns::dnssec {

namespace {
namespace t = zone::rrtype;

bool is_generated_type(uint16_t type) noexcept {
  return type == t::RRSIG || type == t::NSEC || type == t::NSEC3 || type == t::NSEC3PARAM;
}

// RFC 9824 3.1: each NSEC of the chain points at "\000.<owner>" instead of
// the next name; the type bitmaps stay as they are.
void make_compact(std::vector<zone::Record>& chain) {
  for (zone::Record& r : chain) {
    const auto owner = r.owner.wire();
    if (owner.size() + 2 > zone::kMaxNameWire) continue;
    size_t next_len = 0;
    while (next_len < r.rdata.size() && r.rdata[next_len] != 0) next_len += r.rdata[next_len] + 1u;
    std::vector<uint8_t> rd = {1, 0};
    for (uint8_t c : owner) rd.push_back(zone::dns_lower(c));
    rd.insert(rd.end(), r.rdata.begin() + static_cast<ptrdiff_t>(next_len + 1), r.rdata.end());
    r.rdata = std::move(rd);
  }
}

std::string tag_text(const SigningKey& k) {
  return std::to_string(k.tag()) + " (" + std::string(algorithm_mnemonic(k.algorithm())) + ")";
}

// Every key is there and published when it signs, and between them the keys
// sign both the DNSKEY RRset and the rest of the zone.
Status check_key_set(const std::string& zname, const ZoneKeySet& keys) {
  bool can_sign_keyset = false, can_sign_zone = false;
  for (const KeyUse& k : keys) {
    if (!k.key) return Error{zname + ": empty key in the key set"};
    if ((k.sign_keyset || k.sign_zone) && !k.publish)
      return Error{zname + ": key " + tag_text(*k.key) + " signs but is not in the DNSKEY RRset"};
    can_sign_keyset |= k.sign_keyset;
    can_sign_zone |= k.sign_zone;
  }
  if (!can_sign_keyset || !can_sign_zone)
    return Error{zname + ": the key set has no key to sign " + std::string(can_sign_keyset ? "the zone" : "the DNSKEY RRset")};
  return {};
}

// What signing takes from the input's apex.
struct ApexInput {
  uint32_t soa_ttl = 0;
  uint32_t negative_ttl = 0;  // RFC 9077 3
  bool has_cds = false;
  bool has_cdnskey = false;
};

// Drops what signing makes anew and the records outside the zone (with a
// warning), then reads the SOA and whether the input brings CDS/CDNSKEY.
Result<ApexInput> take_input(const zone::DnsName& origin, const std::string& zname, std::vector<zone::Record>& records,
                             std::vector<std::string>& warnings) {
  size_t outside = 0;
  std::erase_if(records, [&](const zone::Record& r) {
    if (!r.owner.is_subdomain_of(origin)) {
      ++outside;
      return true;
    }
    return is_generated_type(r.type);
  });
  ApexInput in;
  const zone::Record* soa = nullptr;
  for (const zone::Record& r : records) {
    if (!(r.owner == origin)) continue;
    if (r.type == t::SOA && !soa) soa = &r;
    in.has_cds |= r.type == t::CDS;
    in.has_cdnskey |= r.type == t::CDNSKEY;
  }
  if (outside) warnings.push_back(zname + ": " + std::to_string(outside) + " record(s) outside the zone dropped");
  if (!soa) return Error{zname + ": no SOA record at the zone apex; cannot sign"};
  in.soa_ttl = soa->ttl;
  in.negative_ttl = std::min(soa->ttl, zone::soa_minimum(soa->rdata).value_or(0));
  return in;
}

// The DNSKEY RRset (input DNSKEYs take its TTL), CDS and CDNSKEY for the
// keys that should be at the parent unless the input has its own (RFC 8078
// 4), and NSEC3PARAM.
void add_apex_records(const zone::DnsName& origin, std::vector<zone::Record>& records, const ZoneKeySet& keys,
                      const SigningPolicy& policy, const ApexInput& in) {
  const uint32_t dnskey_ttl = policy.dnskey_ttl.value_or(in.soa_ttl);
  for (zone::Record& r : records)
    if (r.type == t::DNSKEY && r.owner == origin) r.ttl = dnskey_ttl;
  for (const KeyUse& k : keys) {
    if (!k.publish) continue;
    records.push_back(zone::Record{origin, t::DNSKEY, zone::rrclass::IN, dnskey_ttl, k.key->dnskey_rdata()});
    if (policy.publish_cds && k.publish_cds) {
      if (!in.has_cds)
        records.push_back(
            zone::Record{origin, t::CDS, zone::rrclass::IN, dnskey_ttl, cds_rdata(origin, k.key->dnskey_rdata())});
      if (!in.has_cdnskey)
        records.push_back(
            zone::Record{origin, t::CDNSKEY, zone::rrclass::IN, dnskey_ttl, cdnskey_rdata(k.key->dnskey_rdata())});
    }
  }
  if (policy.denial == DenialMode::kNsec3)
    records.push_back(
        zone::Record{origin, t::NSEC3PARAM, zone::rrclass::IN, in.negative_ttl, nsec3param_rdata(policy.nsec3)});
}

// The NSEC chain (made compact for RFC 9824) or the NSEC3 chain.
Result<std::vector<zone::Record>> build_chain(const ZoneLayout& layout, const SigningPolicy& policy,
                                              uint32_t negative_ttl) {
  if (policy.denial == DenialMode::kNsec3) return build_nsec3_chain(layout, policy.nsec3, negative_ttl);
  std::vector<zone::Record> chain = build_nsec_chain(layout, negative_ttl);
  if (policy.denial == DenialMode::kCompact) make_compact(chain);
  return chain;
}

// One OpenSSL signing context per key, in key order.
Result<std::vector<SignContext>> signing_contexts(const std::string& zname, const ZoneKeySet& keys) {
  std::vector<SignContext> ctx;
  ctx.reserve(keys.size());
  for (const KeyUse& k : keys) {
    ctx.emplace_back(*k.key);
    if ((k.sign_keyset || k.sign_zone) && !ctx.back().usable())
      return Error{zname + ": cannot set up OpenSSL signing with key " + tag_text(*k.key)};
  }
  return ctx;
}

// Moves the records into the output in layout order, each RRset followed by
// its RRSIGs, each NSEC after the records of its name, the NSEC3 chain last.
class SigningRun {
 public:
  SigningRun(const zone::DnsName& origin, const std::string& zname, const ZoneKeySet& keys,
             std::vector<SignContext>& ctx, const SigningPolicy& policy, int64_t now, const SignatureReuse& reuse,
             SignedZone& out)
      : origin_(origin), zname_(zname), keys_(keys), ctx_(ctx), policy_(policy), now_(now), reuse_(reuse), out_(out) {}

  // False when a signature could not be made; failure() says which.
  bool add_zone(const ZoneLayout& layout, std::vector<zone::Record>& records, std::vector<zone::Record>& chain,
                DenialMode denial) {
    size_t next_chain = 0;
    for (const NameEntry& n : layout.names()) {
      for (const RRsetRef& s : n.rrsets)
        if (!add_rrset(n, s, records)) return false;
      if (denial != DenialMode::kNsec3 && n.in_nsec_chain() && next_chain < chain.size()) {
        if (!add_chain_record(chain[next_chain++])) return false;
      }
    }
    if (denial == DenialMode::kNsec3) {
      for (zone::Record& r : chain)
        if (!add_chain_record(r)) return false;
    }
    return true;
  }

  const std::string& failure() const noexcept { return failure_; }

 private:
  bool add_rrset(const NameEntry& n, const RRsetRef& s, std::vector<zone::Record>& records) {
    if (n.signs(s.type)) {
      rdatas_.clear();
      for (uint32_t i : s.records) rdatas_.emplace_back(records[i].rdata);
      if (!sign_rrset(n.name, s.type, s.ttl)) return false;
    }
    for (uint32_t i : s.records) {
      out_.records.push_back(std::move(records[i]));
      out_.records.back().ttl = s.ttl;  // one TTL per RRset (RFC 2181 5.2)
    }
    return true;
  }

  bool add_chain_record(zone::Record& r) {
    rdatas_.assign(1, std::span<const uint8_t>(r.rdata));
    const zone::DnsName owner = r.owner;
    const uint16_t type = r.type;
    const uint32_t ttl = r.ttl;
    out_.records.push_back(std::move(r));
    return sign_rrset(owner, type, ttl);
  }

  // One RRSIG over rdatas_ per key in the role for this RRset: DNSKEY, CDS
  // and CDNSKEY at the apex by the key-signing keys, the rest by the others.
  // The previous version's signature is kept when it still fits.
  bool sign_rrset(const zone::DnsName& owner, uint16_t type, uint32_t ttl) {
    const bool keyset = (type == t::DNSKEY || type == t::CDS || type == t::CDNSKEY) && owner == origin_;
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (!(keyset ? keys_[i].sign_keyset : keys_[i].sign_zone)) continue;
      zone::Record sig{owner, t::RRSIG, zone::rrclass::IN, ttl, {}};
      if (const std::vector<uint8_t>* kept = reuse_.find(owner, type, ttl, rdatas_, *keys_[i].key)) {
        sig.rdata = *kept;
        note_expiration(sig.rdata);
        out_.records.push_back(std::move(sig));
        ++out_.reused;
        continue;
      }
      const SignatureTimes times = rrset_signature_times(policy_, now_, origin_, owner, type);
      if (!signer_.sign(owner, type, ttl, rdatas_, origin_, times, ctx_[i], sig.rdata)) {
        failure_ = zname_ + ": signing " + owner.to_text() + " " + zone::type_to_text(type) + " with key " +
                   tag_text(*keys_[i].key) + " failed";
        return false;
      }
      note_expiration(sig.rdata);
      out_.records.push_back(std::move(sig));
      ++out_.signatures;
    }
    return true;
  }

  void note_expiration(const std::vector<uint8_t>& rrsig) {
    RrsigFields f;
    if (!parse_rrsig(rrsig, f)) return;
    const int64_t e = serial_time_to_unix(f.expiration, now_);
    if (out_.earliest_expiration == 0 || e < serial_time_to_unix(out_.earliest_expiration, now_))
      out_.earliest_expiration = f.expiration;
  }

  const zone::DnsName& origin_;
  const std::string& zname_;
  const ZoneKeySet& keys_;
  std::vector<SignContext>& ctx_;
  const SigningPolicy& policy_;
  const int64_t now_;
  const SignatureReuse& reuse_;
  SignedZone& out_;
  RrsetSigner signer_;
  std::vector<std::span<const uint8_t>> rdatas_;
  std::string failure_;
};

// RFC 9824: answers for names that do not exist are signed at query time
// with the zone-signing keys.
std::shared_ptr<const zone::OnlineSigner> online_signer(const zone::DnsName& origin, const ZoneKeySet& keys,
                                                        const SigningPolicy& policy) {
  std::vector<std::shared_ptr<const SigningKey>> zsks;
  for (const KeyUse& k : keys)
    if (k.sign_zone) zsks.push_back(k.key);
  return std::make_shared<OnlineZoneSigner>(origin, std::move(zsks), policy);
}
}  // namespace

SignatureTimes signature_times(const SigningPolicy& policy, int64_t now) noexcept {
  return SignatureTimes{static_cast<uint32_t>(now - policy.inception_offset),
                        static_cast<uint32_t>(now + policy.signature_validity)};
}

namespace {
// FNV-1a: stable across runs and builds, which the spread relies on (a
// restart must give an unchanged RRset the same times).
uint64_t fnv1a(std::string_view bytes, uint64_t h = 14695981039346656037ull) noexcept {
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

uint32_t spread_room(const SigningPolicy& p) noexcept {
  return p.signature_validity > p.refresh_before ? p.signature_validity - p.refresh_before : 0;
}
}  // namespace

SignatureTimes rrset_signature_times(const SigningPolicy& policy, int64_t now, const zone::DnsName& origin,
                                     const zone::DnsName& owner, uint16_t type) noexcept {
  SignatureTimes times = signature_times(policy, now);
  if (!policy.spread_expirations) return times;
  const uint32_t room = spread_room(policy) / 3;
  const uint64_t zone_span = std::min<uint64_t>(policy.refresh_before / 4 * 3, room);
  const uint64_t rrset_span = std::min<uint64_t>(policy.refresh_before / 2, room);
  const char t[2] = {static_cast<char>(type >> 8), static_cast<char>(type & 0xff)};
  const uint64_t zone_offset = zone_span ? fnv1a(origin.lookup_form()) % zone_span : 0;
  const uint64_t rrset_offset = rrset_span ? fnv1a(std::string_view(t, 2), fnv1a(owner.lookup_form())) % rrset_span : 0;
  times.expiration -= static_cast<uint32_t>(zone_offset + rrset_offset);
  return times;
}

uint32_t reuse_margin(const SigningPolicy& policy) noexcept {
  // The window stays below the room a fresh signature has past the margin
  // (room / 3 at least, see rrset_signature_times), so what was just made
  // is always kept by the next run.
  return policy.refresh_before + std::min(policy.refresh_before / 4, spread_room(policy) / 6);
}

int64_t serial_time_to_unix(uint32_t t, int64_t now) noexcept {
  const auto diff = static_cast<int32_t>(t - static_cast<uint32_t>(now));
  return now + diff;
}

Result<SignedZone> sign_zone(const zone::DnsName& origin, std::vector<zone::Record> records, const ZoneKeySet& keys,
                             const SigningPolicy& policy, int64_t now, std::span<const zone::Record> previous) {
  const std::string zname = origin.to_text();
  if (const Status keys_ok = check_key_set(zname, keys); !keys_ok) return Error{keys_ok.error()};
  SignedZone out;
  const auto apex = take_input(origin, zname, records, out.warnings);
  if (!apex) return Error{apex.error()};
  add_apex_records(origin, records, keys, policy, *apex);

  const ZoneLayout layout(origin, records);
  auto chain = build_chain(layout, policy, apex->negative_ttl);
  if (!chain) return Error{chain.error()};
  auto ctx = signing_contexts(zname, keys);
  if (!ctx) return Error{ctx.error()};

  const SignatureReuse reuse = previous.empty() ? SignatureReuse() : SignatureReuse(origin, previous, now, reuse_margin(policy));
  out.records.reserve(records.size() * 2 + chain->size() * 2);
  SigningRun run(origin, zname, keys, *ctx, policy, now, reuse, out);
  if (!run.add_zone(layout, records, *chain, policy.denial)) return Error{run.failure()};
  if (policy.denial == DenialMode::kCompact) out.online_signer = online_signer(origin, keys, policy);
  return out;
}

std::vector<Result<SignedZone>> sign_zones(std::vector<ZoneToSign>& zones, const SigningPolicy& policy, int64_t now,
                                           unsigned threads) {
  if (threads == 0) threads = zone::usable_cpus();
  threads = std::min<unsigned>(threads, static_cast<unsigned>(std::max<size_t>(zones.size(), 1)));
  std::vector<std::optional<Result<SignedZone>>> slots(zones.size());
  std::atomic<size_t> next{0};
  // An exception (out of memory) fails its zone only, which keeps its last
  // good version; escaping a thread it would terminate the process.
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < zones.size(); i = next.fetch_add(1)) {
      try {
        slots[i].emplace(sign_zone(zones[i].origin, std::move(zones[i].records), zones[i].keys, policy, now));
      } catch (const std::exception& e) {
        slots[i].emplace(Error{zones[i].origin.to_text() + ": signing failed: " + e.what()});
      } catch (...) {
        slots[i].emplace(Error{zones[i].origin.to_text() + ": signing failed"});
      }
    }
  };
  std::vector<std::thread> pool;
  try {
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back(work);
  } catch (const std::system_error&) {  // no more threads: sign on those we have
  }
  work();
  for (auto& th : pool) th.join();
  std::vector<Result<SignedZone>> out;
  out.reserve(zones.size());
  for (auto& s : slots) out.push_back(std::move(*s));
  return out;
}

std::optional<int64_t> earliest_expiration(std::span<const zone::Record> records, int64_t now) {
  std::optional<int64_t> best;
  for (const zone::Record& r : records) {
    if (r.type != t::RRSIG) continue;
    RrsigFields f;
    if (!parse_rrsig(r.rdata, f)) continue;
    const int64_t e = serial_time_to_unix(f.expiration, now);
    if (!best || e < *best) best = e;
  }
  return best;
}

std::optional<int64_t> next_resign_time(std::span<const zone::Record> records, const SigningPolicy& policy,
                                        int64_t now) {
  auto e = earliest_expiration(records, now);
  if (!e) return std::nullopt;
  return std::max(now, *e - static_cast<int64_t>(policy.refresh_before));
}

}  // namespace mailns::dnssec
