// Whether another process already serves a listen address. The workers bind
// each address with SO_REUSEPORT, which would also let a second mailns (or
// anything else with the option) bind it without an error and split the
// queries with it, possibly from another zone version. So before binding,
// a probe socket without SO_REUSEPORT is bound to the address (UDP, then TCP)
// and closed: it fails exactly when a socket is bound there already. The
// owner's pid is looked up in /proc (socket inode -> /proc/PID/fd) where
// that is permitted.
#pragma once

#include <sys/types.h>

#include <string>

#include "server/net/listen_address.hpp"

namespace mailns::server {

// Empty when nothing else is bound to addr; otherwise
// "127.0.0.1:5300 is already served by another process (pid N)" (the pid
// when known), or why the address cannot be probed.
// udp: probe UDP as well as TCP (the DNS listeners; the HTTP ones are TCP).
std::string served_by_another(const ListenAddress& addr, bool udp = true);

// The pid of a process with a UDP or TCP socket bound to addr (the same
// port, and the same address or a wildcard of the same family), from
// /proc/net/{udp,tcp}{,6} and /proc/PID/fd; 0 when none is found or
// /proc cannot be read.
pid_t pid_serving(const ListenAddress& addr);

}  // namespace mailns::server
