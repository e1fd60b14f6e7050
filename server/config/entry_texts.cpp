#include "server/config/entry_texts.hpp"

#include <algorithm>
#include <cctype>

namespace mailns::server {

namespace {

std::string dump(const YAML::Node& n) {
  if (!n) return "~";
  YAML::Emitter e;
  e << n;
  return e.c_str();
}

// Calls f(key, item) for every mapping item of list whose `field` is a scalar.
template <typename F>
void for_each_entry(const YAML::Node& list, const char* field, F f) {
  if (!list || !list.IsSequence()) return;
  for (const YAML::Node& item : list) {
    if (!item.IsMap() || !item[field] || !item[field].IsScalar()) continue;
    f(entry_key(item[field].Scalar()), item);
  }
}

}  // namespace

std::string entry_key(std::string_view name) {
  std::string k(name);
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (k.empty() || k.back() != '.') k += '.';
  return k;
}

EntryTexts read_entry_texts(const YAML::Node& root) {
  EntryTexts out;
  try {
    const YAML::Node empty;
    auto get = [&](const char* key) { return root && root.IsMap() && root[key] ? root[key] : empty; };
    out.dnssec = dump(get("dnssec"));
    out.reverse_zones = dump(get("reverse_zones"));
    for_each_entry(get("zones"), "origin", [&](std::string k, const YAML::Node& item) { out.zones[k] = dump(item); });
    for_each_entry(get("mail_domains"), "domain", [&](std::string k, const YAML::Node& item) {
      out.mail_domains[k] = dump(item);
      out.mail_hosts[k] = dump(item["mail_hosts"]);
    });
  } catch (const YAML::Exception&) {
    // Only a configuration that fails to parse gets here, and it is not used.
  }
  return out;
}

}  // namespace mailns::server
