#include "daemon/kafka/topic_plan.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace hearth::daemon::kafka {
namespace {

const TopicSpec& find(const std::vector<TopicSpec>& plan, const std::string& name) {
  for (const TopicSpec& topic : plan) {
    if (topic.name == name) return topic;
  }
  throw std::runtime_error("no topic " + name);
}

TEST(TopicPlan, CompactsTheLatestValueTopicsAndKeepsTheOthersForAWhile) {
  const auto plan = topicPlan("nnc.hearth.", 12, 3);
  ASSERT_EQ(plan.size(), 6u);
  for (const char* compacted : {"nnc.hearth.person.view", "nnc.hearth.indicator.values"}) {
    EXPECT_EQ(find(plan, compacted).config.at("cleanup.policy"), "compact") << compacted;
    EXPECT_FALSE(find(plan, compacted).config.contains("retention.ms")) << compacted;
  }
  EXPECT_EQ(find(plan, "nnc.hearth.rejects").config.at("retention.ms"), "2592000000");
  EXPECT_EQ(find(plan, "nnc.hearth.records").config.at("cleanup.policy"), "delete");
  EXPECT_EQ(find(plan, "nnc.hearth.identity").config.at("retention.ms"), "31536000000");
  for (const TopicSpec& topic : plan) {
    EXPECT_EQ(topic.partitions, 12);
    EXPECT_EQ(topic.replication_factor, 3);
    EXPECT_EQ(topic.config.at("min.insync.replicas"), "2") << topic.name;
  }
}

TEST(TopicPlan, AskNoMoreInSyncReplicasThanASmallClusterHas) {
  for (const TopicSpec& topic : topicPlan("hearth.", 1, 1)) {
    EXPECT_FALSE(topic.config.contains("min.insync.replicas")) << topic.name;
  }
}

}  // namespace
}  // namespace hearth::daemon::kafka
