#include "server/config/transfer_config.hpp"

#include <fstream>
#include <sstream>

namespace mailns::server {

namespace {

constexpr const char* kKeyKeys[] = {"name", "algorithm", "secret_file"};
constexpr const char* kAlgorithmWords[] = {"hmac-sha256", "hmac-sha512"};
constexpr const char* kSecondaryKeys[] = {"address", "tsig"};
constexpr const char* kAclKeys[] = {"address", "key"};
constexpr const char* kCatalogKeys[] = {"zone"};
constexpr size_t kMinSecret = 16;  // octets; RFC 8945 6 asks for at least the hash's output size
constexpr unsigned kMaxIxfrHistory = 10000;
constexpr int64_t kMaxTsigFudge = 3600;  // seconds; RFC 8945 10 recommends 300

std::optional<zone::DnsName> name_value(ConfigChecker& c, const YAML::Node& n, const std::string& path,
                                        const std::string& example) {
  auto text = c.string(n, path, example);
  if (!text) return std::nullopt;
  std::string err;
  auto name = zone::DnsName::from_text(*text, &err);
  if (!name) c.error(n, path + ": '" + *text + "' is not a valid domain name (" + err + "); write a name such as " + example);
  return name;
}

// A key name used by secondaries: or allow_transfer:, which must be in tsig_keys:.
std::optional<zone::DnsName> key_ref(ConfigChecker& c, const YAML::Node& n, const std::string& path,
                                     const TransferSettings& s) {
  auto name = name_value(c, n, path, "xfr-key");
  if (!name) return std::nullopt;
  if (!s.find_key(*name)) {
    std::string known;
    for (const TsigKey& k : s.tsig_keys) {
      std::string t = k.name.to_text();
      t.pop_back();
      known += (known.empty() ? "" : ", ") + t;
    }
    c.error(n, path + ": no key '" + n.Scalar() + "' in tsig_keys; " +
                   (known.empty() ? std::string("add it: tsig_keys: [{name: ") + n.Scalar() +
                                        ", algorithm: hmac-sha256, secret_file: FILE}]"
                                  : "known keys: " + known));
    return std::nullopt;
  }
  return name;
}

void read_tsig_keys(ConfigChecker& c, const YAML::Node& n, const std::string& config_path, TransferSettings& s) {
  if (!n.IsSequence()) {
    c.error(n, "tsig_keys: expected a list such as [{name: xfr-key, algorithm: hmac-sha256, secret_file: "
               "xfr-key.b64}], got " + describe(n));
    return;
  }
  std::map<std::string, int> lines;
  for (size_t i = 0; i < n.size(); ++i) {
    const YAML::Node item = n[i];
    const std::string path = "tsig_keys[" + std::to_string(i) + "]";
    if (!item.IsMap()) {
      c.error(item, path + ": expected a mapping with name:, algorithm: and secret_file:, got " + describe(item));
      continue;
    }
    auto keys = c.keys(item, path, kKeyKeys);
    TsigKey key;
    bool ok = true;
    if (auto it = keys.find("name"); it == keys.end()) {
      c.error(item, path + ": missing 'name'; add the key's name, e.g. \"name: xfr-key\" (the secondary must use "
                           "the same name)");
      ok = false;
    } else if (auto name = name_value(c, it->second, path + ".name", "xfr-key")) {
      const std::string lf(name->lookup_form());
      if (auto prev = lines.find(lf); prev != lines.end()) {
        c.error(it->second, path + ".name: key '" + it->second.Scalar() + "' is already defined at line " +
                                std::to_string(prev->second) + "; give each key its own name");
        ok = false;
      } else {
        lines[lf] = c.line_of(it->second);
        key.name = *name;
      }
    } else {
      ok = false;
    }
    if (auto it = keys.find("algorithm"); it == keys.end()) {
      c.error(item, path + ": missing 'algorithm'; add \"algorithm: hmac-sha256\" (or hmac-sha512)");
      ok = false;
    } else if (auto a = c.one_of(it->second, path + ".algorithm", kAlgorithmWords)) {
      key.algorithm = *a == 1 ? TsigAlgorithm::kHmacSha512 : TsigAlgorithm::kHmacSha256;
    } else {
      ok = false;
    }
    if (auto it = keys.find("secret_file"); it == keys.end()) {
      c.error(item, path + ": missing 'secret_file'; add a file holding the base64 secret, e.g. \"secret_file: "
                           "xfr-key.b64\" (create it with: openssl rand -base64 32 > xfr-key.b64)");
      ok = false;
    } else if (auto text = c.string(it->second, path + ".secret_file", "xfr-key.b64")) {
      const std::string file = resolve_config_path(config_path, *text);
      c.reading(file);
      std::ifstream in(file, std::ios::binary);
      std::ostringstream content;
      if (in) content << in.rdbuf();
      if (!in) {
        c.error(it->second, path + ".secret_file: cannot read '" + *text + "' (looked for " + file +
                                "); create it with: openssl rand -base64 32 > " + file);
        ok = false;
      } else if (auto secret = decode_base64_secret(content.str()); !secret) {
        c.error(it->second, path + ".secret_file: " + file +
                                " does not hold a base64 secret; write one with: openssl rand -base64 32 > " + file);
        ok = false;
      } else if (secret->size() < kMinSecret) {
        c.error(it->second, path + ".secret_file: the secret in " + file + " is " + std::to_string(secret->size()) +
                                " octets; use at least 32 (openssl rand -base64 32 > " + file + ")");
        ok = false;
      } else {
        key.secret = std::move(*secret);
      }
    } else {
      ok = false;
    }
    if (ok) s.tsig_keys.push_back(std::move(key));
  }
}

void read_secondaries(ConfigChecker& c, const YAML::Node& n, TransferSettings& s) {
  if (!n.IsSequence()) {
    c.error(n, "secondaries: expected a list such as [{address: 192.0.2.53:53, tsig: xfr-key}], got " + describe(n));
    return;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    const YAML::Node item = n[i];
    const std::string path = "secondaries[" + std::to_string(i) + "]";
    if (!item.IsMap()) {
      c.error(item, path + ": expected a mapping with address: (and tsig:), got " + describe(item));
      continue;
    }
    auto keys = c.keys(item, path, kSecondaryKeys);
    Secondary sec;
    sec.line = c.line_of(item);
    bool ok = true;
    if (auto it = keys.find("address"); it == keys.end()) {
      c.error(item, path + ": missing 'address'; add where the secondary listens, e.g. \"address: 192.0.2.53:53\"");
      ok = false;
    } else if (auto text = c.string(it->second, path + ".address", "192.0.2.53:53")) {
      std::string err;
      auto a = ListenAddress::parse(*text, &err);
      // A bare address means the DNS port.
      if (!a) {
        if (auto ip = IpAddress::parse(*text)) {
          a = ListenAddress{};
          a->v6 = ip->v6;
          a->bytes = ip->bytes;
          a->port = 53;
        }
      }
      if (!a) {
        c.error(it->second, path + ".address: " + err);
        ok = false;
      } else {
        for (const Secondary& prev : s.secondaries)
          if (prev.address == *a) {
            c.error(it->second, path + ".address: " + a->to_string() + " is already a secondary (line " +
                                    std::to_string(prev.line) + "); list each secondary once");
            ok = false;
          }
        sec.address = *a;
      }
    } else {
      ok = false;
    }
    if (auto it = keys.find("tsig"); it != keys.end()) {
      if (auto k = key_ref(c, it->second, path + ".tsig", s))
        sec.tsig = *k;
      else
        ok = false;
    }
    if (ok) s.secondaries.push_back(std::move(sec));
  }
}

void read_allow_transfer(ConfigChecker& c, const YAML::Node& n, TransferSettings& s) {
  if (!n.IsSequence()) {
    c.error(n, "allow_transfer: expected a list of addresses, prefixes or key names, such as [192.0.2.0/24, xfr-key], "
               "got " + describe(n));
    return;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    const YAML::Node item = n[i];
    const std::string path = "allow_transfer[" + std::to_string(i) + "]";
    AclEntry e;
    e.where = c.file() + ":" + std::to_string(c.line_of(item));
    if (item.IsScalar() && !item.Scalar().empty()) {
      // An address or prefix, else the name of a key.
      const std::string& text = item.Scalar();
      std::string err;
      if (auto p = AddressPrefix::parse(text, &err)) {
        e.prefix = *p;
      } else if (IpAddress::parse(text.substr(0, text.find('/')))) {
        c.error(item, path + ": " + err);
        continue;
      } else if (auto name = zone::DnsName::from_text(text); name && s.find_key(*name)) {
        e.key = *name;
      } else {
        c.error(item, path + ": '" + text + "' is neither an address or prefix nor a key in tsig_keys; write "
                             "192.0.2.1, 192.0.2.0/24, a key name, or {address: 192.0.2.0/24, key: xfr-key}");
        continue;
      }
    } else if (item.IsMap()) {
      auto keys = c.keys(item, path, kAclKeys);
      bool ok = true;
      if (auto it = keys.find("address"); it != keys.end()) {
        if (auto text = c.string(it->second, path + ".address", "192.0.2.0/24")) {
          std::string err;
          if (auto p = AddressPrefix::parse(*text, &err))
            e.prefix = *p;
          else
            c.error(it->second, path + ".address: " + err), ok = false;
        } else {
          ok = false;
        }
      }
      if (auto it = keys.find("key"); it != keys.end()) {
        if (auto k = key_ref(c, it->second, path + ".key", s))
          e.key = *k;
        else
          ok = false;
      }
      if (keys.empty()) {
        c.error(item, path + ": give address:, key: or both, e.g. {address: 192.0.2.0/24, key: xfr-key}");
        ok = false;
      }
      if (!ok) continue;
    } else {
      c.error(item, path + ": expected an address, prefix, key name or {address:, key:}, got " + describe(item));
      continue;
    }
    s.acl.entries.push_back(std::move(e));
  }
}

void read_catalog(ConfigChecker& c, const YAML::Node& n, std::span<const zone::DnsName> served, TransferSettings& s) {
  if (!n.IsMap()) {
    c.error(n, "catalog: expected a mapping such as {zone: catalog.mailns.invalid}, got " + describe(n));
    return;
  }
  auto keys = c.keys(n, "catalog", kCatalogKeys);
  auto it = keys.find("zone");
  if (it == keys.end()) {
    c.error(n, "catalog: missing 'zone'; add the catalog zone's name, e.g. \"zone: catalog.mailns.invalid\"");
    return;
  }
  auto name = name_value(c, it->second, "catalog.zone", "catalog.mailns.invalid");
  if (!name) return;
  for (const zone::DnsName& z : served)
    if (z == *name || name->is_subdomain_of(z) || z.is_subdomain_of(*name)) {
      c.error(it->second, "catalog.zone: " + name->to_text() + (z == *name ? " is" : " overlaps") +
                              " a zone served here (" + z.to_text() +
                              "); give the catalog a name of its own, such as catalog.mailns.invalid");
      return;
    }
  s.catalog = CatalogSettings{*name};
}

}  // namespace

void read_transfer_settings(ConfigChecker& c, const std::map<std::string, YAML::Node>& top,
                            const std::string& config_path, std::span<const zone::DnsName> served,
                            TransferSettings& out) {
  if (auto it = top.find("tsig_keys"); it != top.end()) read_tsig_keys(c, it->second, config_path, out);
  if (auto it = top.find("secondaries"); it != top.end()) read_secondaries(c, it->second, out);
  if (auto it = top.find("allow_transfer"); it != top.end()) read_allow_transfer(c, it->second, out);
  if (auto it = top.find("ixfr_history"); it != top.end())
    if (auto v = c.integer(it->second, "ixfr_history", 0, kMaxIxfrHistory, " of versions"))
      out.ixfr_history = static_cast<unsigned>(*v);
  if (auto it = top.find("tsig_max_fudge"); it != top.end())
    if (auto v = c.integer(it->second, "tsig_max_fudge", 1, kMaxTsigFudge, " of seconds"))
      out.tsig_max_fudge = static_cast<uint16_t>(*v);
  if (auto it = top.find("catalog"); it != top.end()) read_catalog(c, it->second, served, out);
  // Secondaries may transfer from their own address, with their key when they have one.
  for (size_t i = 0; i < out.secondaries.size(); ++i) {
    const Secondary& sec = out.secondaries[i];
    AclEntry e;
    IpAddress ip;
    ip.v6 = sec.address.v6;
    ip.bytes = sec.address.bytes;
    e.prefix = AddressPrefix{ip, static_cast<uint8_t>(ip.v6 ? 128 : 32)};
    e.key = sec.tsig;
    e.where = c.file() + ":" + std::to_string(sec.line);
    out.acl.entries.push_back(std::move(e));
  }
}

}  // namespace mailns::server
