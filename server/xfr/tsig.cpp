#include "server/xfr/tsig.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>

#include "zone/rr_type.hpp"

namespace mailns::server {

namespace {

constexpr size_t kTsigFixedRdata = 6 + 2 + 2 + 2 + 2 + 2;  // time, fudge, MAC size, original ID, error, other len

// The HMAC implementation, fetched once (EVP_MAC_fetch is thread-safe, the
// result immutable).
EVP_MAC* hmac() noexcept {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

class Hmac {
 public:
  Hmac(const TsigKey& key) noexcept : ctx_(hmac() ? EVP_MAC_CTX_new(hmac()) : nullptr) {
    if (!ctx_) return;
    char digest[16];
    std::strcpy(digest, key.algorithm == TsigAlgorithm::kHmacSha512 ? "SHA512" : "SHA256");
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
    ok_ = EVP_MAC_init(ctx_, key.secret.data(), key.secret.size(), params) == 1;
  }
  ~Hmac() { EVP_MAC_CTX_free(ctx_); }
  Hmac(const Hmac&) = delete;
  Hmac& operator=(const Hmac&) = delete;

  void update(const uint8_t* p, size_t n) noexcept {
    if (ok_ && n) ok_ = EVP_MAC_update(ctx_, p, n) == 1;
  }
  void u16(uint16_t v) noexcept {
    const uint8_t b[2] = {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
    update(b, 2);
  }
  void u48(uint64_t v) noexcept {
    const uint8_t b[6] = {static_cast<uint8_t>(v >> 40), static_cast<uint8_t>(v >> 32), static_cast<uint8_t>(v >> 24),
                          static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8),  static_cast<uint8_t>(v)};
    update(b, 6);
  }
  // A name in canonical form: uncompressed, lower case (RFC 8945 4.3.3).
  void name(const uint8_t* wire, size_t len) noexcept {
    uint8_t lower[zone::kMaxNameWire];
    for (size_t i = 0; i < len; ++i) lower[i] = zone::dns_lower(wire[i]);
    update(lower, len);
  }
  // Returns the MAC size, 0 on failure.
  size_t final(uint8_t out[kMaxTsigMac]) noexcept {
    size_t n = 0;
    if (!ok_ || EVP_MAC_final(ctx_, out, &n, kMaxTsigMac) != 1) return 0;
    return n;
  }

 private:
  EVP_MAC_CTX* ctx_;
  bool ok_ = false;
};

struct Variables {
  const uint8_t* key_name;
  size_t key_name_len;
  const uint8_t* algorithm;
  size_t algorithm_len;
  uint64_t time_signed;
  uint16_t fudge;
  uint16_t error;
  std::span<const uint8_t> other;
};

// RFC 8945 4.3: [prior MAC size, prior MAC] + message + TSIG variables (or
// only the timers for the later messages of a response).
size_t compute_mac(const TsigKey& key, std::span<const uint8_t> prior, bool with_prior, const uint8_t header[12],
                   std::span<const uint8_t> body, bool timers_only, const Variables& v, uint8_t out[kMaxTsigMac]) {
  Hmac h(key);
  if (with_prior) {
    h.u16(static_cast<uint16_t>(prior.size()));
    h.update(prior.data(), prior.size());
  }
  h.update(header, 12);
  h.update(body.data(), body.size());
  if (!timers_only) {
    h.name(v.key_name, v.key_name_len);
    h.u16(zone::rrclass::ANY);
    h.u16(0);  // TTL, 32 bits
    h.u16(0);
    h.name(v.algorithm, v.algorithm_len);
  }
  h.u48(v.time_signed);
  h.u16(v.fudge);
  if (!timers_only) {
    h.u16(v.error);
    h.u16(static_cast<uint16_t>(v.other.size()));
    h.update(v.other.data(), v.other.size());
  }
  return h.final(out);
}

void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

// Writes a TSIG record at buf[n]; returns the new size or 0.
size_t write_tsig(std::span<uint8_t> buf, size_t n, const uint8_t* key_name, size_t key_len, const uint8_t* alg,
                  size_t alg_len, uint64_t time_signed, uint16_t fudge, std::span<const uint8_t> mac,
                  uint16_t original_id, uint16_t error, std::span<const uint8_t> other) {
  const size_t rdlen = alg_len + kTsigFixedRdata + mac.size() + other.size();
  const size_t size = key_len + 10 + rdlen;
  if (n < 12 || n > buf.size() || buf.size() - n < size) return 0;
  uint8_t* p = buf.data() + n;
  std::memcpy(p, key_name, key_len);
  p += key_len;
  put16(p, zone::rrtype::TSIG);
  put16(p + 2, zone::rrclass::ANY);
  std::memset(p + 4, 0, 4);  // TTL
  put16(p + 8, static_cast<uint16_t>(rdlen));
  p += 10;
  std::memcpy(p, alg, alg_len);
  p += alg_len;
  for (int i = 5; i >= 0; --i) *p++ = static_cast<uint8_t>(time_signed >> (8 * i));
  put16(p, fudge);
  put16(p + 2, static_cast<uint16_t>(mac.size()));
  p += 4;
  if (!mac.empty()) std::memcpy(p, mac.data(), mac.size());
  p += mac.size();
  put16(p, original_id);
  put16(p + 2, error);
  put16(p + 4, static_cast<uint16_t>(other.size()));
  p += 6;
  if (!other.empty()) std::memcpy(p, other.data(), other.size());
  const uint16_t arcount = static_cast<uint16_t>(buf[10] << 8 | buf[11]);
  put16(buf.data() + 10, static_cast<uint16_t>(arcount + 1));
  return n + size;
}

}  // namespace

uint16_t TsigCheck::error_code() const noexcept {
  switch (status) {
    case TsigStatus::kBadKey: return tsig_error::kBadKey;
    case TsigStatus::kBadSig: return tsig_error::kBadSig;
    case TsigStatus::kBadTrunc: return tsig_error::kBadTrunc;
    case TsigStatus::kBadTime: return tsig_error::kBadTime;
    default: return tsig_error::kNoError;
  }
}

bool parse_tsig_rdata(std::span<const uint8_t> msg, size_t offset, const zone::NameBuf& key_name, size_t rdata_at,
                      uint16_t rdlen, TsigRecord& out) noexcept {
  if (rdata_at + rdlen > msg.size()) return false;
  zone::WireReader r(msg.first(rdata_at + rdlen));
  r.seek(rdata_at);
  out.offset = offset;
  out.key_name = key_name;
  r.name(out.algorithm);
  const uint64_t hi = r.u16();
  out.time_signed = hi << 32 | r.u32();
  out.fudge = r.u16();
  const uint16_t mac_size = r.u16();
  out.mac = r.bytes(mac_size);
  out.original_id = r.u16();
  out.error = r.u16();
  const uint16_t other_len = r.u16();
  out.other = r.bytes(other_len);
  return r.ok() && r.remaining() == 0;
}

TsigFind find_tsig(std::span<const uint8_t> msg, TsigRecord& out) noexcept {
  if (msg.size() < 12) return TsigFind::kMalformed;
  zone::WireReader r(msg);
  r.skip(4);
  const uint16_t qd = r.u16();
  const uint32_t total = uint32_t{r.u16()} + r.u16();
  const uint16_t ar = r.u16();
  const uint32_t all = total + ar;
  zone::NameBuf name;
  for (uint16_t i = 0; i < qd; ++i) {
    r.name(name);
    r.skip(4);
  }
  bool found = false;
  for (uint32_t i = 0; i < all; ++i) {
    const zone::RrHeader h = r.rr(name);
    const auto [start, type, klass, ttl, rdlen, rdata_at] = h;
    if (!r.ok()) return TsigFind::kMalformed;
    if (type != zone::rrtype::TSIG) continue;
    if (i != all - 1 || i < total || klass != zone::rrclass::ANY || ttl != 0 ||
        !parse_tsig_rdata(msg, start, name, rdata_at, rdlen, out))
      return TsigFind::kMalformed;
    found = true;
  }
  if (!r.ok() || r.remaining() != 0) return TsigFind::kMalformed;
  return found ? TsigFind::kFound : TsigFind::kAbsent;
}

size_t tsig_record_size(const TsigKey& key, size_t mac_size, size_t other_size) noexcept {
  return key.name.wire().size() + 10 + tsig_algorithm_name(key.algorithm).wire().size() + kTsigFixedRdata + mac_size +
         other_size;
}

TsigCheck verify_tsig(std::span<const uint8_t> msg, const TsigRecord& rec, std::span<const TsigKey> keys,
                      std::span<const uint8_t> prior_mac, int64_t now, uint16_t max_fudge) noexcept {
  TsigCheck res;
  // RFC 8945 5.2.1: an unknown key, or a known key with another algorithm.
  uint8_t key_lf[zone::kMaxNameWire];
  const size_t key_lf_len = zone::make_lookup_form(rec.key_name.wire, rec.key_name.len, key_lf);
  for (const TsigKey& k : keys) {
    const auto lf = k.name.lookup_form();
    if (lf.size() == key_lf_len && std::memcmp(lf.data(), key_lf, key_lf_len) == 0) res.key = &k;
  }
  if (!res.key) {
    res.status = TsigStatus::kBadKey;
    return res;
  }
  const auto& alg = tsig_algorithm_name(res.key->algorithm);
  uint8_t alg_lf[zone::kMaxNameWire];
  const size_t alg_lf_len = zone::make_lookup_form(rec.algorithm.wire, rec.algorithm.len, alg_lf);
  if (alg.lookup_form().size() != alg_lf_len || std::memcmp(alg.lookup_form().data(), alg_lf, alg_lf_len) != 0) {
    res.key = nullptr;
    res.status = TsigStatus::kBadKey;
    return res;
  }
  // RFC 8945 5.2.2.1: a MAC longer than the hash, or shorter than half of
  // it (or 10 octets), is malformed; we accept no truncation at all.
  const size_t full = tsig_mac_size(res.key->algorithm);
  if (rec.mac.size() > full || rec.mac.size() < std::max<size_t>(10, full / 2)) {
    res.status = TsigStatus::kFormErr;
    return res;
  }
  if (rec.offset < 12 || rec.offset > msg.size()) {
    res.status = TsigStatus::kFormErr;
    return res;
  }
  // The message as it was before the TSIG record was added: ARCOUNT one
  // less, and the original ID (RFC 8945 4.3.1).
  uint8_t header[12];
  std::memcpy(header, msg.data(), 12);
  put16(header, rec.original_id);
  const uint16_t arcount = static_cast<uint16_t>(header[10] << 8 | header[11]);
  if (arcount == 0) {
    res.status = TsigStatus::kFormErr;
    return res;
  }
  put16(header + 10, static_cast<uint16_t>(arcount - 1));
  const Variables v{rec.key_name.wire, rec.key_name.len, rec.algorithm.wire, rec.algorithm.len,
                    rec.time_signed,   rec.fudge,        rec.error,          rec.other};
  uint8_t mac[kMaxTsigMac];
  const size_t n = compute_mac(*res.key, prior_mac, !prior_mac.empty(), header, msg.subspan(12, rec.offset - 12),
                               false, v, mac);
  if (n != full || CRYPTO_memcmp(mac, rec.mac.data(), rec.mac.size()) != 0) {
    res.status = TsigStatus::kBadSig;
    return res;
  }
  if (rec.mac.size() < full) {
    res.status = TsigStatus::kBadTrunc;
    return res;
  }
  // RFC 8945 5.2.3: checked after the MAC, with the fudge of the message,
  // capped by ours (a sender's fudge of 65535 s would allow 18 h of replay).
  const int64_t signed_at = static_cast<int64_t>(rec.time_signed);
  const int64_t fudge = std::min(rec.fudge, max_fudge);
  if (now > signed_at + fudge || now < signed_at - fudge) {
    res.status = TsigStatus::kBadTime;
    return res;
  }
  res.status = TsigStatus::kOk;
  return res;
}

TsigSigner::TsigSigner(TsigKey key, std::span<const uint8_t> prior_mac, uint16_t original_id)
    : key_(std::move(key)), original_id_(original_id) {
  prior_len_ = std::min(prior_mac.size(), kMaxTsigMac);
  if (prior_len_) std::memcpy(prior_, prior_mac.data(), prior_len_);
  first_ = true;
}

size_t TsigSigner::sign(std::span<uint8_t> buf, size_t n, uint64_t time_signed, uint16_t error,
                        std::span<const uint8_t> other) noexcept {
  if (n < 12 || n > buf.size()) return 0;
  const auto& alg = tsig_algorithm_name(key_.algorithm);
  const auto kn = key_.name.wire();
  const auto an = alg.wire();
  if (buf.size() - n < tsig_record_size(key_, tsig_mac_size(key_.algorithm), other.size())) return 0;
  const Variables v{kn.data(), kn.size(), an.data(), an.size(), time_signed, kTsigFudge, error, other};
  uint8_t mac[kMaxTsigMac];
  // The first message of a response chains the request's MAC; a request
  // (no prior MAC) is signed without one.
  const size_t mac_len = compute_mac(key_, {prior_, prior_len_}, prior_len_ > 0, buf.data(),
                                     buf.subspan(12, n - 12), !first_, v, mac);
  if (mac_len == 0) return 0;
  const size_t out = write_tsig(buf, n, kn.data(), kn.size(), an.data(), an.size(), time_signed, kTsigFudge,
                                {mac, mac_len}, original_id_, error, other);
  if (out == 0) return 0;
  std::memcpy(prior_, mac, mac_len);
  prior_len_ = mac_len;
  first_ = false;
  return out;
}

size_t append_unsigned_tsig(std::span<uint8_t> buf, size_t n, const zone::NameBuf& key_name,
                            const zone::NameBuf& algorithm, uint64_t time_signed, uint16_t original_id,
                            uint16_t error) noexcept {
  return write_tsig(buf, n, key_name.wire, key_name.len, algorithm.wire, algorithm.len, time_signed, kTsigFudge, {},
                    original_id, error, {});
}

}  // namespace mailns::server
