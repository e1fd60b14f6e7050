// WebResponse: what an HTTP endpoint's handler answers (server/web/http_endpoint).
#pragma once

#include <string>

namespace mailns::server {

struct WebResponse {
  unsigned status = 404;                    // 200, 404, 405 (Allow: GET, HEAD) or 503
  std::string body;                         // the document, or a one-line reason
  bool head = false;                        // HEAD: send the headers of `body` without it
  std::string content_type = "text/plain";
};

// GET and HEAD of target as the only resource: 200 with body, else 404/405.
// A query string is ignored (Prometheus may add none, but others do).
WebResponse single_resource(std::string_view method, std::string_view target, std::string_view path,
                            std::string body, std::string content_type);

}  // namespace mailns::server
