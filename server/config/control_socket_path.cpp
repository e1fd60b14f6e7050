#include "server/config/control_socket_path.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>

#include "server/config/config_checker.hpp"

namespace mailns::server {

namespace {

// A line that starts a top-level key (or document marker): column 0, not a
// comment, not blank.
bool top_level(std::string_view line) {
  return !line.empty() && line[0] != ' ' && line[0] != '\t' && line[0] != '#' && line[0] != '\r';
}

// server.state_dir and server.control_socket of a parsed document (or block), leniently.
std::string socket_of(const YAML::Node& root, const std::string& config_path) {
  std::string state = "state", sock;
  if (root.IsMap() && root["server"] && root["server"].IsMap()) {
    const YAML::Node s = root["server"];
    if (s["state_dir"] && s["state_dir"].IsScalar()) state = s["state_dir"].Scalar();
    if (s["control_socket"] && s["control_socket"].IsScalar()) sock = s["control_socket"].Scalar();
  }
  if (!sock.empty()) return resolve_config_path(config_path, sock);
  return resolve_config_path(config_path, state) + "/mailns.sock";
}

}  // namespace

void ServerBlockReader::add_line(std::string_view line) {
  if (state_ == State::kAfter) return;
  if (state_ == State::kInside && top_level(line)) {
    state_ = State::kAfter;
    return;
  }
  if (state_ == State::kBefore) {
    if (line.substr(0, 7) != "server:") return;
    state_ = State::kInside;
  }
  text_.append(line);
  text_ += '\n';
}

std::optional<std::string> ServerBlockReader::block() const {
  // An alias may name an anchor outside the block: read the whole document.
  if (state_ == State::kBefore || text_.find('*') != std::string::npos) return std::nullopt;
  return text_;
}

std::string control_socket_path(const std::string& config_path) {
  ServerBlockReader reader;
  {
    std::ifstream in(config_path, std::ios::binary);
    std::string line;
    while (!reader.done() && std::getline(in, line)) reader.add_line(line);
  }
  try {
    if (auto block = reader.block()) {
      const YAML::Node root = YAML::Load(*block);
      if (root.IsMap() && root["server"]) return socket_of(root, config_path);
    }
  } catch (const YAML::Exception&) {
  }
  try {
    return socket_of(YAML::LoadFile(config_path), config_path);
  } catch (const YAML::Exception&) {
  }
  return socket_of(YAML::Node(), config_path);
}

}  // namespace mailns::server
