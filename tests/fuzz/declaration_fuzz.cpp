// libFuzzer target over the mail declaration: YAML text -> mail_domains
// declarations (synth/declaration_yaml) -> records (synthesize_mail_domain)
// -> the lint, and each synthesized zone built as it would be served. Any
// text must end in errors or zones, never a crash.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "synth/declaration_yaml.hpp"
#include "synth/lint.hpp"
#include "synth/mail_records.hpp"
#include "zone/zone.hpp"

using namespace mailns;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 8192) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception&) {
    return 0;  // not YAML: config/ reports it with its line
  }
  try {
    synth::YamlErrors errors("fuzz.yaml");
    // key: files are looked up in a directory without any, so they fail cleanly.
    const auto decls = synth::read_mail_domains(root.IsMap() && root["mail_domains"] ? root["mail_domains"] : root,
                                                errors, "/nonexistent-mailns-fuzz");
    std::vector<synth::SynthesizedZone> zones;
    synth::Diagnostics diags;
    for (const auto& d : decls) zones.push_back(synth::synthesize_mail_domain(d, synth::SynthOptions{1, 1'800'000'000}, diags));
    synth::lint_mail_domains(decls, zones, diags, 1'800'000'000);
    for (auto& z : zones) {
      zone::ZoneBuilder b(z.origin);
      for (auto& r : z.records) b.add(std::move(r));
      (void)b.build();
    }
  } catch (const YAML::Exception&) {
    // yaml-cpp throws on conversions the reader did not guard; config/ does
    // the same at its one catch. Anything else escapes and is a finding.
  }
  return 0;
}
