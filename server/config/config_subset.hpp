// config_subset: a copy of a Config that serves only some of its zones,
// for loading those zones again without copying (or parsing) the entries of
// all the others (`mailns reload ZONE`, and a reload's changed zones). Its
// server, DNSSEC, transfer and MTA-STS sections are the original's. A
// reverse zone needs every mail domain's hosts: when one is asked for, all
// mail domains stay (the caller keeps only the zones it asked for).
#pragma once

#include <span>
#include <vector>

#include "server/config/config.hpp"

namespace mailns::server {

// origins: the zones to keep; *missing (when given) gets those of them
// that config does not serve.
Config config_subset(const Config& config, std::span<const zone::DnsName> origins,
                     std::vector<zone::DnsName>* missing = nullptr);

}  // namespace mailns::server
