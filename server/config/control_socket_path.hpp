// control_socket_path: where the running server's control socket is, for
// the commands that talk to it (`mailns reload`, `mailns status`). Only the
// configuration's `server:` section is read (the lines from "server:" in
// column 0 to the next top-level key), so that a configuration of 100,000
// zones costs the client nothing; a document where that section cannot be
// taken apart (flow style, aliases) is read whole, leniently. Also works
// when the configuration has errors (server.state_dir / server.control_socket
// read leniently, or the defaults).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mailns::server {

std::string control_socket_path(const std::string& config_path);

// The text of the top-level `server:` block of the lines read so far
// (exposed for tests): feed each line (without its newline) until done()
// says the block ended.
class ServerBlockReader {
 public:
  void add_line(std::string_view line);
  bool done() const noexcept { return state_ == State::kAfter; }
  // The block, when one was found and it uses no alias; nullopt otherwise.
  std::optional<std::string> block() const;

 private:
  enum class State { kBefore, kInside, kAfter };
  State state_ = State::kBefore;
  std::string text_;
};

}  // namespace mailns::server
