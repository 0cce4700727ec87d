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

  // A stream met: its origin, and its layout (none: the layout does not cover it), found once.
  struct Stream {
    canonical::Origin origin;
    const StreamLayout* layout = nullptr;
  };

  std::string source_system;
  std::string connector;
  std::mutex mutex;             // a normaliser may serve more than one thread
  std::vector<Stream> streams;  // one per stream met

  Stream of(std::string_view stream, const Layout& layout) {
    std::lock_guard lock(mutex);
    for (const Stream& known : streams) {
      if (known.origin.stream() == stream) return known;
    }
    Stream made{canonical::Origin(source_system, connector, stream), layout.findStream(stream)};
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
  Names::Stream stream = names_->of(raw.stream, *layout_);
  if (stream.layout == nullptr) return 0;
  canonical::Provenance origin;
  origin.origin = std::move(stream.origin);
  RecordReader reader(context_, *layout_, stream.layout->fields, raw, out, std::move(origin));
  const size_t emitted = stream.layout->normalise(reader);
  reader.finish();
  return emitted;
}

}  // namespace hearth::pipelines::normalise
