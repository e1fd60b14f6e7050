#include "server/cli/cli_options.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "server/cli/commands.hpp"

namespace mailns::server {
namespace {

std::optional<CliOptions> parse(std::vector<std::string_view> args, bool listen, std::string* err) {
  return parse_cli_options(args, listen, err);
}

TEST(CliOptionsTest, ConfigAndRepeatedListen) {
  std::string err;
  auto o = parse({"-c", "a.yaml", "--listen", "127.0.0.1:1", "--listen=[::1]:2"}, true, &err);
  ASSERT_TRUE(o) << err;
  EXPECT_EQ(o->config, "a.yaml");
  EXPECT_EQ(o->listen, (std::vector<std::string>{"127.0.0.1:1", "[::1]:2"}));

  o = parse({"--config=b.yaml", "example.org"}, false, &err);
  ASSERT_TRUE(o) << err;
  EXPECT_EQ(o->config, "b.yaml");
  EXPECT_EQ(o->positional, std::vector<std::string>{"example.org"});
}

TEST(CliOptionsTest, BadUsage) {
  std::string err;
  EXPECT_FALSE(parse({}, true, &err));
  EXPECT_NE(err.find("missing -c FILE"), std::string::npos);
  EXPECT_FALSE(parse({"-c"}, true, &err));
  EXPECT_FALSE(parse({"-c", "a", "-c", "b"}, true, &err));
  EXPECT_FALSE(parse({"-c", "a", "--listen"}, true, &err));
  EXPECT_FALSE(parse({"-c", "a", "--listen", "127.0.0.1:1"}, false, &err));
  EXPECT_FALSE(parse({"-c", "a", "--bogus"}, true, &err));
  EXPECT_NE(err.find("unknown option '--bogus'"), std::string::npos);
  auto help = parse({"--help"}, true, &err);
  ASSERT_TRUE(help);
  EXPECT_TRUE(help->help);
}

TEST(CommandLineTest, ExitCodes) {
  auto run = [](std::vector<std::string_view> args) { return run_command_line(args); };
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  EXPECT_EQ(run({"--version"}), kExitOk);
  EXPECT_EQ(run({"--help"}), kExitOk);
  EXPECT_EQ(run({"help"}), kExitOk);
  EXPECT_EQ(run({}), kExitUsage);
  EXPECT_EQ(run({"frobnicate"}), kExitUsage);
  EXPECT_EQ(run({"serve"}), kExitUsage);
  EXPECT_EQ(run({"zone"}), kExitUsage);
  EXPECT_EQ(run({"zone", "export", "-c", "x.yaml"}), kExitUsage);  // no ORIGIN
  EXPECT_EQ(run({"check-config", "-c", "/nonexistent/mailns.yaml"}), kExitFailure);
  const std::string out = testing::internal::GetCapturedStdout();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("mailns 0."), std::string::npos);
  EXPECT_NE(err.find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_NE(err.find("/nonexistent/mailns.yaml:1: cannot open"), std::string::npos);
}

}  // namespace
}  // namespace mailns::server
