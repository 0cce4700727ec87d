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

  canonical::SharedName source_system;
  canonical::SharedName connector;
  std::mutex mutex;  // a normaliser may serve more than one thread
  std::vector<canonical::SharedName> streams;

  canonical::SharedName stream(std::string_view name) {
    std::lock_guard lock(mutex);
    for (const canonical::SharedName& known : streams) {
      if (known == name) return known;
    }
    canonical::SharedName made(name);
    if (streams.size() < kMaxStreams) streams.push_back(made);
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
  origin.source_system = names_->source_system;
  origin.connector = names_->connector;
  origin.stream = names_->stream(raw.stream);
  RecordReader reader(context_, *layout_, stream->fields, raw, out, std::move(origin));
  const size_t emitted = stream->normalise(reader);
  reader.reportUnmapped();
  return emitted;
}

}  // namespace hearth::pipelines::normalise
