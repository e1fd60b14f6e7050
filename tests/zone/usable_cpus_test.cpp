// zone/usable_cpus: the affinity mask, not the machine's CPU count.
#include "zone/usable_cpus.hpp"

#include <gtest/gtest.h>
#include <sched.h>

#include <thread>

namespace mailns::zone {
namespace {

TEST(UsableCpus, APinnedThreadCountsOneCpu) {
  EXPECT_GE(usable_cpus(), 1u);
  EXPECT_LE(usable_cpus(), std::max(1u, std::thread::hardware_concurrency()));
  unsigned pinned = 0;
  std::thread t([&] {  // affinity is per thread: pin this one only
    cpu_set_t one;
    CPU_ZERO(&one);
    cpu_set_t all;
    ASSERT_EQ(::sched_getaffinity(0, sizeof all, &all), 0);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
      if (CPU_ISSET(cpu, &all)) {
        CPU_SET(cpu, &one);
        break;
      }
    ASSERT_EQ(::sched_setaffinity(0, sizeof one, &one), 0);
    pinned = usable_cpus();
  });
  t.join();
  EXPECT_EQ(pinned, 1u);
}

}  // namespace
}  // namespace mailns::zone
