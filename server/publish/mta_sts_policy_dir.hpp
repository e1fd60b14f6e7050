// The MTA-STS policy for operators with their own web server: each mail
// domain whose declaration has `mta_sts: { policy_dir: DIR }` gets the
// policy its zone carries in a snapshot written to
// DIR/mta-sts.<domain>/.well-known/mta-sts.txt (atomically, mode 0644),
// only when the file differs. Called before that snapshot becomes current
// (SnapshotHolder::add_before_swap, and at start before DNS is served), so
// the policy is in place before the _mta-sts id that names it
// (RFC 8461 3.3). A file that cannot be written is logged as an error (the
// DNS publication goes on: never dark) and tried again at the next one.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "synth/declaration.hpp"
#include "zone/snapshot.hpp"

namespace mailns::server {

// Writes the policy files that differ; returns the files written.
std::vector<std::string> write_mta_sts_policy_dirs(std::span<const synth::MailDomainDecl> domains,
                                                   const zone::Snapshot& next);

}  // namespace mailns::server
