#include "daemon/app/derive_settings.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pipelines/privacy/digest.hpp"

namespace hearth::daemon::app {
namespace {

// A file's size and modification time, or a mark that it is missing: reading every reference file
// through would cost what a restart with nothing new is meant to save.
void addFileStamp(pipelines::Sha256& sha, const std::filesystem::path& path) {
  sha.updateField(path.string());
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  const auto time = std::filesystem::last_write_time(path, ec);
  if (ec) {
    sha.updateField("missing");
    return;
  }
  sha.updateField(std::to_string(size));
  sha.updateField(std::to_string(time.time_since_epoch().count()));
}

}  // namespace

uint64_t deriveSettingsDigest(
    const config::Config& config,
    const std::map<std::string, pipelines::normalise::NormaliseContext>& contexts) {
  pipelines::Sha256 sha;
  {
    std::ifstream in(config.source, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    sha.updateField(text.str());
  }
  addFileStamp(sha, "/proc/self/exe");  // the build: its rules made what was derived
  const config::IndicatorsConfig& indicators = config.indicators;
  for (const auto* path : {&indicators.bank_holidays, &indicators.postcode_lookup,
                           &indicators.population_estimates, &indicators.gias_establishments}) {
    if (!path->empty()) addFileStamp(sha, *path);
  }
  for (const auto& path : indicators.ofsted_inspections) addFileStamp(sha, path);
  for (const auto& [connector, context] : contexts) {
    sha.updateField(connector);
    sha.updateField(pipelines::canonical::formatIsoDate(context.today));
  }
  // The derive stage's own date (person views' ages) is the UTC one.
  sha.updateField(pipelines::canonical::formatIsoDate(pipelines::canonical::todayUtc()));
  const pipelines::Sha256Digest digest = sha.finish();
  uint64_t value = 0;
  for (size_t i = 0; i < sizeof(value); ++i) value = value << 8 | digest[i];
  return value == 0 ? 1 : value;
}

}  // namespace hearth::daemon::app
