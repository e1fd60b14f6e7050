// append_lines_durably: lines are appended whole; a new log gets its mode;
// a last line a crash cut short is cut off before the next lines, never
// glued to them nor ended into a line of its own.
#include <gtest/gtest.h>

#include <fstream>

#include "dnssec/atomic_file.hpp"
#include "test_util.hpp"

namespace mailns::dnssec {
namespace {

using test::mode_of;
using test::slurp;

TEST(AppendLines, CreatesWithItsModeThenAppends) {
  test::TempDir tmp;
  const std::string log = tmp.path() + "/index.log";
  ASSERT_TRUE(append_lines_durably(log, "a 1\n", 0640).ok());
  ASSERT_TRUE(append_lines_durably(log, "b 2\nc 3\n", 0600).ok());
  EXPECT_EQ(slurp(log), "a 1\nb 2\nc 3\n");
  EXPECT_EQ(mode_of(log), 0640u);
}

TEST(AppendLines, ALineCutShortByACrashIsCutOff) {
  test::TempDir tmp;
  const std::string log = tmp.path() + "/serials.log";
  ASSERT_TRUE(append_lines_durably(log, "a 1\n", 0600).ok());
  { std::ofstream(log, std::ios::app) << "b 20261"; }
  ASSERT_TRUE(append_lines_durably(log, "c 3\n", 0600).ok());
  EXPECT_EQ(slurp(log), "a 1\nc 3\n");
  // Nothing complete at all, and a cut line longer than one read back.
  const std::string other = tmp.path() + "/other.log";
  { std::ofstream(other) << std::string(10000, 'x'); }
  ASSERT_TRUE(append_lines_durably(other, "d 4\n", 0600).ok());
  EXPECT_EQ(slurp(other), "d 4\n");
}

TEST(AppendLines, AnUnwritableLogIsAnErrorNamingIt) {
  test::TempDir tmp;
  const std::string log = tmp.path() + "/missing/dir/x.log";
  auto st = append_lines_durably(log, "a 1\n", 0600);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find(log), std::string::npos);
}

}  // namespace
}  // namespace mailns::dnssec
