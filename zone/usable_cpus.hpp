// How many CPUs this process may run on: its affinity mask (taskset, a
// cpuset, a container's limit), at least 1. std::thread::
// hardware_concurrency counts every CPU of the machine, so a server pinned
// to one core would start as many loading and signing threads as the
// machine has cores, all taking turns on that one.
#pragma once

namespace mailns::zone {

unsigned usable_cpus() noexcept;

}  // namespace mailns::zone
