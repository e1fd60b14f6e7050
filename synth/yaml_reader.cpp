#include "synth/yaml_reader.hpp"

#include <charconv>

namespace mailns::synth {

MapReader::MapReader(const YAML::Node& node, YamlErrors& errors, std::string context)
    : node_(node), errors_(errors), context_(std::move(context)) {
  if (!node_.IsMap()) {
    errors_.add(node_, context_ + " must be a mapping (key: value lines), not " +
                           (node_.IsSequence() ? "a list" : node_.IsScalar() ? "a single value" : "empty"));
    ok_ = false;
  }
}

bool MapReader::has(const std::string& key) const { return ok_ && node_[key].IsDefined() && !node_[key].IsNull(); }

YAML::Node MapReader::node(const std::string& key) {
  known_.insert(key);
  if (!ok_) return YAML::Node(YAML::NodeType::Undefined);
  return node_[key];
}

std::optional<std::string> MapReader::get_string(const std::string& key, bool required) {
  YAML::Node n = node(key);
  if (!ok_) return std::nullopt;
  if (!n.IsDefined() || n.IsNull()) {
    if (required) errors_.add(node_, context_ + ": missing required key '" + key + "'");
    return std::nullopt;
  }
  if (!n.IsScalar()) {
    errors_.add(n, context_ + "." + key + " must be a single value, not a list or mapping");
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<int64_t> MapReader::get_int(const std::string& key, int64_t min, int64_t max, bool required) {
  YAML::Node n = node(key);
  auto s = get_string(key, required);
  if (!s) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || p != s->data() + s->size()) {
    errors_.add(n, context_ + "." + key + ": '" + *s + "' is not a whole number; write e.g. " + std::to_string(min));
    return std::nullopt;
  }
  if (v < min || v > max) {
    errors_.add(n, context_ + "." + key + ": " + *s + " is out of range; use a value from " + std::to_string(min) +
                       " to " + std::to_string(max));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> MapReader::get_bool(const std::string& key) {
  YAML::Node n = node(key);
  auto s = get_string(key);
  if (!s) return std::nullopt;
  if (*s == "true" || *s == "yes" || *s == "on") return true;
  if (*s == "false" || *s == "no" || *s == "off") return false;
  errors_.add(n, context_ + "." + key + ": '" + *s + "' is not a boolean; write true or false");
  return std::nullopt;
}

std::optional<std::vector<std::string>> MapReader::get_string_list(const std::string& key) {
  YAML::Node n = node(key);
  if (!ok_ || !n.IsDefined() || n.IsNull()) return std::nullopt;
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) {
    errors_.add(n, context_ + "." + key + " must be a list like [a, b]");
    return std::nullopt;
  }
  for (const auto& item : n) {
    if (!item.IsScalar()) {
      errors_.add(item, context_ + "." + key + ": list items must be single values");
      continue;
    }
    out.push_back(item.Scalar());
  }
  return out;
}

std::optional<std::string> MapReader::get_enum(const std::string& key, const std::vector<std::string>& allowed) {
  YAML::Node n = node(key);
  auto s = get_string(key);
  if (!s) return std::nullopt;
  for (const auto& a : allowed)
    if (*s == a) return s;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  errors_.add(n, context_ + "." + key + ": '" + *s + "' is not allowed; write one of: " + list);
  return std::nullopt;
}

void MapReader::finish() {
  if (!ok_) return;
  for (const auto& kv : node_) {
    const std::string k = kv.first.Scalar();
    if (known_.count(k)) continue;
    std::string list;
    for (const auto& a : known_) list += (list.empty() ? "" : ", ") + a;
    errors_.add(kv.first, context_ + ": unknown key '" + k + "'; known keys here: " + list);
  }
}

}  // namespace mailns::synth
