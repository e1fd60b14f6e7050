// What a crash leaves directly in state_dir (issue 19): the files there
// (serials, catalog) are each their own manifest, replaced by one atomic
// rename, so the only leftovers are the temporary files of interrupted
// writes (".serials.tmp.XXXXXX"). The start moves them into
// <state_dir>/orphans/ (never loaded, never deleted); check-config names
// them first. The key store and the zone archive have their own manifests
// (dnssec/key_recovery, zone_archive).
#pragma once

#include <string>
#include <vector>

namespace mailns::server {

// The leftovers in state_dir, with their paths.
std::vector<std::string> state_dir_leftovers(const std::string& state_dir);

// Moves them aside; one log message per file.
std::vector<std::string> tidy_state_dir(const std::string& state_dir);

}  // namespace mailns::server
