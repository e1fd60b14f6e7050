#include "server/config/mta_sts_server_config.hpp"

#include <algorithm>
#include <filesystem>

namespace mailns::server {

namespace {

constexpr const char* kSectionKeys[] = {"listen", "certificates"};
constexpr const char* kCertificateKeys[] = {"cert", "key"};

std::optional<ListenAddress> read_address(ConfigChecker& c, const YAML::Node& n, const std::string& path) {
  if (n.IsSequence()) {
    c.error(n, path + ": got a list; quote IPv6 addresses: \"[::1]:443\"");
    return std::nullopt;
  }
  auto text = c.string(n, path, "127.0.0.1:443");
  if (!text) return std::nullopt;
  std::string err;
  auto a = ListenAddress::parse(*text, &err);
  if (!a) c.error(n, path + ": " + err);
  return a;
}

// listen: one ADDR:PORT or a list of them, each once.
bool read_listen(ConfigChecker& c, const YAML::Node& n, std::vector<ListenAddress>& out) {
  const size_t errors = c.error_count();
  if (!n.IsSequence()) {
    if (auto a = read_address(c, n, "mta_sts_server.listen")) out.push_back(*a);
  } else if (n.size() == 0) {
    c.error(n, "mta_sts_server.listen: the list is empty; write an address such as 127.0.0.1:443");
  }
  for (size_t i = 0; n.IsSequence() && i < n.size(); ++i) {
    const std::string path = "mta_sts_server.listen[" + std::to_string(i) + "]";
    auto a = read_address(c, n[i], path);
    if (a && std::find(out.begin(), out.end(), *a) != out.end())
      c.error(n[i], path + ": " + a->to_string() + " is listed twice; remove one");
    else if (a)
      out.push_back(*a);
  }
  return c.error_count() == errors;
}

// A PEM file named by key `key` of an entry: resolved, and required to exist.
std::optional<std::string> existing_file(ConfigChecker& c, const std::map<std::string, YAML::Node>& keys,
                                         const YAML::Node& entry, const std::string& path, const char* key,
                                         const std::string& config_path) {
  auto it = keys.find(key);
  const std::string example = std::string("certs/mta-sts.") + (std::string(key) == "cert" ? "pem" : "key");
  if (it == keys.end()) {
    c.error(entry, path + ": missing '" + key + "'; add the PEM file, e.g. \"" + key + ": " + example + "\"");
    return std::nullopt;
  }
  auto text = c.string(it->second, path + "." + key, example);
  if (!text) return std::nullopt;
  const std::string file = resolve_config_path(config_path, *text);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    c.error(it->second, path + "." + key + ": '" + *text + "' is not a readable file (looked for " + file +
                            "); paths are relative to the config file's directory");
    return std::nullopt;
  }
  return file;
}

bool read_certificates(ConfigChecker& c, const YAML::Node& n, const std::string& config_path,
                       std::vector<CertificateFiles>& out) {
  if (!n.IsSequence() || n.size() == 0) {
    c.error(n, "mta_sts_server.certificates: expected a non-empty list such as [{cert: certs/mta-sts.pem, key: "
               "certs/mta-sts.key}], got " + describe(n));
    return false;
  }
  const size_t errors = c.error_count();
  for (size_t i = 0; i < n.size(); ++i) {
    const YAML::Node item = n[i];
    const std::string path = "mta_sts_server.certificates[" + std::to_string(i) + "]";
    if (!item.IsMap()) {
      c.error(item, path + ": expected a mapping with cert: and key:, got " + describe(item));
      continue;
    }
    auto keys = c.keys(item, path, kCertificateKeys);
    auto cert = existing_file(c, keys, item, path, "cert", config_path);
    auto key = existing_file(c, keys, item, path, "key", config_path);
    if (cert && key) out.push_back(CertificateFiles{*cert, *key, c.file() + ":" + std::to_string(c.line_of(item))});
  }
  return c.error_count() == errors;
}

}  // namespace

std::optional<MtaStsServerSettings> read_mta_sts_server(ConfigChecker& c, const YAML::Node& n,
                                                        const std::string& config_path) {
  if (!n.IsMap()) {
    c.error(n, "mta_sts_server: expected a mapping such as {listen: 127.0.0.1:443, certificates: [{cert: "
               "certs/mta-sts.pem, key: certs/mta-sts.key}]}, got " + describe(n));
    return std::nullopt;
  }
  auto keys = c.keys(n, "mta_sts_server", kSectionKeys);
  MtaStsServerSettings s;
  bool ok = true;
  if (auto it = keys.find("listen"); it == keys.end()) {
    c.error(n, "mta_sts_server: missing 'listen'; add where to serve HTTPS, e.g. \"listen: 0.0.0.0:443\"");
    ok = false;
  } else {
    ok = read_listen(c, it->second, s.listen) && ok;
  }
  if (auto it = keys.find("certificates"); it == keys.end()) {
    c.error(n, "mta_sts_server: missing 'certificates'; add [{cert: FILE, key: FILE}] covering mta-sts.<domain>");
    ok = false;
  } else {
    ok = read_certificates(c, it->second, config_path, s.certificates) && ok;
  }
  if (!ok) return std::nullopt;
  return s;
}

}  // namespace mailns::server
