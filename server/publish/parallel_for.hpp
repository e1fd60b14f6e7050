// parallel_for: fn(i) for every i in [0, n) on up to `threads` threads (0 =
// the CPUs this process may run on), the calling thread among them. When no more threads
// can be started, the ones running do the rest.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <system_error>
#include <thread>
#include <vector>

#include "zone/usable_cpus.hpp"

namespace mailns::server {

template <typename F>
void parallel_for(size_t n, unsigned threads, F&& fn) {
  if (threads == 0) threads = zone::usable_cpus();
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(n, 1)));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
  };
  std::vector<std::thread> pool;
  try {
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  } catch (const std::system_error&) {  // no more threads: work on those we have
  }
  work();
  for (auto& t : pool) t.join();
}

}  // namespace mailns::server
