#include "daemon/app/admin_client.hpp"

#include <curl/curl.h>

namespace hearth::daemon::app {
namespace {

size_t appendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

AdminReply adminRequest(const config::Config& config, const std::string& method,
                        const std::string& path, const std::string& body) {
  AdminReply reply;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    reply.error = "libcurl could not start";
    return reply;
  }
  const bool v6 = config.admin.bind.find(':') != std::string::npos;
  const std::string host = config.admin.bind == "0.0.0.0" ? "127.0.0.1"
                           : v6                           ? "[" + config.admin.bind + "]"
                                                          : config.admin.bind;
  const std::string url = "http://" + host + ":" + std::to_string(config.admin.port) + path;
  curl_slist* headers = nullptr;
  const std::string token = config.admin.token.reveal();
  if (!token.empty())
    headers = curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  } else if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  const CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    reply.error = std::string(curl_easy_strerror(rc)) + " (" + url + ")";
  } else {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return reply;
}

}  // namespace hearth::daemon::app
