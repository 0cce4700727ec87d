#include "daemon/delivery/dead_letters.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <utility>

#include "daemon/log/logger.hpp"
#include "pipelines/common/json_writer.hpp"

namespace hearth::daemon::delivery {
namespace {

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "MSG_SIZE_TOO_LARGE" -> "kafka.msg_size_too_large": the reason code of the reject.
std::string reasonCode(std::string_view reason) {
  std::string code = "kafka.";
  for (const char c : reason) {
    if (c == '_' && code.back() == '.') continue;  // librdkafka's local errors start with '_'
    code.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return code;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string eventAttribute(std::string_view payload, std::string_view name) {
  // Inside a JSON string every quote is escaped, so `"name":"` only matches a key.
  const std::string needle = "\"" + std::string(name) + "\":\"";
  const size_t at = payload.find(needle);
  if (at == std::string_view::npos) return {};
  std::string value;
  for (size_t i = at + needle.size(); i < payload.size(); ++i) {
    const char c = payload[i];
    if (c == '"') return value;
    if (c != '\\') {
      value.push_back(c);
      continue;
    }
    if (++i >= payload.size()) break;
    switch (payload[i]) {
      case 'n':
        value.push_back('\n');
        break;
      case 't':
        value.push_back('\t');
        break;
      case 'r':
        value.push_back('\r');
        break;
      case 'u': {
        // Hearth escapes only control characters this way: one byte each.
        int code = 0;
        for (int k = 1; k <= 4 && i + k < payload.size(); ++k) {
          const int digit = hexValue(payload[i + k]);
          code = digit < 0 ? code : code * 16 + digit;
        }
        i += 4;
        value.push_back(code < 0x80 ? static_cast<char>(code) : '?');
        break;
      }
      default:
        value.push_back(payload[i]);  // \" \\ \/
    }
  }
  return {};  // unterminated: damaged, so nothing trustworthy
}

DeadLetters::DeadLetters(DeadLetterOptions options, CheckpointTracker& tracker,
                         pipelines::Pseudonymiser pseudonymiser)
    : options_(std::move(options)), tracker_(tracker), pseudonymiser_(std::move(pseudonymiser)) {
  worker_ = std::thread([this] { run(); });
}

DeadLetters::~DeadLetters() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void DeadLetters::addSource(uint32_t source, pipelines::SourceInfo info) {
  std::lock_guard lock(mutex_);
  sources_.insert_or_assign(source, std::move(info));
}

void DeadLetters::refused(kafka::RefusedEvent refused) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(refused));
    ++queued_;
  }
  changed_.notify_all();
}

void DeadLetters::flush() {
  std::unique_lock lock(mutex_);
  const uint64_t target = queued_;
  changed_.wait(lock, [&] { return handled_ >= target || stopping_; });
}

uint64_t DeadLetters::handled() const {
  std::lock_guard lock(mutex_);
  return handled_;
}

void DeadLetters::run() {
  for (;;) {
    kafka::RefusedEvent refused;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      // At shutdown, what is still queued stays unacknowledged: its checkpoint is not saved, so
      // the source is read again from before it at the next start.
      if (stopping_) return;
      refused = std::move(queue_.front());
      queue_.pop_front();
    }
    handle(refused);
    {
      std::lock_guard lock(mutex_);
      ++handled_;
    }
    changed_.notify_all();
  }
}

pipelines::RecordEventEncoder& DeadLetters::encoderFor(uint32_t source) {
  if (const auto it = encoders_.find(source); it != encoders_.end()) return it->second;
  pipelines::SourceInfo info{"hearthd", "hearthd", "", options_.origin};
  {
    std::lock_guard lock(mutex_);
    if (const auto it = sources_.find(source); it != sources_.end()) info = it->second;
  }
  return encoders_
      .try_emplace(source, std::move(info), pseudonymiser_, pipelines::FieldPolicy(), "1")
      .first->second;
}

void DeadLetters::handle(kafka::RefusedEvent& refused) {
  const kafka::OutboundEvent& event = refused.event;
  const std::string location = eventAttribute(event.payload, "location");
  const std::string stream = eventAttribute(event.payload, "subject");
  const bool to_file = event.topic == options_.rejects_topic;
  const std::string_view destination = to_file ? "file" : "rejects";
  // Where the source record is and why it went no further: never the contents or the key.
  log::Logger("delivery")
      .error("Kafka refused an event for good; kept as a dead letter",
             {{"topic", event.topic},
              {"stream", stream},
              {"location",
               location.empty() ? std::string_view("unknown") : std::string_view(location)},
              {"reason", refused.reason},
              {"bytes", event.payload.size()},
              {"destination", destination}});
  if (options_.count) options_.count(refused.reason, destination);

  if (to_file) {
    // Retried until it holds: acknowledging an event that is nowhere would lose it.
    while (!appendToFile(refused, location)) {
      std::unique_lock lock(mutex_);
      if (changed_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) return;
    }
    if (!refused.already_durable) tracker_.onAcked(event.source, event.seq);
    return;
  }

  // The reject takes the refused event's place in its source's sequence, so the checkpoint waits
  // for the reject to be durable; one for an event already acknowledged gets a number of its own.
  const std::string message = "Kafka refused the event for good (" + refused.reason +
                              "): " + std::to_string(event.payload.size()) + " bytes for " +
                              event.topic;
  const std::string code = reasonCode(refused.reason);
  const pipelines::RejectView reject{stream, event.key, code, message, location,
                                     {},     "reject",  {},   {}};
  encoderFor(event.source).encodeReject(reject, nowMs(), encoded_);
  kafka::OutboundEvent out{.topic = options_.rejects_topic,
                           .key = std::move(encoded_.key),
                           .payload = std::move(encoded_.payload),
                           .source = event.source,
                           .seq = event.seq};
  if (refused.already_durable) {
    out.source = options_.own_source;
    out.seq = tracker_.onEmitted(options_.own_source);
  }
  options_.publish(out);
}

bool DeadLetters::appendToFile(const kafka::RefusedEvent& refused, std::string_view location) {
  std::string line = "{\"at_ms\":";
  pipelines::appendJsonInt(line, nowMs());
  line.append(",\"topic\":");
  pipelines::appendJsonString(line, refused.event.topic);
  line.append(",\"reason\":");
  pipelines::appendJsonString(line, refused.reason);
  line.append(",\"location\":");
  pipelines::appendJsonString(line, location);
  line.append(",\"key\":");
  pipelines::appendJsonStringLossy(line, refused.event.key);
  line.append(",\"payload\":");
  pipelines::appendJsonStringLossy(line, refused.event.payload);
  line.append("}\n");

  const int fd = ::open(options_.file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = true;
  for (size_t written = 0; ok && written < line.size();) {
    const ssize_t n = ::write(fd, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  ok = ok && ::fdatasync(fd) == 0;
  ::close(fd);
  if (!ok) {
    log::Logger("delivery")
        .error("cannot write the dead-letter file; retrying", {{"path", options_.file.string()}});
  }
  return ok;
}

}  // namespace hearth::daemon::delivery
