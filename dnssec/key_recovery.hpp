// Crash recovery of one zone's key store. keys.state is the manifest: a key
// exists once keys.state names it, and keys.state is replaced by one atomic
// rename after every key file it names was written and synced (save_keys).
// Anything else in the zone's key directory is an unfinished change left by
// a crash: a key file written just before the state that would have named
// it, or the temporary file of an interrupted write. plan_key_recovery
// decides, without writing anything, what a start does with each leftover,
// so that check-config can report exactly what serve will do:
//   - adopt: a key file that parses, is mode 0600 and whose name matches
//     the key it holds, and that the interrupted change needed:
//       no keys.state (first creation interrupted): the zone's first key of
//         its role, active at once as first creation makes it (nothing was
//         ever published, so no cache holds anything to wait for); first
//         creation writes one file per role, so when several could serve
//         (not a crash's doing: a lost keys.state) the first by name is
//         adopted and the others are moved aside, kept for the operator;
//       with keys.state: the new key of a rollover that was due (requested
//         or lifetime reached) and not started yet, adopted as "published"
//         from now, so it signs only after its pre-publication interval
//         (RFC 7583), as if the rollover had started now;
//   - move aside: everything else, into <key_dir>/@orphans/<zone>/ (never
//     deleted: it may be key material), with a warning. "@" never occurs in
//     a zone's directory name (zone_directory_name), so no zone can collide.
// A zone's first keys that no leftover provides are created as on a first
// start (KeyRecovery::to_create).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dnssec/key_state.hpp"
#include "dnssec/result.hpp"
#include "dnssec/zone_signer.hpp"

namespace mailns::dnssec {

inline constexpr const char* kOrphanDirName = "@orphans";

enum class LeftoverAction : uint8_t { kAdopt, kMoveAside };

struct Leftover {
  std::string file;  // name inside the zone's key directory
  LeftoverAction action = LeftoverAction::kMoveAside;
  std::string why;                // kMoveAside: the reason
  std::optional<KeyEntry> entry;  // kAdopt: the key as keys.state will name it
};

struct KeyRecovery {
  std::string dir;         // the zone's key directory
  std::string orphan_dir;  // <key_dir>/@orphans/<zone>
  bool has_state = false;  // keys.state exists
  std::vector<Leftover> leftovers;
  std::vector<KeyRole> to_create;  // without keys.state: first keys no leftover provides

  bool nothing_to_do() const noexcept { return leftovers.empty(); }
  // One line per decision, prefixed with the zone: "adopted ..." / "moved
  // aside ..." once done, "the next start adopts ..." / "... moves ... aside"
  // before (check-config).
  std::vector<std::string> messages(const zone::DnsName& zone, bool done) const;
};

// <key_dir>/@orphans/<zone directory name>
std::string orphan_directory(const std::string& key_dir, const zone::DnsName& zone);

// Reads the zone's key directory (<key_dir>/<zone>) and decides what to do
// with every file that `state` (the loaded keys.state, or nullptr when there
// is none) does not name. Writes nothing. An error only when the directory
// cannot be read.
Result<KeyRecovery> plan_key_recovery(const std::string& key_dir, const zone::DnsName& zone, const ZoneKeys* state,
                                      const SigningPolicy& policy, int64_t now);

// Carries the plan out on the disk and in `keys`: moves every kMoveAside
// leftover into the orphan directory (0700; a name already there gets a
// numeric suffix; both directories synced) and appends the adopted entries
// to keys.keys (clearing the rollover request an adopted key fulfils). The
// caller then saves keys.state (save_keys), which makes the adoption durable;
// a crash before that leaves the same leftovers to the next start.
Status apply_key_recovery(const KeyRecovery& plan, ZoneKeys& keys);

}  // namespace mailns::dnssec
