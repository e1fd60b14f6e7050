// Reads `mail_domains:` and `reverse_zones:` YAML into declarations. Types,
// names, addresses and unknown keys are checked here (file:line errors);
// cross-field rules are the linter's. Relative file paths are resolved
// against base_dir (the configuration file's directory).
#pragma once

#include <string>
#include <vector>

#include "synth/declaration.hpp"
#include "synth/yaml_reader.hpp"

namespace mailns::synth {

std::vector<MailDomainDecl> read_mail_domains(const YAML::Node& list, YamlErrors& errors,
                                              const std::string& base_dir);
std::vector<ReverseZoneDecl> read_reverse_zones(const YAML::Node& list, YamlErrors& errors);

}  // namespace mailns::synth
