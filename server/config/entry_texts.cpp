#include "server/config/entry_texts.hpp"

#include <algorithm>
#include <cctype>

namespace mailns::server {

namespace {

// A canonical text of a node: its structure and scalars, each scalar with
// its length and tag, so that no two different nodes give the same text. A
// fraction of what yaml-cpp's emitter costs (a reload of 10,000 entries
// spent 0.15 s emitting them).
void dump_into(const YAML::Node& n, std::string& out) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      out += 's';
      out += std::to_string(n.Scalar().size());
      out += ':';
      out += n.Scalar();
      if (n.Tag() != "?" && n.Tag() != "!") out += "!" + n.Tag() + ";";
      return;
    case YAML::NodeType::Sequence:
      out += '[';
      for (const YAML::Node& item : n) dump_into(item, out);
      out += ']';
      return;
    case YAML::NodeType::Map:
      out += '{';
      for (const auto& kv : n) {
        dump_into(kv.first, out);
        dump_into(kv.second, out);
      }
      out += '}';
      return;
    default:
      out += '~';
  }
}

std::string dump(const YAML::Node& n) {
  if (!n) return "~";
  std::string out;
  dump_into(n, out);
  return out;
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
