#include "server/publish/zone_fingerprint.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

#include "server/config/file_stamp.hpp"
#include "synth/dkim_lifecycle.hpp"
#include "synth/dkim_source.hpp"

namespace mailns::server {

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string fingerprint_key(const zone::DnsName& origin) { return entry_key(origin.to_text()); }

namespace {

std::string text_of(const std::map<std::string, std::string, std::less<>>& map, const std::string& key) {
  auto it = map.find(key);
  return it == map.end() ? std::string("?") : it->second;
}

// The text a zones: entry's fingerprint is taken over; its file into files.
std::string master_text(const Config& config, const ZoneSource& z, std::set<std::string>& files) {
  std::string text = "dnssec:" + config.entry_texts.dnssec + "\nzone:" +
                     text_of(config.entry_texts.zones, fingerprint_key(z.origin));
  text += "\nfile:" + z.file + "=" + file_stamp(z.file);
  files.insert(z.file);
  return text;
}

// Likewise for a mail domain, its DKIM keys and certificates at `now`.
std::string mail_domain_text(const Config& config, const synth::MailDomainDecl& d, int64_t now,
                             std::set<std::string>& files) {
  std::string text = "dnssec:" + config.entry_texts.dnssec + "\ndomain:" +
                     text_of(config.entry_texts.mail_domains, fingerprint_key(d.domain));
  auto add_file = [&](const std::string& f) {
    if (f.empty()) return;
    text += "\nfile:" + f + "=" + file_stamp(f);
    files.insert(f);
  };
  for (const auto& k : d.dkim) {
    // A DKIM date passing changes what is published without any file
    // changing: the states at this moment are part of the fingerprint.
    text += "\ndkim:" + k.selector + "=" + synth::to_string(synth::dkim_state(k, now));
    if (synth::dkim_published(synth::dkim_state(k, now))) add_file(synth::dkim_source_file(k.source));
  }
  for (const auto& h : d.mail_hosts)
    if (h.tls) {
      add_file(h.tls->cert);
      add_file(h.tls->key);
      add_file(h.tls->next_key);
    }
  return text;
}

// Every reverse zone's: the reverse_zones: list and every mail domain's mail_hosts.
std::string reverse_text(const Config& config) {
  std::string mail_hosts;
  for (const synth::MailDomainDecl& d : config.mail_domains) {
    const std::string key = fingerprint_key(d.domain);
    mail_hosts += key + text_of(config.entry_texts.mail_hosts, key) + "\n";
  }
  return "dnssec:" + config.entry_texts.dnssec + "\nreverse:" + config.entry_texts.reverse_zones + "\n" + mail_hosts;
}

}  // namespace

ConfigFingerprints fingerprint_config(const Config& config) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  ConfigFingerprints out;
  std::set<std::string> files{config.path};
  for (const ZoneSource& z : config.zones) out.zones[fingerprint_key(z.origin)] = sha256_hex(master_text(config, z, files));
  for (const synth::MailDomainDecl& d : config.mail_domains)
    out.zones[fingerprint_key(d.domain)] = sha256_hex(mail_domain_text(config, d, now, files));
  if (!config.reverse_zones.empty()) {
    const std::string reverse = sha256_hex(reverse_text(config));
    for (const synth::ReverseZoneDecl& r : config.reverse_zones) out.zones[fingerprint_key(r.origin)] = reverse;
  }
  out.files.assign(files.begin(), files.end());
  return out;
}

std::optional<std::string> zone_fingerprint(const Config& config, const zone::DnsName& origin,
                                            std::vector<std::string>* files) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::set<std::string> referenced;
  std::optional<std::string> out;
  for (const ZoneSource& z : config.zones)
    if (z.origin == origin) out = sha256_hex(master_text(config, z, referenced));
  for (const synth::MailDomainDecl& d : config.mail_domains)
    if (d.domain == origin) out = sha256_hex(mail_domain_text(config, d, now, referenced));
  for (const synth::ReverseZoneDecl& r : config.reverse_zones)
    if (r.origin == origin) out = sha256_hex(reverse_text(config));
  if (files) files->assign(referenced.begin(), referenced.end());
  return out;
}

}  // namespace mailns::server
