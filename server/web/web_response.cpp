#include "server/web/web_response.hpp"

namespace mailns::server {

WebResponse single_resource(std::string_view method, std::string_view target, std::string_view path,
                            std::string body, std::string content_type) {
  const bool head = method == "HEAD";
  if (method != "GET" && !head) return WebResponse{405, "only GET and HEAD are served\n", false};
  if (const size_t q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  if (target != path) return WebResponse{404, "not found\n", head};
  return WebResponse{200, std::move(body), head, std::move(content_type)};
}

}  // namespace mailns::server
