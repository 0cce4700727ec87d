#include "pipelines/normalise/normaliser.hpp"

#include <mutex>
#include <stdexcept>
#include <utility>

#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/record_reader.hpp"

namespace hearth::pipelines::normalise {

struct Normaliser::Names {
  // A source names a few dozen streams; past this many, a stream's records each get a copy.
  static constexpr size_t kMaxStreams = 256;

  std::string source_system;
  std::string connector;
  std::mutex mutex;                        // a normaliser may serve more than one thread
  std::vector<canonical::Origin> origins;  // one per stream met

  canonical::Origin origin(std::string_view stream) {
    std::lock_guard lock(mutex);
    for (const canonical::Origin& known : origins) {
      if (known.stream() == stream) return known;
    }
    canonical::Origin made(source_system, connector, stream);
    if (origins.size() < kMaxStreams) origins.push_back(made);
    return made;
  }
};

Normaliser::Normaliser(NormaliseContext context)
    : context_(std::move(context)),
      layout_(context_.mapped_layout ? context_.mapped_layout.get() : findLayout(context_.layout)),
      names_(std::make_shared<Names>()) {
  if (layout_ == nullptr) {
    throw std::invalid_argument("unknown source layout \"" + context_.layout + "\"");
  }
  names_->source_system = context_.source_system;
  names_->connector = context_.connector;
}

size_t Normaliser::normalise(const RawRecordView& raw, NormaliseOutput& out) const {
  const StreamLayout* stream = layout_->findStream(raw.stream);
  if (stream == nullptr) return 0;
  canonical::Provenance origin;
  origin.origin = names_->origin(raw.stream);
  RecordReader reader(context_, *layout_, stream->fields, raw, out, std::move(origin));
  const size_t emitted = stream->normalise(reader);
  reader.finish();
  return emitted;
}

}  // namespace hearth::pipelines::normalise
