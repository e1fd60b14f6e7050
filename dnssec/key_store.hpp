// The on-disk key store: <key_dir>/<zone>/ holds one PEM file per key
// (PKCS#8, mode 0600, written atomically and never overwritten) and the
// state file "keys.state" (key_state.hpp), rewritten atomically. key_dir and
// the zone directories are created with mode 0700.
//
// keys.state is the manifest (issue 19): every change becomes visible by one
// atomic rename of it, after the key files it names are written and synced.
// load_or_create is the start-up entry point: the first start generates the
// keys the policy asks for, later starts load the same keys; files no
// keys.state names (a crash between a key file and the state) are adopted or
// moved aside first (key_recovery.hpp), so leftovers never keep a zone out.
// Anything named that does not read back cleanly (a missing, unreadable or
// corrupt key file, a key that does not match its state line, a corrupt
// state file) is an error for that zone, and nothing is written, so an
// operator can repair it; keys are never replaced behind their back.
#pragma once

#include <cstdint>
#include <string>

#include "dnssec/file_batch.hpp"
#include "dnssec/file_lock.hpp"
#include "dnssec/key_state.hpp"
#include "dnssec/result.hpp"
#include "dnssec/zone_signer.hpp"

namespace mailns::dnssec {

inline constexpr const char* kStateFileName = "keys.state";
// The lock file of earlier versions (the zone's directory is locked now):
// left where it is, never taken for a key file.
inline constexpr const char* kLockFileName = "keys.lock";
// How long a process waits for another one's read-modify-write of a zone's
// key state (each takes milliseconds).
inline constexpr std::chrono::milliseconds kKeyLockWait{30'000};

// Directory name for a zone inside key_dir: the lower-cased name without the
// trailing dot, octets other than [a-z0-9_-] written as %XX so that no name
// can climb out of key_dir ("." is "@root").
std::string zone_directory_name(const zone::DnsName& zone);

// With a batch slot, what it writes goes into the batch (file_batch.hpp):
// the keys are not durable, and must not sign anything served, until the
// batch is committed.
Result<ZoneKeys> load_or_create(const std::string& key_dir, const zone::DnsName& zone, const SigningPolicy& policy,
                                int64_t now, BatchSlot batch = {});

// Loads an existing store (error when there is none).
Result<ZoneKeys> load_keys(const std::string& key_dir, const zone::DnsName& zone);

// Persists keys: writes the PEM files of keys that have none on disk yet
// (never replacing a file; each synced, then its directory), then the state
// file (the manifest: one atomic rename). Call after advance() changed
// something. With a batch slot, the key files are the batch's first step and
// the state file its second, durable once the batch is committed.
Status save_keys(const ZoneKeys& keys, BatchSlot batch = {});

// Locks one zone's key state (flock on its directory, <key_dir>/<zone>) for a
// read-modify-write: load_or_create, or load_keys .. save_keys. Every writer
// takes it, the server and the CLI alike, so no change is lost between a
// load and a save. create: make key_dir and the zone's directory (0700) when
// missing (a first start); otherwise a missing directory is an error.
Result<FileLock> lock_zone_keys(const std::string& key_dir, const zone::DnsName& zone, bool create,
                                std::chrono::milliseconds wait = kKeyLockWait);

// Makes a key (new SigningKey + entry with a fresh file name, not yet saved);
// avoids key tags already used in the zone (RFC 4034 B.1 collisions).
Result<KeyEntry> new_key_entry(const ZoneKeys& keys, Algorithm algorithm, KeyRole role, int64_t now);

}  // namespace mailns::dnssec
