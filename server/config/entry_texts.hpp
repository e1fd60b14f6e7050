// EntryTexts: the configuration's own text for each served zone, taken while
// the file is parsed (once), for the reload's change detection
// (server/publish/zone_fingerprint). Each entry is written out from its parsed
// form (structure, scalars with their lengths and tags), so moving an entry,
// or editing another one, or a comment, does not change it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <string_view>

namespace mailns::server {

struct EntryTexts {
  std::string dnssec;         // the top-level dnssec: section ("~" without one)
  std::string reverse_zones;  // the whole reverse_zones: list
  // By entry_key() of the entry's origin/domain; an entry is absent when its
  // name is not a scalar (the configuration then has errors anyway).
  std::map<std::string, std::string, std::less<>> zones;         // zones: entries
  std::map<std::string, std::string, std::less<>> mail_domains;  // mail_domains: entries
  std::map<std::string, std::string, std::less<>> mail_hosts;    // each mail domain's mail_hosts: list
};

// Lower case with a final dot: the key of a zone in EntryTexts (the form
// DnsName::to_text() gives once lower-cased).
std::string entry_key(std::string_view name);

// Takes the texts from the configuration's root mapping; never throws.
EntryTexts read_entry_texts(const YAML::Node& root);

}  // namespace mailns::server
