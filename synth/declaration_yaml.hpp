// Reads `mail_domains:` and `reverse_zones:` YAML into declarations. Types,
// names, addresses and unknown keys are checked here (file:line errors);
// cross-field rules are the linter's. Relative file paths are resolved
// against base_dir (the configuration file's directory).
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "synth/declaration.hpp"
#include "synth/yaml_reader.hpp"

namespace mailns::synth {

// A key of a mail_domains entry that the caller reads itself (the server's
// per-domain `dnssec:` override): accepted here instead of rejected as
// unknown, and handed to `read` with the entry's domain once that is known
// (not called when the domain is missing or invalid: that is an error already).
struct ExtraKey {
  std::string name;
  std::function<void(const zone::DnsName& domain, const YAML::Node& value)> read;
};

std::vector<MailDomainDecl> read_mail_domains(const YAML::Node& list, YamlErrors& errors,
                                              const std::string& base_dir, std::span<const ExtraKey> extra = {});
std::vector<ReverseZoneDecl> read_reverse_zones(const YAML::Node& list, YamlErrors& errors);

}  // namespace mailns::synth
