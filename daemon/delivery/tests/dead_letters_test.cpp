#include "daemon/delivery/dead_letters.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

namespace hearth::daemon::delivery {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kSource = 3;
constexpr uint32_t kOwnSource = 9;

// A record event as the connectors publish it, cut down to what the dead-letter path reads.
std::string recordPayload(std::string_view location, size_t padding) {
  return R"({"specversion":"1.0","id":"e1","source":"/hearth/connectors/bulk",)"
         R"("subject":"referrals","data":{"stream":"referrals","location":")" +
         std::string(location) + R"(","fields":{"notes":")" + std::string(padding, 'x') + "\"}}}";
}

class DeadLettersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("hearth_dead_letters_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    letters_ = std::make_unique<DeadLetters>(
        DeadLetterOptions{.rejects_topic = "hearth.rejects",
                          .file = dir_ / "dead-letters.jsonl",
                          .publish =
                              [this](const kafka::OutboundEvent& event) {
                                std::lock_guard lock(mutex_);
                                published_.push_back(event);
                                return true;
                              },
                          .count =
                              [this](std::string_view reason, std::string_view destination) {
                                std::lock_guard lock(mutex_);
                                ++counts_[std::string(reason) + "/" + std::string(destination)];
                              },
                          .own_source = kOwnSource},
        tracker_, pipelines::Pseudonymiser("a-dead-letter-test-key-of-32-characters!!", "t1"));
    letters_->addSource(kSource, {"bulk", "csv", "1.0.0"});
  }
  void TearDown() override {
    letters_.reset();
    fs::remove_all(dir_);
  }

  fs::path dir_;
  CheckpointTracker tracker_;
  std::unique_ptr<DeadLetters> letters_;
  std::mutex mutex_;
  std::vector<kafka::OutboundEvent> published_;
  std::map<std::string, int> counts_;
};

TEST_F(DeadLettersTest, ARefusedRecordBecomesALocatedRejectInItsPlaceForTheCheckpoint) {
  const uint64_t seq = tracker_.onEmitted(kSource);
  tracker_.onCheckpoint(kSource, "after-row-12");
  letters_->refused(
      kafka::RefusedEvent{.event = {.topic = "hearth.records",
                                    .key = "v1.pseudonym",
                                    .payload = recordPayload("referrals.csv:12", 2000),
                                    .source = kSource,
                                    .seq = seq},
                          .reason = "MSG_SIZE_TOO_LARGE"});
  letters_->flush();

  ASSERT_EQ(published_.size(), 1u);
  const kafka::OutboundEvent& reject = published_[0];
  EXPECT_EQ(reject.topic, "hearth.rejects");
  EXPECT_EQ(reject.source, kSource);
  EXPECT_EQ(reject.seq, seq);
  EXPECT_EQ(eventAttribute(reject.payload, "reason"), "kafka.msg_size_too_large");
  EXPECT_EQ(eventAttribute(reject.payload, "location"), "referrals.csv:12");
  EXPECT_EQ(eventAttribute(reject.payload, "stream"), "referrals");
  EXPECT_EQ(reject.payload.find("xxxx"), std::string::npos) << "the refused contents were copied";
  EXPECT_EQ(counts_["MSG_SIZE_TOO_LARGE/rejects"], 1);

  // The checkpoint waits for the reject, then moves on.
  EXPECT_EQ(tracker_.takeCommittable(kSource), std::nullopt);
  tracker_.onAcked(reject.source, reject.seq);
  EXPECT_EQ(tracker_.takeCommittable(kSource), "after-row-12");
}

TEST_F(DeadLettersTest, ARefusedRejectIsWrittenToTheOwnerOnlyFileAndAcknowledged) {
  const uint64_t seq = tracker_.onEmitted(kSource);
  tracker_.onCheckpoint(kSource, "after-row-3");
  letters_->refused(kafka::RefusedEvent{.event = {.topic = "hearth.rejects",
                                                  .key = "R-3",
                                                  .payload = recordPayload("referrals.csv:3", 10),
                                                  .source = kSource,
                                                  .seq = seq},
                                        .reason = "TOPIC_AUTHORIZATION_FAILED"});
  letters_->flush();

  EXPECT_TRUE(published_.empty());
  EXPECT_EQ(tracker_.takeCommittable(kSource), "after-row-3");
  const fs::path file = dir_ / "dead-letters.jsonl";
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  std::ifstream in(file);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_NE(line.find(R"("topic":"hearth.rejects","reason":"TOPIC_AUTHORIZATION_FAILED",)"
                      R"("location":"referrals.csv:3","key":"R-3")"),
            std::string::npos)
      << line;
  EXPECT_FALSE(std::getline(in, line)) << "one line per refused event";
  EXPECT_EQ(counts_["TOPIC_AUTHORIZATION_FAILED/file"], 1);
}

TEST_F(DeadLettersTest, AnEventRefusedFromTheSpoolIsNotAcknowledgedTwice) {
  // Spooled events were acknowledged when they reached the disk: the reject gets its own number.
  letters_->refused(kafka::RefusedEvent{
      .event = {.topic = "hearth.records", .key = "k", .payload = recordPayload("a.csv:2", 1)},
      .reason = "MSG_SIZE_TOO_LARGE",
      .already_durable = true});
  letters_->flush();
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0].source, kOwnSource);
  EXPECT_EQ(tracker_.outstanding(kOwnSource), 1u);
  EXPECT_EQ(tracker_.outstanding(kSource), 0u);
}

TEST(EventAttribute, ReadsTheFirstKeyAndUnescapesItsValue) {
  EXPECT_EQ(eventAttribute(R"({"location":"a \"b\".csv:4","x":"\"location\":\"no\""})", "location"),
            "a \"b\".csv:4");
  EXPECT_EQ(eventAttribute(R"({"subject":"tab\there"})", "subject"), "tab\there");
  EXPECT_EQ(eventAttribute(R"({"other":"x"})", "location"), "");
  EXPECT_EQ(eventAttribute(R"({"location":"unterminated)", "location"), "");
}

}  // namespace
}  // namespace hearth::daemon::delivery
