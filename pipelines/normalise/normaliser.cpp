#include "pipelines/normalise/normaliser.hpp"

#include <stdexcept>
#include <utility>

#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/record_reader.hpp"

namespace hearth::pipelines::normalise {

Normaliser::Normaliser(NormaliseContext context)
    : context_(std::move(context)),
      layout_(context_.mapped_layout ? context_.mapped_layout.get() : findLayout(context_.layout)) {
  if (layout_ == nullptr) {
    throw std::invalid_argument("unknown source layout \"" + context_.layout + "\"");
  }
}

size_t Normaliser::normalise(const RawRecordView& raw, NormaliseOutput& out) const {
  const StreamLayout* stream = layout_->findStream(raw.stream);
  if (stream == nullptr) return 0;
  RecordReader reader(context_, *layout_, stream->fields, raw, out);
  const size_t emitted = stream->normalise(reader);
  reader.reportUnmapped();
  return emitted;
}

}  // namespace hearth::pipelines::normalise
