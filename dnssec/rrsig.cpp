#include "dnssec/rrsig.hpp"

#include <algorithm>
#include <cstring>

#include "dnssec/canonical.hpp"
#include "zone/rr_type.hpp"

namespace mailns::dnssec {

namespace {
void put16(std::vector<uint8_t>& o, uint16_t v) {
  o.push_back(static_cast<uint8_t>(v >> 8));
  o.push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t>& o, uint32_t v) {
  put16(o, static_cast<uint16_t>(v >> 16));
  put16(o, static_cast<uint16_t>(v));
}
uint32_t get32(const uint8_t* p) noexcept {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
}  // namespace

uint8_t rrsig_labels(const zone::DnsName& owner) noexcept {
  const size_t n = owner.label_count();
  return static_cast<uint8_t>(owner.is_wildcard() ? n - 1 : n);
}

bool RrsetSigner::sign(const zone::DnsName& owner, uint16_t type, uint32_t ttl,
                       std::span<const std::span<const uint8_t>> rdatas, const zone::DnsName& signer,
                       SignatureTimes times, SignContext& ctx, std::vector<uint8_t>& out) {
  if (rdatas.empty() || !ctx.usable()) return false;
  const SigningKey& key = ctx.key();

  // RRSIG RDATA without the signature (RFC 4034 3.1.8.1), signer lower-cased.
  const size_t start = out.size();
  put16(out, type);
  out.push_back(algorithm_number(key.algorithm()));
  out.push_back(rrsig_labels(owner));
  put32(out, ttl);
  put32(out, times.expiration);
  put32(out, times.inception);
  put16(out, key.tag());
  append_lower_name(out, signer.wire());

  // Canonical RDATAs, sorted as octet strings, duplicates removed (RFC 4034 6.3).
  canon_.clear();
  spans_.clear();
  for (const auto& rd : rdatas) {
    const size_t at = canon_.size();
    append_canonical_rdata(canon_, type, rd);
    spans_.emplace_back(static_cast<uint32_t>(at), static_cast<uint32_t>(canon_.size() - at));
  }
  order_.resize(spans_.size());
  for (size_t i = 0; i < order_.size(); ++i) order_[i] = i;
  auto view = [&](size_t i) { return std::span<const uint8_t>(canon_.data() + spans_[i].first, spans_[i].second); };
  auto less = [&](size_t a, size_t b) {
    const auto x = view(a), y = view(b);
    return std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end());
  };
  if (order_.size() > 1) std::sort(order_.begin(), order_.end(), less);

  data_.clear();
  data_.insert(data_.end(), out.begin() + static_cast<ptrdiff_t>(start), out.end());
  owner_.clear();
  append_lower_name(owner_, owner.wire());
  for (size_t k = 0; k < order_.size(); ++k) {
    const auto rd = view(order_[k]);
    if (k > 0) {
      const auto prev = view(order_[k - 1]);
      if (prev.size() == rd.size() && std::equal(prev.begin(), prev.end(), rd.begin())) continue;
    }
    data_.insert(data_.end(), owner_.begin(), owner_.end());
    put16(data_, type);
    put16(data_, zone::rrclass::IN);
    put32(data_, ttl);
    put16(data_, static_cast<uint16_t>(rd.size()));
    data_.insert(data_.end(), rd.begin(), rd.end());
  }
  if (!ctx.sign(data_, out)) {
    out.resize(start);
    return false;
  }
  return true;
}

std::vector<uint8_t> sign_rrset(const zone::DnsName& owner, uint16_t type, uint32_t ttl,
                                std::span<const std::span<const uint8_t>> rdatas, const zone::DnsName& signer,
                                SignatureTimes times, const SigningKey& key) {
  RrsetSigner signer_state;
  SignContext ctx(key);
  std::vector<uint8_t> out;
  if (!signer_state.sign(owner, type, ttl, rdatas, signer, times, ctx, out)) out.clear();
  return out;
}

bool parse_rrsig(std::span<const uint8_t> r, RrsigFields& f) noexcept {
  if (r.size() < 19) return false;
  f.type_covered = static_cast<uint16_t>(r[0] << 8 | r[1]);
  f.algorithm = r[2];
  f.labels = r[3];
  f.original_ttl = get32(&r[4]);
  f.expiration = get32(&r[8]);
  f.inception = get32(&r[12]);
  f.key_tag = static_cast<uint16_t>(r[16] << 8 | r[17]);
  return true;
}

}  // namespace mailns::dnssec
