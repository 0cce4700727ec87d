#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "daemon/kafka/rdkafka_handles.hpp"

namespace hearth::daemon::kafka {
namespace {

constexpr std::string_view kPassword = "correct-horse-battery-staple";

TEST(KafkaProperties, AMisspeltPropertyNamesTheKeyButNeverTheValue) {
  const KafkaConf conf(rd_kafka_conf_new());
  const Result<void> set = setProperty(conf.get(), "sasl.pasword", std::string(kPassword));
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().code, "kafka.config");
  EXPECT_EQ(set.error().message,
            "Kafka property sasl.pasword refused: librdkafka has no such property");
}

TEST(KafkaProperties, ARefusedValueIsNeverEchoed) {
  const KafkaConf conf(rd_kafka_conf_new());
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"acks", std::string(kPassword)},
           {"security.protocol", std::string(kPassword)},
           {"linger.ms", std::string(kPassword)},
           {"enable.idempotence", std::string(kPassword)},
           {"linger.ms", "-123456"},
       }) {
    const Result<void> set = setProperty(conf.get(), name, value);
    ASSERT_FALSE(set.ok()) << name;
    EXPECT_EQ(set.error().message.find(value), std::string::npos) << set.error().message;
    EXPECT_NE(set.error().message.find(name), std::string::npos) << set.error().message;
  }
}

TEST(KafkaProperties, RefusedPropertiesAreCheckedOnAScratchConfiguration) {
  const auto refused = refusedProperties({{"linger.ms", "5"},
                                          {"sasl.pasword", std::string(kPassword)},
                                          {"security.protocol", "SASL_SSL"},
                                          {"compression.type", "zip"}});
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_EQ(refused[0].first, "compression.type");
  EXPECT_EQ(refused[1].first, "sasl.pasword");
  for (const auto& [name, error] : refused) {
    EXPECT_EQ(error.message.find(kPassword), std::string::npos);
    EXPECT_EQ(error.message.find("zip"), std::string::npos) << error.message;
  }
}

}  // namespace
}  // namespace hearth::daemon::kafka
