#include "server/xfr/catalog_zone.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <stdexcept>

#include "dnssec/atomic_file.hpp"
#include "zone/rr_type.hpp"

namespace mailns::server {

namespace {

std::string sha256_hex(const void* data, size_t n, size_t octets) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data, n, md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < std::min<size_t>(octets, len); ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 0xF];
  }
  return out;
}

std::string lower_wire(const zone::DnsName& n) {
  std::string s(reinterpret_cast<const char*>(n.wire().data()), n.wire().size());
  for (char& c : s) c = static_cast<char>(zone::dns_lower(static_cast<uint8_t>(c)));
  return s;
}

zone::Record record(const zone::DnsName& owner, uint16_t type, std::vector<uint8_t> rdata) {
  return zone::Record{owner, type, zone::rrclass::IN, 0, std::move(rdata)};
}

void put_name(std::vector<uint8_t>& rd, const zone::DnsName& n) { rd.insert(rd.end(), n.wire().begin(), n.wire().end()); }

void put_u32(std::vector<uint8_t>& rd, uint32_t v) {
  for (int i = 3; i >= 0; --i) rd.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace

std::string catalog_member_label(const zone::DnsName& member) {
  const std::string w = lower_wire(member);
  return sha256_hex(w.data(), w.size(), 8);
}

std::string catalog_fingerprint(std::span<const zone::DnsName> members) {
  std::vector<std::string> names;
  for (const auto& m : members) names.push_back(lower_wire(m));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string all;
  for (const auto& n : names) all += n;
  return sha256_hex(all.data(), all.size(), 32);
}

std::shared_ptr<const zone::Zone> build_catalog_zone(const zone::DnsName& name,
                                                     std::span<const zone::DnsName> members, uint32_t serial) {
  const zone::DnsName invalid = *zone::DnsName::from_text("invalid.");
  zone::ZoneBuilder b(name);
  std::vector<uint8_t> soa;
  put_name(soa, invalid);
  put_name(soa, invalid);
  for (uint32_t v : {serial, 3600u, 600u, 2147483646u, 0u}) put_u32(soa, v);
  b.add(record(name, zone::rrtype::SOA, std::move(soa)));
  std::vector<uint8_t> ns;
  put_name(ns, invalid);
  b.add(record(name, zone::rrtype::NS, std::move(ns)));
  const auto version = name.prepend("version");
  const auto zones = name.prepend("zones");
  if (!version || !zones) throw std::runtime_error(name.to_text() + ": catalog zone name too long");
  b.add(record(*version, zone::rrtype::TXT, {1, '2'}));  // RFC 9432 4.2.1
  for (const zone::DnsName& m : members) {
    const auto owner = zones->prepend(catalog_member_label(m));
    if (!owner) throw std::runtime_error(name.to_text() + ": catalog zone name too long for member ids");
    std::vector<uint8_t> ptr;
    put_name(ptr, m);
    b.add(record(*owner, zone::rrtype::PTR, std::move(ptr)));
  }
  auto z = b.build();
  if (!z) {
    std::string msg;
    for (const auto& e : b.errors()) msg += (msg.empty() ? "" : "; ") + e;
    throw std::runtime_error(name.to_text() + ": catalog zone: " + msg);
  }
  return z;
}

CatalogState load_catalog_state(const std::string& path, std::vector<std::string>& warnings) {
  CatalogState st;
  if (!dnssec::file_exists(path)) return st;
  auto text = dnssec::read_file(path);
  if (!text) {
    warnings.push_back(text.error() + "; the catalog starts from today's first serial");
    return st;
  }
  // "<serial> <fingerprint>\n"
  const std::string& t = *text;
  const auto sp = t.find(' ');
  uint32_t serial = 0;
  if (sp == std::string::npos || std::from_chars(t.data(), t.data() + sp, serial).ptr != t.data() + sp) {
    warnings.push_back(path + ":1: not '<serial> <fingerprint>'; the catalog starts from today's first serial");
    return st;
  }
  st.serial = serial;
  st.fingerprint = t.substr(sp + 1);
  while (!st.fingerprint.empty() && (st.fingerprint.back() == '\n' || st.fingerprint.back() == '\r'))
    st.fingerprint.pop_back();
  return st;
}

std::string save_catalog_state(const std::string& path, const CatalogState& state) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  if (!dir.empty())
    if (auto st = dnssec::make_directory(dir, 0700); !st) return st.error();
  auto st = dnssec::write_file_atomic(path, std::to_string(state.serial) + " " + state.fingerprint + "\n", 0644);
  return st ? std::string() : st.error();
}

}  // namespace mailns::server
