#include "server/publish/zone_fingerprint.hpp"

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

#include "synth/dkim_lifecycle.hpp"

namespace mailns::server {

namespace {

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

// Content digest of a file, or a marker that changes with the reason it
// cannot be read (so "fixed the permissions" is a change too).
std::string file_digest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "unreadable:" + path;
  std::ostringstream s;
  s << in.rdbuf();
  return sha256_hex(s.str());
}

std::string dump(const YAML::Node& n) {
  if (!n) return "~";
  YAML::Emitter e;
  e << n;
  return e.c_str();
}

// The entries of a list keyed by one of their scalar fields, lower-cased
// and with a final dot, as fingerprint_key() makes them.
std::map<std::string, YAML::Node> entries_by(const YAML::Node& list, const char* field) {
  std::map<std::string, YAML::Node> out;
  if (!list || !list.IsSequence()) return out;
  for (const YAML::Node& item : list) {
    if (!item.IsMap() || !item[field] || !item[field].IsScalar()) continue;
    std::string k = item[field].Scalar();
    std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (k.empty() || k.back() != '.') k += '.';
    out[k] = item;
  }
  return out;
}

}  // namespace

std::string fingerprint_key(const zone::DnsName& origin) {
  std::string s = origin.to_text();
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

ConfigFingerprints fingerprint_config(const Config& config) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  ConfigFingerprints out;
  YAML::Node root;
  try {
    root = YAML::LoadFile(config.path);
  } catch (const YAML::Exception&) {
    // The config parsed a moment ago; if it is unreadable now, every zone
    // looks changed and the next reload sorts it out.
  }
  const YAML::Node empty;
  auto get = [&](const char* key) { return root && root.IsMap() && root[key] ? root[key] : empty; };
  const std::string common = "dnssec:" + dump(get("dnssec"));
  std::set<std::string> files{config.path};

  const auto zone_entries = entries_by(get("zones"), "origin");
  for (const ZoneSource& z : config.zones) {
    const std::string key = fingerprint_key(z.origin);
    auto it = zone_entries.find(key);
    std::string text = common + "\nzone:" + (it == zone_entries.end() ? "?" : dump(it->second));
    text += "\nfile:" + z.file + "=" + file_digest(z.file);
    files.insert(z.file);
    out.zones[key] = sha256_hex(text);
  }

  const auto domain_entries = entries_by(get("mail_domains"), "domain");
  std::string mail_hosts;  // what reverse zones depend on
  for (const synth::MailDomainDecl& d : config.mail_domains) {
    const std::string key = fingerprint_key(d.domain);
    auto it = domain_entries.find(key);
    std::string text = common + "\ndomain:" + (it == domain_entries.end() ? "?" : dump(it->second));
    auto add_file = [&](const std::string& f) {
      if (f.empty()) return;
      text += "\nfile:" + f + "=" + file_digest(f);
      files.insert(f);
    };
    for (const auto& k : d.dkim) {
      // A DKIM date passing changes what is published without any file
      // changing: the states at this moment are part of the fingerprint.
      text += "\ndkim:" + k.selector + "=" + synth::to_string(synth::dkim_state(k, now));
      if (synth::dkim_published(synth::dkim_state(k, now))) add_file(k.key);
    }
    for (const auto& h : d.mail_hosts)
      if (h.tls) {
        add_file(h.tls->cert);
        add_file(h.tls->key);
        add_file(h.tls->next_key);
      }
    out.zones[key] = sha256_hex(text);
    mail_hosts += key + (it == domain_entries.end() ? "?" : dump(it->second["mail_hosts"])) + "\n";
  }
  const std::string reverse = common + "\nreverse:" + dump(get("reverse_zones")) + "\n" + mail_hosts;
  for (const synth::ReverseZoneDecl& r : config.reverse_zones) out.zones[fingerprint_key(r.origin)] = sha256_hex(reverse);

  out.files.assign(files.begin(), files.end());
  return out;
}

}  // namespace mailns::server
