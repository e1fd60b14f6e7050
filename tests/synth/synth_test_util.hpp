// Helpers for synth tests: declarations from YAML text, zone text lookups.
#pragma once

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <string>
#include <vector>

#include "synth/declaration_yaml.hpp"
#include "synth/mail_zone_set.hpp"
#include "zone/rr_text.hpp"
#include "zone/zone_file.hpp"

namespace mailns::synth::test {

inline std::string conf_dir() { return MAILNS_SOURCE_DIR "/conf"; }

// Parses `mail_domains:` (and reverse_zones) from YAML text; key paths are
// relative to conf/ so the demo keys can be used.
struct Parsed {
  std::vector<MailDomainDecl> decls;
  std::vector<ReverseZoneDecl> reverse;
  std::vector<std::string> errors;
};

inline Parsed parse(const std::string& yaml, const std::string& base = conf_dir()) {
  Parsed p;
  YamlErrors errors("test.yaml");
  YAML::Node root = YAML::Load(yaml);
  p.decls = read_mail_domains(root["mail_domains"], errors, base);
  p.reverse = read_reverse_zones(root["reverse_zones"], errors);
  p.errors = errors.list();
  return p;
}

inline std::vector<std::string> record_lines(const SynthesizedZone& z) {
  std::vector<std::string> out;
  for (const auto& r : z.records) out.push_back(zone::record_to_text(r.owner, r.type, r.ttl, r.rdata));
  std::sort(out.begin(), out.end());
  return out;
}

inline bool has_message(const Diagnostics& d, const std::string& needle, Diagnostic::Severity sev) {
  for (const auto& x : d)
    if (x.severity == sev && x.str().find(needle) != std::string::npos) return true;
  return false;
}

inline std::string all_messages(const Diagnostics& d) {
  std::string s;
  for (const auto& x : d) s += x.str() + "\n";
  return s;
}

}  // namespace mailns::synth::test
