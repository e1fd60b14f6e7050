// Opening the sockets a worker listens on: one UDP or TCP socket bound to a
// ListenAddress with SO_REUSEADDR and SO_REUSEPORT, so that every worker
// thread binds its own socket to the same address and the kernel spreads
// datagrams and connections over them. Plain file descriptors: the
// listeners hand them to Asio.
#pragma once

#include "server/net/listen_address.hpp"

namespace mailns::server {

enum class SocketKind { kUdp, kTcp };

// Returns a non-blocking, close-on-exec socket bound to addr (and listening,
// for TCP). IPv6 sockets are IPv6-only, so "[::]:53" and "0.0.0.0:53" can
// both be configured. UDP sockets on a wildcard address report each
// datagram's destination (IP_PKTINFO / IPV6_RECVPKTINFO) so that answers
// leave from the address the query went to. Throws std::system_error whose
// what() names the address and says what to do.
int open_listen_socket(const ListenAddress& addr, SocketKind kind);

}  // namespace mailns::server
