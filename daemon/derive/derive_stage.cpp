#include "daemon/derive/derive_stage.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cstring>
#include <deque>
#include <future>
#include <map>
#include <numeric>
#include <set>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "daemon/derive/held_key.hpp"
#include "daemon/derive/person_view.hpp"
#include "daemon/derive/steps.hpp"
#include "daemon/log/logger.hpp"
#include "pipelines/canonical/packed_records.hpp"
#include "pipelines/common/json_writer.hpp"
#include "pipelines/common/parallel_sort.hpp"
#include "pipelines/common/text_arena.hpp"
#include "pipelines/events/canonical_event.hpp"
#include "pipelines/events/event_id.hpp"
#include "pipelines/events/key_hash_map.hpp"
#include "pipelines/events/record_event.hpp"
#include "pipelines/indicators/output.hpp"
#include "pipelines/privacy/digest.hpp"

namespace hearth::daemon::derive {
namespace {

namespace canonical = pipelines::canonical;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kIdentityEventType = "uk.gov.hearth.identity.v1";
constexpr std::string_view kPersonViewEventType = "uk.gov.hearth.person.view.v1";

// A source record's canonical records, with the pseudonymous evidence id of each (what facts
// cite: it names the record without revealing its source key), in one block: the indicator
// engine files both without a copy. The held table owns the block; one replaced or withdrawn
// is retired, and kept until the engine has let go of what it filed from it. The records are
// packed, each at its own size (as Records, a whole council's would take 300 MB more), and their
// evidence ids follow them in the same allocation (appendEvidenceId). A whole council's source
// records are millions, each such a block. The ids, as `records.extra()`:
// - of one record, its id;
// - of more, all about one subject (a pupil's row gives a person, an enrolment and attendance):
//   kOneSubject, the first record's id, then a '.' for each record after it. Record i's id is
//   the first's with i dots after it: the ids of one subject's records differ in their hash, or
//   else in their length, and the pseudonym is written once, not once a record;
// - of more, about several subjects: kSubjects, then each record's id, all of one length (the
//   subjects' pseudonyms, '#', a hash).
constexpr char kOneSubject = '=';
constexpr char kSubjects = '|';
struct HeldRecords {
  canonical::PackedRecords records;  // none: a source record withdrawn (or a wake-up)

  bool empty() const { return records.empty(); }

  std::string_view evidenceOf(size_t i) const {
    std::string_view evidence = records.extra();
    const size_t count = records.size();
    if (count == 1) return evidence;
    const char form = evidence.front();
    evidence.remove_prefix(1);
    if (form == kOneSubject) return evidence.substr(0, evidence.size() - (count - 1) + i);
    const size_t length = evidence.size() / count;
    return evidence.substr(i * length, length);
  }
};

// The streams of the source records held, each as "<connector>\x1f<stream>\x1f", numbered as
// they are first met: a held record's key names its stream by that number, where the whole text
// in each of a council's millions of keys cost more than the key's own part.
class StreamNames {
 public:
  /// The number of the stream, given one if it is new. Connector threads call it at once.
  uint32_t intern(std::string_view connector, std::string_view stream) {
    std::lock_guard lock(mutex_);
    text_.assign(connector).push_back('\x1f');
    text_.append(stream).push_back('\x1f');
    const auto [it, inserted] = numbers_.try_emplace(text_, static_cast<uint32_t>(names_.size()));
    if (inserted) names_.push_back(text_);
    return it->second;
  }
  /// The names from number `known` on, for a reader that holds the earlier ones already.
  std::vector<std::string> since(size_t known) const {
    std::lock_guard lock(mutex_);
    return known < names_.size() ? std::vector<std::string>(names_.begin() + known, names_.end())
                                 : std::vector<std::string>();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t> numbers_;
  std::string text_;  // reused
};

struct Held {
  HeldRecords block;     // no records: removed since the table was last settled
  bool changed = false;  // applied since the last evaluation
  bool holds() const { return !block.empty(); }
};

// The source records held, by key, in key order: in one sorted array, where a map's node would
// cost each of a council's million 40 bytes more and an allocation. What arrives between two
// evaluations waits in a small map of its own, and a removed key stays as an empty slot, until
// settle() takes both into the array. Knows the streams' names (learnNames) to order its keys.
class HeldTable {
 public:
  using Entry = std::pair<HeldKey, Held>;

  HeldTable() : added_(KeyLess{&names_}) {}
  HeldTable(const HeldTable&) = delete;
  HeldTable& operator=(const HeldTable&) = delete;

  /// Takes the names of streams met since the last call (StreamNames::since(names().size())).
  void learnNames(std::vector<std::string> more) {
    for (std::string& name : more) names_.push_back(std::move(name));
  }
  const std::vector<std::string>& names() const { return names_; }

  bool empty() const { return sorted_.size() == removed_ && added_.empty(); }
  /// Entries once settled (an upper bound before).
  size_t size() const { return sorted_.size() + added_.size(); }
  void reserve(size_t entries) { sorted_.reserve(entries); }
  /// Into a table that holds nothing yet, keys in ascending order, each once.
  Held& append(HeldKey key) { return sorted_.emplace_back(std::move(key), Held{}).second; }
  /// The entry of `key`, or null.
  Held* find(const HeldKey& key) {
    if (const auto it = lowerBound(key); it != sorted_.end() && it->first == key) {
      return it->second.holds() ? &it->second : nullptr;
    }
    const auto it = added_.find(key);
    return it != added_.end() ? &it->second : nullptr;
  }
  /// The entry of `key`, made (with no block) if there is none.
  Held& operator[](const HeldKey& key) {
    if (const auto it = lowerBound(key); it != sorted_.end() && it->first == key) {
      if (!it->second.holds()) --removed_;  // its block is about to be given
      return it->second;
    }
    return added_.try_emplace(key).first->second;
  }
  /// Removes the entry of `key`; its block, if it had one, is returned.
  HeldRecords erase(const HeldKey& key) {
    if (const auto it = lowerBound(key); it != sorted_.end() && it->first == key) {
      if (it->second.holds()) ++removed_;
      return std::exchange(it->second, Held{}).block;
    }
    HeldRecords block;
    if (const auto it = added_.find(key); it != added_.end()) {
      block = std::move(it->second.block);
      added_.erase(it);
    }
    return block;
  }
  /// Takes what arrived into the array, in order, and drops the empty slots: call before
  /// iterating.
  void settle() {
    if (added_.empty() && removed_ == 0) return;
    std::vector<Entry> merged;
    merged.reserve(sorted_.size() - removed_ + added_.size());
    auto arrived = added_.begin();
    auto takeArrivedBefore = [&](const HeldKey* key) {
      while (arrived != added_.end() &&
             (key == nullptr || compareHeldKeys(names_, arrived->first, *key) < 0)) {
        merged.emplace_back(arrived->first, std::move(arrived->second));
        ++arrived;
      }
    };
    for (Entry& entry : sorted_) {
      takeArrivedBefore(&entry.first);
      if (entry.second.holds()) merged.push_back(std::move(entry));
    }
    takeArrivedBefore(nullptr);
    sorted_.swap(merged);
    added_.clear();
    removed_ = 0;
  }
  // Settled only.
  auto begin() { return sorted_.begin(); }
  auto end() { return sorted_.end(); }
  const Held& at(size_t k) const { return sorted_[k].second; }  // the k-th, in key order

 private:
  struct KeyLess {
    const std::vector<std::string>* names;
    bool operator()(const HeldKey& a, const HeldKey& b) const {
      return compareHeldKeys(*names, a, b) < 0;
    }
  };
  std::vector<Entry>::iterator lowerBound(const HeldKey& key) {
    return std::lower_bound(sorted_.begin(), sorted_.end(), key,
                            [&](const Entry& entry, const HeldKey& k) {
                              return compareHeldKeys(names_, entry.first, k) < 0;
                            });
  }

  std::vector<std::string> names_;  // the streams', by number (StreamNames)
  std::vector<Entry> sorted_;
  std::map<HeldKey, Held, KeyLess> added_;
  size_t removed_ = 0;  // empty slots in sorted_
};

// Where the digest store keeps the number of the last cycle marker published.
constexpr std::string_view kCycleDigestKey = "indicator.cycle";
// ... and a digest of what the last confirmed evaluation derived from (Impl::inputsDigest).
constexpr std::string_view kInputsDigestKey = "derive.inputs";
// The state store's meta key of the last evaluation's indicator table, shown by a run that finds
// nothing new.
constexpr std::string_view kTableMetaKey = "derive.indicator_table";

// Digests the state store keeps by a 128-bit hash (StateStore::appendHashedKey): a council's
// first evaluation saves over a million identity pairs' and hundreds of thousands of facts' before
// its run is done. An identity pair's is the hash that published_pairs holds of its key, half the
// key itself ("link:<pseudonym>:<pseudonym>"). The hash a saved pair's key stands for: read from
// a hashed key, made from a key saved whole by an earlier version.
pipelines::KeyHash hashOfSavedKey(std::string_view saved) {
  if (const auto hash = state::StateStore::hashOfHashedKey(saved)) return *hash;
  return pipelines::keyHash(saved);
}

// Topics whose digests are looked up only by the hash of their whole key: the indicator values and
// facts. Their whole keys are never read back, so the store keeps the hash alone.
bool digestKeptByHash(std::string_view topic_suffix) {
  return topic_suffix == "indicator.values" || topic_suffix == "indicator.facts";
}

// The topics whose digests are staged by their hash alone (Impl::StagedHash): the two above and
// the identity pairs'. Staged by their place in this list.
constexpr std::array<std::string_view, 3> kHashedFamilies = {"identity", "indicator.values",
                                                             "indicator.facts"};
std::optional<uint8_t> hashedFamily(std::string_view topic_suffix) {
  for (size_t i = 0; i < kHashedFamilies.size(); ++i) {
    if (kHashedFamilies[i] == topic_suffix) return static_cast<uint8_t>(i);
  }
  return std::nullopt;
}

using Contexts = std::map<std::string, pipelines::normalise::NormaliseContext>;

// A canonical record's evidence id: the key of its event on hearth.records (the pseudonym of its
// subject), then '#' and what tells the records of one subject apart: a hash of the source
// record's key and the record's position in it (HeldRecords: or of the first's, with dots). Only
// the part before '#' is ever published (a fact cites the events of its subjects), so the rest
// needs no key: an unkeyed hash costs far less than a keyed pseudonym, for each of millions of
// records. It tells apart only the records of one subject, so its first 64 bits are plenty, and
// since no one reads it they are kept as 8 bytes, not as 16 hex digits: each id is held once
// with its record (a council's 2.5 million) and copied into the indicators' outcomes. The bytes
// go most significant first, so that ids sort as their hex digits did: the indicators break ties
// between copies of one involvement by the smallest id. `subject` is the pseudonym of the
// record's subject.
void appendEvidenceId(std::string& out, pipelines::EventIdBuilder& hash, std::string_view subject,
                      std::string_view record_key, size_t position) {
  out.append(subject);
  out.push_back('#');
  hash.add(record_key);
  hash.add(std::to_string(position));
  const uint64_t which = hash.finish().high;
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(which >> shift));
}

// A source record's block: its records and their evidence ids, packed together (the records are
// moved from `records`, whose room the caller may use again). It reads nothing shared but the
// pseudonymiser's keys (and its thread's recent pseudonyms): the connectors' threads make their
// records' blocks as they hand them in.
// Notes in `shapes_groups` whether a record shapes household or family groups. `key` is the
// held key's text; `evidence` is room the caller keeps for the ids while they are made.
HeldRecords makeBlock(std::string_view key, std::vector<canonical::Record>& records,
                      const pipelines::Pseudonymiser& pseudonymiser,
                      pipelines::EventIdBuilder& hash, std::string& evidence, bool& shapes_groups) {
  HeldRecords block;
  evidence.clear();
  // The thread's recent pseudonyms: on a connector's thread, the encoder has just named these
  // subjects for the records' events.
  pipelines::RecentSubjectPseudonyms& recent = pipelines::RecentSubjectPseudonyms::ofThisThread();
  for (const canonical::Record& record : records) {
    if (!shapes_groups && shapesGroups(record)) shapes_groups = true;
  }
  const canonical::Subject& first = canonical::subjectOf(records.front());
  const bool one_subject =
      std::all_of(records.begin() + 1, records.end(),
                  [&](const canonical::Record& r) { return canonical::subjectOf(r) == first; });
  if (records.size() > 1) evidence.push_back(one_subject ? kOneSubject : kSubjects);
  if (one_subject) {
    appendEvidenceId(evidence, hash, recent.of(pseudonymiser, first), key, 0);
    evidence.append(records.size() - 1, '.');
  } else {
    for (size_t i = 0; i < records.size(); ++i) {
      const size_t before = evidence.size();
      appendEvidenceId(evidence, hash, recent.of(pseudonymiser, canonical::subjectOf(records[i])),
                       key, i);
      assert(evidence.size() - before == (evidence.size() - 1) / (i + 1));
      (void)before;
    }
  }
  block.records = canonical::PackedRecords(records, evidence);
  return block;
}

// A source record as it waits for the next evaluation: its block, or none when the source
// withdrew it (or the entry only wakes the evaluation).
struct Pending {
  HeldKey key;
  HeldRecords block;  // no records: withdrawn
  bool shapes_groups = false;
};
using Pendings = std::deque<Pending>;

// An entry that only wakes the next evaluation: it names no source record (no connector has an
// empty name) and gives no records.
Pending wakeUp(StreamNames& names, std::string_view why) {
  return Pending{HeldKey{canonical::CompactString(why), names.intern("", "")}, {}};
}

// What the derive holds of a source record of a connector's stream: the block of its canonical
// records (moved from `records`), made on the calling thread.
Pending pendingOf(StreamNames& names, std::string_view connector, std::string_view stream,
                  std::string_view source_key, std::vector<canonical::Record>& records,
                  const pipelines::Pseudonymiser& pseudonymiser) {
  Pending entry{HeldKey{canonical::CompactString(source_key), names.intern(connector, stream)}, {}};
  if (records.empty()) return entry;
  struct Room {
    pipelines::EventIdBuilder hash;
    std::string key_text;
    std::string evidence;
  };
  thread_local Room room;
  room.key_text.assign(connector).push_back('\x1f');
  room.key_text.append(stream).push_back('\x1f');
  room.key_text.append(source_key);
  entry.block = makeBlock(room.key_text, records, pseudonymiser, room.hash, room.evidence,
                          entry.shapes_groups);
  return entry;
}

// Text written in pieces of about a mebibyte: a council's open reviews with their reasons run
// to a hundred megabytes, which one string would copy at each doubling and hold with up to as
// much room again, at the height of the derive's memory. Read joined (DeriveStage::reviewsJson).
class ReviewsText {
 public:
  void append(std::string_view text) {
    if (pieces_.empty() || pieces_.back().size() + text.size() > pieces_.back().capacity()) {
      pieces_.emplace_back().reserve(std::max(kPiece, text.size()));
    }
    pieces_.back().append(text);
  }
  /// The pieces, the last without its spare room.
  std::vector<std::string> pieces() && {
    if (!pieces_.empty()) pieces_.back().shrink_to_fit();
    return std::move(pieces_);
  }

 private:
  static constexpr size_t kPiece = size_t{1} << 20;
  std::vector<std::string> pieces_;
};

// A subject's place in an evaluation's table of subjects, by a hash of its system and local id:
// a whole council's first evaluation looks subjects up millions of times.
class SubjectIndex {
 public:
  void reserve(size_t subjects) { index_.reserve(subjects); }
  // The subject's index, or `next` (and inserted) if it is new.
  std::pair<uint32_t, bool> tryEmplace(std::string_view system, std::string_view value,
                                       uint32_t next) {
    const auto [index, inserted] = index_.tryEmplace(hashOf(system, value), next);
    return {*index, inserted};
  }
  const uint32_t* find(std::string_view system, std::string_view value) {
    return std::as_const(index_).find(hashOf(system, value));
  }

 private:
  pipelines::KeyHash hashOf(std::string_view system, std::string_view value) {
    text_.assign(system).push_back('\x1f');
    text_.append(value);
    return pipelines::keyHash(text_);
  }
  pipelines::KeyHashMap<uint32_t> index_;
  std::string text_;  // reused
};

std::string subjectKey(const canonical::Subject& subject) {
  return subject.system + "/" + subject.value;
}

int64_t wallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Which rows of the population estimates the rates per 10,000 use: counts and codes, no people.
void logPopulationBase(log::Logger& log, const IndicatorStep& step) {
  const auto& base = step.population();
  if (!base) return;
  const std::string date = canonical::formatIsoDate(base->estimate_date);
  const log::Fields fields = {{"area", base->area},
                              {"estimate_date", date},
                              {"rows", static_cast<uint64_t>(base->rows)},
                              {"children", base->children}};
  if (base->earlier) {
    log.warn("population estimate predates the reporting year; the latest earlier one is used",
             fields);
  } else {
    log.info("population base for rates per 10,000", fields);
  }
}

}  // namespace

struct DeriveStage::Impl {
  Impl(DeriveOptions o, pipelines::Pseudonymiser p, kafka::Publisher* pub,
       delivery::CheckpointTracker* t, state::RecordStore& s)
      : options(std::move(o)),
        source_uri(options.origin.sourceUri("derive")),
        pseudonymiser(std::move(p)),
        publisher(pub),
        tracker(t),
        store(s) {}

  DeriveOptions options;
  std::string source_uri;                  // of every derived event
  pipelines::Pseudonymiser pseudonymiser;  // evaluation thread only
  kafka::Publisher* publisher;
  delivery::CheckpointTracker* tracker;
  state::RecordStore& store;
  log::Logger log{"derive"};

  StreamNames stream_names;  // of the keys pending and held
  std::mutex pending_mutex;
  // A deque: a council's millions of source records arrive one by one, and a vector's growth
  // would copy them and fault its new room in again at every doubling.
  Pendings pending;
  // Set while the stored records are not loaded (loadStoredUnlessCurrent): the first evaluation
  // with anything new loads them before what is new.
  std::optional<Contexts> unloaded;

  std::atomic<bool> evaluating{false};
  std::mutex evaluate_mutex;  // one evaluation at a time; guards everything below
  HeldTable held;
  // Subjects of the records applied since the last evaluation, before and after; not kept while
  // there is no identity index, which the next evaluation builds from every subject anyway.
  // Looked up by a view: a council's first evaluation asks of each of a million subjects.
  struct ViewHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_set<std::string, ViewHash, std::equal_to<>> touched_subjects;
  size_t subjects_last_time = 0;              // how many subjects the last evaluation met
  size_t held_records = 0;                    // canonical records in `held`
  std::vector<std::string> removed_evidence;  // evidence ids no longer given
  // Blocks replaced or withdrawn since the indicators were last brought up to date: the engine
  // may still hold records of theirs (it does not own what it files), until an update.
  std::vector<HeldRecords> retired;
  void retire(HeldRecords block) {
    if (!block.empty()) retired.push_back(std::move(block));
  }
  // Each subject's person key as last evaluated, by a hash of the subject's key.
  pipelines::KeyHashMap<uint64_t> person_key_of_subject;
  std::unique_ptr<IdentityResolver> identity_resolver;
  std::unique_ptr<IndicatorStep> indicators;
  bool indicators_failed = false;
  bool indicators_finished = false;  // the engine made its last evaluation (Then::kExit)
  std::optional<pipelines::indicators::SchoolRegister> schools;  // for the person views' flags
  // The person views stand as the last evaluation left them, made on this day: an evaluation
  // makes only the views of persons whose records or subjects changed since.
  bool views_complete = false;
  canonical::Date views_as_of{};
  // The family views stand as the last evaluation made them, under these pseudonyms, unless a
  // record that shapes them (shapesGroups) arrived, changed or went since.
  std::vector<std::string> group_views;
  bool groups_touched = true;
  std::unordered_set<std::string> published_views;  // person pseudonyms with a live view
  // Identity decisions published, by a hash of "link:<a>:<b>", "review:<a>:<b>" or
  // "decision:<seq>": a council's million links would otherwise be held as strings.
  pipelines::KeyHashSet published_pairs;
  // The same pairs by a hash of their subjects' keys (as "link\x1f<a>\x1f<b>"), so that one
  // published before costs no pseudonyms; not kept across restarts.
  pipelines::KeyHashSet known_pairs;
  pipelines::EventIdBuilder ids;
  // publish()'s, made again for each event: their buffers keep their room.
  kafka::OutboundEvent outbound;
  std::string outbound_id;
  std::string outbound_digest_key;
  // The data schema of the last type published: events come in runs of one type.
  std::string outbound_type;
  std::string outbound_schema;
  uint64_t evaluations = 0;
  uint64_t indicator_cycle = 0;  // the last marker's cycle, kept with the digests across restarts
  // "<topic suffix>\x1f<key>" -> digest of the content it last carried (the event id's first 64
  // bits), loaded from options.digests at the first evaluation: person views, indicator values
  // and facts (an identity event goes out once: published_pairs says which did).
  // Keyed by a hash of that key, as published_pairs.
  pipelines::KeyHashMap<uint64_t> digests;
  bool digests_loaded = false;

  // Digest changes waiting for Kafka to confirm their evaluation's events: the evaluation's
  // number goes to the tracker as the derived events' checkpoint.
  std::mutex staged_mutex;
  std::deque<std::pair<uint64_t, state::StateStore::PublishedDigest>> staged;
  // ... and those kept by a hash, without their key's text: a council's first evaluation stages
  // two million.
  struct StagedHash {
    StagedHash(uint64_t evaluation, const pipelines::KeyHash& hash, uint64_t digest, uint8_t family)
        : hash(hash), digest(digest), evaluation_and_family(evaluation << 8 | family) {}
    uint64_t evaluation() const { return evaluation_and_family >> 8; }
    // Its place in kHashedFamilies.
    uint8_t family() const { return static_cast<uint8_t>(evaluation_and_family); }

    pipelines::KeyHash hash;
    uint64_t digest;
    // Both in one word: 32 bytes an entry, not 40 (the evaluations of a daemon's life are fewer
    // than 2^56).
    uint64_t evaluation_and_family;
  };
  static_assert(sizeof(StagedHash) == 32);
  std::deque<StagedHash> staged_hashes;

  mutable std::mutex cache_mutex;
  std::string indicators_json = R"({"cycle":0,"digest":null,"values":[]})";
  std::string indicators_table;
  // The open reviews with their reasons as a JSON array, in pieces (ReviewsText).
  std::vector<std::string> reviews_json = {"[]"};
  std::string open_reviews_digest;  // of the reviews reviews_json lists
  std::vector<std::pair<std::string, std::string>> subject_persons;

  std::mutex thread_mutex;
  std::condition_variable wake;
  bool stopping = false;
  bool evaluate_now = false;  // settings changed: evaluate without waiting for the interval
  std::thread thread;

  void applyPending();
  /// Re-normalises the stored records of the connectors in `contexts` into `out`.
  Result<uint64_t> loadStored(const Contexts& contexts, Pendings& out);
  /// Loads the stored records put off by loadStoredUnlessCurrent, ahead of what is pending.
  Result<void> loadUnloaded();
  /// A digest of everything an evaluation's events follow from: the stored records (by their
  /// generation), the decisions, the settings and the pseudonym key.
  uint64_t inputsDigest(uint64_t generation, const std::vector<state::IdentityDecision>& decisions);
  /// Whether evaluations note their inputs (options.settings_digest, with a digest store).
  bool notesInputs() const {
    return options.settings_digest != 0 && options.digests != nullptr && publisher != nullptr;
  }
  Result<void> loadDigests();
  void stageDigest(std::string digest_key, std::optional<uint64_t> digest);
  void stageDigest(uint8_t family, const pipelines::KeyHash& hash, uint64_t digest);
  Result<EvaluationSummary> evaluate(DeriveStage::Then then);
  /// Publishes an event; with a `digest_key`, only if that key last carried other content.
  bool publish(std::string_view topic_suffix, std::string_view type, const std::string& key,
               const std::string& data, uint64_t& published, std::string_view digest_key = {});
  bool publishTombstone(std::string_view topic_suffix, const std::string& key, uint64_t& published);
  pipelines::indicators::CycleMarker snapshotMarker(std::vector<std::string> written);
};

DeriveStage::DeriveStage(DeriveOptions options, pipelines::Pseudonymiser pseudonymiser,
                         kafka::Publisher* publisher, delivery::CheckpointTracker* tracker,
                         state::RecordStore& store)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(pseudonymiser), publisher, tracker,
                                   store)) {}

DeriveStage::~DeriveStage() { stop(); }

void DeriveStage::accept(std::string_view connector, std::string_view stream,
                         std::string_view source_key, std::vector<canonical::Record>& records) {
  Pending entry =
      pendingOf(impl_->stream_names, connector, stream, source_key, records, impl_->pseudonymiser);
  records.clear();  // moved from: emptied, as CanonicalSink promises
  std::lock_guard lock(impl_->pending_mutex);
  impl_->pending.push_back(std::move(entry));
}

Result<uint64_t> DeriveStage::loadStored(const Contexts& contexts) {
  Pendings loaded;
  auto count = impl_->loadStored(contexts, loaded);
  if (!count) return count.error();
  std::lock_guard lock(impl_->pending_mutex);
  impl_->pending.insert(impl_->pending.end(), std::make_move_iterator(loaded.begin()),
                        std::make_move_iterator(loaded.end()));
  return count;
}

Result<std::optional<uint64_t>> DeriveStage::loadStoredUnlessCurrent(const Contexts& contexts) {
  Impl& impl = *impl_;
  if (impl.notesInputs()) {
    auto generation = impl.store.generation();
    if (!generation) return generation.error();
    auto decisions = impl.store.decisions();
    if (!decisions) return decisions.error();
    auto noted = impl.options.digests->loadPublished(kInputsDigestKey);
    if (!noted) return noted.error();
    if (*noted && **noted == impl.inputsDigest(*generation, *decisions)) {
      auto table = impl.options.digests->loadMeta(kTableMetaKey);
      if (!table) return table.error();
      std::lock_guard lock(impl.evaluate_mutex);
      impl.unloaded = contexts;
      {
        std::lock_guard cache(impl.cache_mutex);
        impl.indicators_table = table->value_or("");
      }
      impl.log.info(
          "derived events are current with the stored records: they are loaded only "
          "when something new arrives",
          {{"generation", *generation}});
      return std::optional<uint64_t>();
    }
  }
  auto loaded = loadStored(contexts);
  if (!loaded) return loaded.error();
  return std::optional<uint64_t>(*loaded);
}

Result<uint64_t> DeriveStage::Impl::loadStored(const Contexts& contexts, Pendings& into) {
  std::map<std::string, pipelines::normalise::Normaliser> normalisers;
  for (const auto& [connector, context] : contexts) normalisers.emplace(connector, context);
  pipelines::normalise::NormaliseOutput out;
  std::vector<pipelines::FieldView> fields;
  uint64_t loaded = 0;
  uint64_t damaged = 0;
  // In the order the store holds them: applyPending() files them by key whatever their order
  // (a key is stored once), and read by key the rows took a page read each.
  auto visited = store.forEachAsStored([&](const state::StoredRecord& stored) {
    const auto it = normalisers.find(stored.connector);
    if (it == normalisers.end()) return;
    if (!state::decodeFields(stored.fields, fields)) {
      ++damaged;
      return;
    }
    const pipelines::RawRecordView raw{stored.stream, stored.source_key, stored.location,
                                       stored.source_time_ms, fields};
    out.clear();
    it->second.normalise(raw, out);
    loaded += out.records.size();
    into.push_back(pendingOf(stream_names, stored.connector, stored.stream, stored.source_key,
                             out.records, pseudonymiser));
  });
  if (!visited) return visited.error();
  if (damaged > 0) log.error("stored records unreadable", {{"count", damaged}});
  return loaded;
}

Result<void> DeriveStage::Impl::loadUnloaded() {
  const auto started = Clock::now();
  Pendings batch;
  auto loaded = loadStored(*unloaded, batch);
  if (!loaded) return loaded.error();
  unloaded.reset();
  {
    // What arrived meanwhile replaces what was stored under the same key: it goes after.
    std::lock_guard lock(pending_mutex);
    batch.insert(batch.end(), std::make_move_iterator(pending.begin()),
                 std::make_move_iterator(pending.end()));
    pending.swap(batch);
  }
  log.info(
      "canonical records rebuilt from the record store",
      {{"records", *loaded},
       {"ms",
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()}});
  return {};
}

uint64_t DeriveStage::Impl::inputsDigest(uint64_t generation,
                                         const std::vector<state::IdentityDecision>& decisions) {
  pipelines::Sha256 sha;
  auto number = [&](auto value) { sha.updateField(std::to_string(value)); };
  number(options.settings_digest);
  number(generation);
  number(decisions.size());
  sha.updateField(decisions.empty() ? std::string() : decisions.back().hash);
  // The key itself stays out of the digest store: a pseudonym made with it stands for it.
  sha.updateField(pseudonymiser.pseudonym("derive", "inputs"));
  const config::IdentityConfig& identity = options.identity;
  number(identity.enabled);
  number(identity.link_threshold);
  number(identity.review_threshold);
  const config::IndicatorsConfig& indicators = options.indicators;
  number(indicators.enabled);
  sha.updateField(indicators.period_end);
  sha.updateField(indicators.area_code);
  for (const auto* path : {&indicators.bank_holidays, &indicators.postcode_lookup,
                           &indicators.population_estimates, &indicators.gias_establishments}) {
    sha.updateField(path->string());
  }
  for (const auto& path : indicators.ofsted_inspections) sha.updateField(path.string());
  number(indicators.population_0_17);
  for (const auto& [family, rule] : indicators.disclosure) {
    sha.updateField(family);
    number(rule.suppression_threshold);
    number(rule.round_to);
  }
  number(options.suppression_threshold);
  sha.updateField(options.topic_prefix);
  const pipelines::Sha256Digest digest = sha.finish();
  uint64_t value = 0;
  for (size_t i = 0; i < sizeof(value); ++i) value = value << 8 | digest[i];
  return value;
}

void DeriveStage::reconfigure(const DeriveOptions& options) {
  {
    std::lock_guard lock(impl_->evaluate_mutex);
    impl_->options.identity = options.identity;
    impl_->options.indicators = options.indicators;
    impl_->options.suppression_threshold = options.suppression_threshold;
    // Built again from the new settings at the next evaluation, over every record: a person
    // key unknown to the fresh indicator engine files all of that person's records anew.
    impl_->identity_resolver.reset();
    impl_->indicators.reset();
    impl_->retired.clear();  // no engine holds their records now
    impl_->indicators_failed = false;
    impl_->indicators_finished = false;
    impl_->person_key_of_subject.clear();
  }
  {
    std::lock_guard lock(impl_->pending_mutex);
    impl_->pending.push_back(wakeUp(impl_->stream_names, "reconfigured"));
  }
  {
    std::lock_guard lock(impl_->thread_mutex);
    impl_->options.interval = options.interval;
    impl_->evaluate_now = true;
  }
  impl_->wake.notify_all();
}

void DeriveStage::start() {
  impl_->thread = std::thread([this] {
    std::unique_lock lock(impl_->thread_mutex);
    while (!impl_->stopping) {
      impl_->wake.wait_for(lock, impl_->options.interval,
                           [this] { return impl_->stopping || impl_->evaluate_now; });
      if (impl_->stopping) break;
      impl_->evaluate_now = false;
      bool has_pending = false;
      {
        std::lock_guard pending_lock(impl_->pending_mutex);
        has_pending = !impl_->pending.empty();
      }
      if (!has_pending) continue;
      lock.unlock();
      if (auto result = evaluate(); !result) {
        impl_->log.error("evaluation failed",
                         {{"code", result.error().code}, {"error", result.error().message}});
      }
      lock.lock();
    }
  });
}

void DeriveStage::stop() {
  {
    std::lock_guard lock(impl_->thread_mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

Result<EvaluationSummary> DeriveStage::evaluate(Then then) {
  std::lock_guard lock(impl_->evaluate_mutex);
  impl_->evaluating = true;
  auto summary = impl_->evaluate(then);
  impl_->evaluating = false;
  return summary;
}

bool DeriveStage::evaluating() const { return impl_->evaluating; }

void DeriveStage::Impl::applyPending() {
  Pendings batch;
  {
    std::lock_guard lock(pending_mutex);
    batch.swap(pending);
  }
  held.learnNames(stream_names.since(held.names().size()));
  const std::vector<std::string>& names = held.names();
  const bool track_subjects = identity_resolver != nullptr;
  // Files a block under `h`: its records are new, and their subjects to be looked at again.
  auto hold = [&](Held& h, HeldRecords block) {
    h.changed = true;
    held_records += block.records.size();
    if (track_subjects) {
      for (const canonical::RecordRef record : block.records) {
        touched_subjects.insert(subjectKey(canonical::subjectOf(record)));
      }
    }
    retire(std::exchange(h.block, std::move(block)));
  };

  if (held.empty()) {
    // Into an empty table (the first evaluation, and the first after a restart) the entries go
    // in key order, each at the end: millions of source records then cost no search. Of a key
    // given twice, the later entry stands.
    const std::vector<uint32_t> order = inKeyOrder(names, batch);
    std::vector<uint32_t> kept;
    kept.reserve(order.size());
    for (size_t n = 0; n < order.size(); ++n) {
      const Pending& entry = batch[order[n]];
      if (n + 1 < order.size() && batch[order[n + 1]].key == entry.key) continue;
      if (!entry.block.empty()) kept.push_back(order[n]);
    }
    held.reserve(kept.size());
    for (const uint32_t n : kept) {
      Pending& entry = batch[n];
      groups_touched = groups_touched || entry.shapes_groups;
      hold(held.append(std::move(entry.key)), std::move(entry.block));
    }
    return;
  }

  for (Pending& entry : batch) {
    // What the entry said before: its subjects must be looked at again, and evidence it no
    // longer gives is withdrawn from the indicators.
    if (const Held* old = held.find(entry.key); old != nullptr) {
      const canonical::PackedRecords& before = old->block.records;
      held_records -= before.size();
      for (size_t i = 0; i < before.size(); ++i) {
        if (track_subjects) touched_subjects.insert(subjectKey(canonical::subjectOf(before[i])));
        if (shapesGroups(before[i])) groups_touched = true;
      }
      // A record given again under the same id replaces its earlier copy in the indicators;
      // any other id of the old version is withdrawn: a position the new version no longer
      // has, or a record the source moved to another subject (its id begins with the
      // subject's pseudonym). Ids are equal only at one position, so what is withdrawn here
      // is never what the new version files.
      const size_t given = entry.block.records.size();
      for (size_t i = 0; i < before.size(); ++i) {
        const std::string_view id = old->block.evidenceOf(i);
        if (i < given && entry.block.evidenceOf(i) == id) continue;
        removed_evidence.emplace_back(id);
      }
    }
    if (entry.block.empty()) {
      retire(held.erase(entry.key));
      continue;
    }
    groups_touched = groups_touched || entry.shapes_groups;
    hold(held[entry.key], std::move(entry.block));
  }
  held.settle();
}

// What ends an indicator cycle (docs/topics.md, "The cycle marker"), its number left to the
// caller: the keys it wrote and a digest of every value key with the id of its latest event,
// which is a hash of the content, so a consumer can tell whether it holds this snapshot.
pipelines::indicators::CycleMarker DeriveStage::Impl::snapshotMarker(
    std::vector<std::string> written) {
  pipelines::indicators::CycleMarker marker;
  marker.period = indicators->period();
  marker.keys_written = std::move(written);
  pipelines::Sha256 sha;
  std::string id;
  for (const auto& [key, data] : indicators->snapshot()) {
    ids.add(kIndicatorValueEventType);
    ids.add(key);
    ids.add(data);
    id.clear();
    ids.finishInto(id);
    sha.updateField(key);
    sha.updateField(id);
    ++marker.values;
  }
  marker.digest = "sha256:";
  pipelines::appendHex(marker.digest, sha.finish(), 32);
  return marker;
}

bool DeriveStage::Impl::publishTombstone(std::string_view topic_suffix, const std::string& key,
                                         uint64_t& published) {
  if (publisher == nullptr) return true;
  kafka::OutboundEvent event;
  event.topic = options.topic_prefix + std::string(topic_suffix);
  event.key = key;  // and no payload: a null value
  event.source = options.slot;
  event.seq = tracker != nullptr ? tracker->onEmitted(options.slot) : 0;
  if (!publisher->publish(event)) return false;
  ++published;
  return true;
}

bool DeriveStage::Impl::publish(std::string_view topic_suffix, std::string_view type,
                                const std::string& key, const std::string& data,
                                uint64_t& published, std::string_view digest_key) {
  if (publisher == nullptr) return true;
  ids.add(type);
  ids.add(key);
  ids.add(data);
  std::string& id = outbound_id;
  id.clear();
  ids.finishInto(id);
  if (!digest_key.empty()) {
    // The id already hashes the content: its first 64 bits are the digest.
    uint64_t digest = 0;
    std::from_chars(id.data(), id.data() + std::min<size_t>(id.size(), 16), digest, 16);
    std::string& full_key = outbound_digest_key;
    full_key.assign(topic_suffix).push_back('\x1f');
    full_key.append(digest_key);
    const pipelines::KeyHash hash = pipelines::keyHash(full_key);
    // An identity event goes out once (published_pairs knows which did): its digest is saved for
    // the next start, never compared, so not held (a council has a million and a half).
    if (topic_suffix != "identity") {
      auto [stored, inserted] = digests.tryEmplace(hash, digest);
      if (!inserted && *stored == digest) return true;
      *stored = digest;
    }
    // Kept by the hash of the whole key, or by the hash the key stands for (an identity pair's).
    const std::optional<uint8_t> family = hashedFamily(topic_suffix);
    const std::optional<pipelines::KeyHash> kept_by =
        digestKeptByHash(topic_suffix) ? hash : state::StateStore::hashOfHashedKey(digest_key);
    if (family && kept_by) {
      stageDigest(*family, *kept_by, digest);
    } else {
      stageDigest(std::move(full_key), digest);
    }
  }
  // The publisher copies what it sends.
  kafka::OutboundEvent& event = outbound;
  event.topic.assign(options.topic_prefix).append(topic_suffix);
  event.key.assign(key);
  event.payload.clear();
  // `data` is a whole JSON object; the header leaves the data object open.
  if (type != outbound_type) {
    outbound_type.assign(type);
    outbound_schema = options.origin.dataSchema(type);
  }
  pipelines::appendEventHeader(event.payload, id, source_uri, type, outbound_schema, key, wallMs());
  event.payload.append(std::string_view(data).substr(1));
  event.payload.push_back('}');
  event.source = options.slot;
  event.seq = tracker != nullptr ? tracker->onEmitted(options.slot) : 0;
  if (!publisher->publish(event)) return false;
  ++published;
  return true;
}

Result<void> DeriveStage::Impl::loadDigests() {
  if (digests_loaded || options.digests == nullptr || publisher == nullptr) return {};
  static constexpr std::string_view kViews = "person.view\x1f";
  static constexpr std::string_view kPairs = "identity\x1f";
  auto loaded = options.digests->loadPublished([this](std::string_view key, uint64_t digest) {
    if (key == kCycleDigestKey) {
      indicator_cycle = digest;
      return;
    }
    if (key == kInputsDigestKey) return;
    const size_t separator = key.find('\x1f');
    if (separator != std::string_view::npos && digestKeptByHash(key.substr(0, separator))) {
      const auto hashed = state::StateStore::hashOfHashedKey(key.substr(separator + 1));
      const pipelines::KeyHash hash = hashed ? *hashed : pipelines::keyHash(key);
      digests.tryEmplace(hash, digest);
      if (!hashed) {
        // Saved whole by an earlier version: kept by its hash from the next save on.
        std::string by_hash(key.substr(0, separator + 1));
        state::StateStore::appendHashedKey(by_hash, hash);
        stageDigest(std::move(by_hash), digest);
        stageDigest(std::string(key), std::nullopt);
      }
      return;
    }
    if (key.starts_with(kPairs)) {
      published_pairs.insert(hashOfSavedKey(key.substr(kPairs.size())));
      return;
    }
    digests.tryEmplace(pipelines::keyHash(key), digest);
    if (key.starts_with(kViews)) published_views.emplace(key.substr(kViews.size()));
  });
  if (!loaded) return loaded.error();
  digests_loaded = true;
  return {};
}

void DeriveStage::Impl::stageDigest(std::string digest_key, std::optional<uint64_t> digest) {
  if (options.digests == nullptr || tracker == nullptr) return;
  std::lock_guard lock(staged_mutex);
  staged.emplace_back(evaluations + 1,
                      state::StateStore::PublishedDigest{std::move(digest_key), digest});
}

void DeriveStage::Impl::stageDigest(uint8_t family, const pipelines::KeyHash& hash,
                                    uint64_t digest) {
  if (options.digests == nullptr || tracker == nullptr) return;
  std::lock_guard lock(staged_mutex);
  staged_hashes.emplace_back(evaluations + 1, hash, digest, family);
}

Result<void> DeriveStage::saveDurableDigests() {
  Impl& impl = *impl_;
  if (impl.options.digests == nullptr || impl.tracker == nullptr) return {};
  const auto token = impl.tracker->takeCommittable(impl.options.slot);
  if (!token) return {};
  uint64_t durable = 0;
  std::from_chars(token->data(), token->data() + token->size(), durable);
  std::vector<state::StateStore::PublishedDigest> batch;
  size_t durable_hashes = 0;  // at the front of staged_hashes, which only grows at the back
  {
    std::lock_guard lock(impl.staged_mutex);
    while (!impl.staged.empty() && impl.staged.front().first <= durable) {
      batch.push_back(std::move(impl.staged.front().second));
      impl.staged.pop_front();
    }
    durable_hashes =
        static_cast<size_t>(std::find_if(impl.staged_hashes.begin(), impl.staged_hashes.end(),
                                         [&](const Impl::StagedHash& change) {
                                           return change.evaluation() > durable;
                                         }) -
                            impl.staged_hashes.begin());
  }
  // The hashed ones a save group at a time: a council's first evaluation stages two million,
  // which copied at once for the store would be held twice over at the end of its run.
  Result<void> saved;
  std::vector<state::StateStore::HashedDigest> hashed;
  for (int group = 0; saved && group < state::StateStore::kSaveGroups; ++group) {
    hashed.clear();
    {
      std::lock_guard lock(impl.staged_mutex);
      for (size_t n = 0; n < durable_hashes; ++n) {
        const Impl::StagedHash& change = impl.staged_hashes[n];
        if (state::StateStore::saveGroupOf(change.hash) != group) continue;
        hashed.push_back({kHashedFamilies[change.family()], change.hash, change.digest});
      }
    }
    saved = impl.options.digests->savePublished(
        group == 0 ? std::span<const state::StateStore::PublishedDigest>(batch)
                   : std::span<const state::StateStore::PublishedDigest>(),
        hashed);
  }
  std::lock_guard lock(impl.staged_mutex);
  impl.staged_hashes.erase(
      impl.staged_hashes.begin(),
      impl.staged_hashes.begin() + static_cast<std::ptrdiff_t>(durable_hashes));
  return saved;
}

Result<EvaluationSummary> DeriveStage::Impl::evaluate(DeriveStage::Then then) {
  const auto started = Clock::now();
  EvaluationSummary summary;
  if (unloaded) {
    bool nothing_new = false;
    {
      std::lock_guard lock(pending_mutex);
      nothing_new = pending.empty();
    }
    if (nothing_new) {
      // What was derived last still stands, and its events are on Kafka.
      summary.up_to_date = true;
      log.info("derived",
               {{"records", summary.records},
                {"events", summary.events_published},
                {"seconds", std::chrono::duration<double>(Clock::now() - started).count()},
                {"up_to_date", true}});
      return summary;
    }
  }
  // Until this evaluation has made its person views, they do not stand.
  const bool views_stood = std::exchange(views_complete, false);
  // Read before the records are taken, so a generation noted never claims records not derived.
  std::optional<uint64_t> generation;
  if (notesInputs()) {
    auto read = store.generation();
    if (!read) return read.error();
    generation = *read;
  }
  if (unloaded) {
    if (auto loaded = loadUnloaded(); !loaded) return loaded.error();
  }
  if (auto loaded = loadDigests(); !loaded) return loaded.error();
  applyPending();
  summary.apply_seconds = std::chrono::duration<double>(Clock::now() - started).count();

  // Subjects in a stable order (the held map is ordered), so a rebuild resolves identically.
  // A subject is looked up by views of its held record's strings: its key is written once, when
  // it is first met, into `subject_keys`, one after another.
  //
  // A first evaluation does not know how many subjects there are: it takes room for one per held
  // source record, more than there are (a council's 2.6 million source records are about 1.5
  // million subjects). Room never written takes address space, not memory. Grown by doubling
  // instead, the list was copied and its new pages faulted in at every step: 0.7 s of a council's
  // first evaluation, on one thread.
  const size_t expected_subjects = subjects_last_time > 0 ? subjects_last_time : held.size();
  std::vector<SubjectInfo> subjects;
  subjects.reserve(expected_subjects);
  pipelines::TextArena subject_keys;
  SubjectIndex subject_index;
  subject_index.reserve(subjects_last_time);
  auto subjectOf = [&](const canonical::Subject& subject) {
    const auto [index, inserted] = subject_index.tryEmplace(subject.system, subject.value,
                                                            static_cast<uint32_t>(subjects.size()));
    if (inserted) {
      const std::string_view key =
          subject_keys.add({subject.system.view(), "/", subject.value.view()});
      const bool touched = !identity_resolver || touched_subjects.contains(key);
      subjects.push_back(SubjectInfo{key, {}, {}, touched});
    }
    return index;
  };
  // Every record about a subject, in the held order, by where it is: the held entry (its place
  // in the settled table, which stays as it is until the next evaluation) and its place among
  // the entry's records. Eight bytes each, where its address, its evidence id and its entry cost
  // thirty-two: a whole council's records are millions.
  struct RecordAt {
    uint32_t entry;
    uint32_t index;
  };
  std::vector<RecordAt> all;
  std::vector<uint32_t> subject_of_record;
  // Room for every record at once.
  all.reserve(held_records);
  subject_of_record.reserve(held_records);
  auto entryOf = [&](size_t i) -> const Held& { return held.at(all[i].entry); };
  auto recordAt = [&](size_t i) { return entryOf(i).block.records[all[i].index]; };
  std::vector<std::pair<uint32_t, uint32_t>> subject_links;
  // An evidence id of a record about each subject (none for a subject only linked to): it begins
  // with the subject's pseudonym, made already.
  std::vector<std::string_view> evidence_of_subject;
  evidence_of_subject.reserve(expected_subjects);
  // A school census return's school header is about no person: it goes to the indicators only,
  // every cycle (few, and the engine ignores a header it has as it stands, so a fresh engine
  // has them all).
  std::vector<AttributedRecord> reference_records;
  uint32_t entry_at = 0;
  for (auto entry = held.begin(); entry != held.end(); ++entry, ++entry_at) {
    const Held& h = entry->second;
    const canonical::PackedRecords& records = h.block.records;
    // A source record's canonical records are mostly about one subject: it is looked up once.
    const canonical::Subject* last_subject = nullptr;
    uint32_t s = 0;
    for (size_t i = 0; i < records.size(); ++i) {
      const canonical::RecordRef record = records[i];
      if (record.holds<canonical::CensusSchool>()) {
        reference_records.push_back({record, 0, h.block.evidenceOf(i), true});
        continue;
      }
      const canonical::Subject& subject = canonical::subjectOf(record);
      if (last_subject == nullptr || subject != *last_subject) {
        s = subjectOf(subject);
        last_subject = &subject;
        if (s >= evidence_of_subject.size()) evidence_of_subject.resize(s + 1);
        if (evidence_of_subject[s].empty()) evidence_of_subject[s] = h.block.evidenceOf(i);
      }
      if (const auto* person = record.get_if<canonical::Person>()) {
        subjects[s].persons.push_back(person);
      } else if (const auto* link = record.get_if<canonical::LinkedIdentifier>()) {
        subjects[s].extra_identifiers.push_back(link->identifier);
      } else if (const auto* same = record.get_if<canonical::SubjectLink>()) {
        subject_links.emplace_back(s, subjectOf(same->same_as));
      }
      all.push_back({entry_at, static_cast<uint32_t>(i)});
      subject_of_record.push_back(s);
    }
  }
  summary.records = all.size() + reference_records.size();
  subjects_last_time = subjects.size();

  auto decisions = store.decisions();
  if (!decisions) return decisions.error();
  config::IdentityConfig identity = options.identity;
  IdentityOutcome outcome;
  if (identity.enabled) {
    if (!identity_resolver) identity_resolver = std::make_unique<IdentityResolver>(identity);
    const auto identity_started = Clock::now();
    outcome = identity_resolver->resolve(subjects, *decisions);
    summary.identity_seconds =
        std::chrono::duration<double>(Clock::now() - identity_started).count();
  } else {
    outcome.person_of_subject.resize(subjects.size());
    std::iota(outcome.person_of_subject.begin(), outcome.person_of_subject.end(), 0u);
    outcome.persons = static_cast<uint32_t>(subjects.size());
  }
  followSubjectLinks(std::move(subject_links), subjects, outcome);
  // From here on each subject's key, and whether its records changed, are all that is read of
  // it: its linkage inputs go before the pairs are published and the indicators take their room
  // (a council's subjects are one and a half million).
  std::vector<std::string_view> key_of_subject(subjects.size());
  std::vector<bool> subject_was_touched(subjects.size());
  for (uint32_t s = 0; s < subjects.size(); ++s) {
    key_of_subject[s] = subjects[s].key;
    subject_was_touched[s] = subjects[s].touched;
  }
  std::vector<SubjectInfo>().swap(subjects);
  // With no evaluation to follow, identity keeps only what explains its pairs: its blocking and
  // linkage keys go before the indicators start and the pairs are published, the height of the
  // derive's memory.
  if (then == DeriveStage::Then::kExit && identity_resolver) {
    identity_resolver->releaseIncrementalState();
  }
  summary.linkage_records = outcome.linkage_records;
  summary.persons = outcome.persons;

  // A person's pseudonym comes from its smallest subject key, so it survives the arrival of
  // more records about the same person.
  std::vector<std::string_view> representative(outcome.persons);
  for (uint32_t s = 0; s < key_of_subject.size(); ++s) {
    std::string_view& rep = representative[outcome.person_of_subject[s]];
    if (rep.data() == nullptr || key_of_subject[s] < rep) rep = key_of_subject[s];
  }
  {
    // Subjects in key order (keys are unique), each with its person's representative.
    std::vector<uint32_t> in_order(key_of_subject.size());
    std::iota(in_order.begin(), in_order.end(), 0u);
    pipelines::sortInParallel(in_order.begin(), in_order.end(), [&](uint32_t a, uint32_t b) {
      return key_of_subject[a] < key_of_subject[b];
    });
    std::vector<std::pair<std::string, std::string>> assignment;
    if (options.keep_subject_persons) assignment.reserve(key_of_subject.size());
    for (const uint32_t s : in_order) {
      const std::string_view person = representative[outcome.person_of_subject[s]];
      ids.add(key_of_subject[s]);
      ids.add(person);
      if (options.keep_subject_persons) assignment.emplace_back(key_of_subject[s], person);
    }
    ids.finishInto(summary.linkage_digest);
    std::lock_guard cache(cache_mutex);
    subject_persons = std::move(assignment);
  }
  std::vector<std::string> person_pseudonym(outcome.persons);
  for (uint32_t p = 0; p < outcome.persons; ++p) {
    person_pseudonym[p] = pseudonymiser.pseudonym("person", representative[p]);
  }

  // Persons are keyed by a hash of their representative subject, which stays the same from one
  // evaluation to the next unless identity moves the person's records. A subject whose person
  // changed (a merge, a split) is `moved`: the engine files all its records anew, and the views
  // of the person it joined and of the one it left (`left`) are made again.
  std::vector<uint64_t> person_key(outcome.persons);
  for (uint32_t p = 0; p < outcome.persons; ++p) {
    person_key[p] = std::hash<std::string_view>{}(representative[p]);
  }
  std::vector<bool> moved(key_of_subject.size(), false);
  std::unordered_set<uint64_t> left;
  {
    pipelines::KeyHashMap<uint64_t> person_keys;
    person_keys.reserve(key_of_subject.size());
    for (uint32_t s = 0; s < key_of_subject.size(); ++s) {
      const uint64_t key = person_key[outcome.person_of_subject[s]];
      const pipelines::KeyHash subject = pipelines::keyHash(key_of_subject[s]);
      const uint64_t* before = person_key_of_subject.find(subject);
      moved[s] = before == nullptr || *before != key;
      if (before != nullptr && *before != key) left.insert(*before);
      person_keys.tryEmplace(subject, key);
    }
    // A subject whose records all went left its person too.
    for (const std::string& subject_key : touched_subjects) {
      const pipelines::KeyHash subject = pipelines::keyHash(subject_key);
      const uint64_t* before = person_key_of_subject.find(subject);
      if (before != nullptr && !person_keys.contains(subject)) left.insert(*before);
    }
    // Only a later evaluation reads it: one after a last evaluation finds every subject moved
    // and files every record anew.
    if (then == DeriveStage::Then::kExit) {
      person_key_of_subject = pipelines::KeyHashMap<uint64_t>();
    } else {
      person_key_of_subject = std::move(person_keys);
    }
  }

  const auto views_started = Clock::now();
  // Indicators over every record, attributed to its person. The engine is brought up to date on
  // a second thread while this one publishes the identity decisions and the person views: both
  // only read the records and the identity outcome. The engine files the records at once, and
  // evaluates once identity's decisions are out: a last evaluation lets go of what explains them
  // then, and the height of a council's derive was both at once. Its events are published after
  // the views.
  std::vector<uint32_t> filed_anew_at;  // places in `all`
  AttributedRecords attributed;
  PersonPseudonyms pseudonym_of_key;  // views of person_pseudonym
  double indicator_seconds = 0;
  std::promise<void> decisions_out;
  // Going out of scope, it waits for the thread that uses what is declared before it.
  std::future<IndicatorChanges> indicator_update;
  // Opens the engine's evaluation; declared after the future, so that on every way out of this
  // scope it opens before the future waits for the thread.
  struct Gate {
    std::promise<void>& promise;
    bool opened = false;
    void open() {
      if (!std::exchange(opened, true)) promise.set_value();
    }
    ~Gate() { open(); }
  } evaluation_gate{decisions_out};
  if (options.indicators.enabled && !indicators_failed) {
    // An engine that made a last evaluation files nothing more: an evaluation after all files
    // every record into a new one (every subject is then `moved`).
    if (indicators_finished) indicators.reset();
    indicators_finished = false;
    if (!indicators) {
      auto created = IndicatorStep::create(options.indicators, options.suppression_threshold);
      if (!created) {
        indicators_failed = true;
        log.error("indicators disabled",
                  {{"code", created.error().code}, {"error", created.error().message}});
      } else {
        indicators = std::move(created).value();
        logPopulationBase(log, *indicators);
      }
    }
    if (indicators) {
      pseudonym_of_key.reserve(outcome.persons);
      for (uint32_t p = 0; p < outcome.persons; ++p) {
        pseudonym_of_key.add(person_key[p], person_pseudonym[p]);
      }
      pseudonym_of_key.seal();
      // The engine holds the others already: only what it files anew is handed over, by their
      // places in `all` (a whole council's are millions: each is made when the engine reads it),
      // then the school headers. When every record is (a first evaluation), they are `all`.
      size_t filed_anew = 0;
      auto filedAnew = [&](size_t i) { return entryOf(i).changed || moved[subject_of_record[i]]; };
      for (size_t i = 0; i < all.size(); ++i) filed_anew += filedAnew(i) ? 1 : 0;
      const bool every_record = filed_anew == all.size();
      if (!every_record) {
        filed_anew_at.reserve(filed_anew);
        for (size_t i = 0; i < all.size(); ++i) {
          if (filedAnew(i)) filed_anew_at.push_back(static_cast<uint32_t>(i));
        }
      }
      attributed.count = filed_anew + reference_records.size();
      attributed.at = [&, every_record, filed_anew](size_t n) -> AttributedRecord {
        if (n >= filed_anew) return reference_records[n - filed_anew];
        const size_t i = every_record ? n : filed_anew_at[n];
        const HeldRecords& block = entryOf(i).block;
        return {block.records[all[i].index],
                person_key[outcome.person_of_subject[subject_of_record[i]]],
                block.evidenceOf(all[i].index), true};
      };
      // A last evaluation's engine lets go of what only a later one reads, once it has filed.
      const bool finish_engine = then == DeriveStage::Then::kExit;
      indicators_finished = finish_engine;
      indicator_update =
          std::async(std::launch::async, [&, finish_engine, gate = decisions_out.get_future()] {
            auto started = Clock::now();
            indicators->file(attributed, removed_evidence);
            if (finish_engine) indicators->finishWithNextEvaluation();
            indicator_seconds = std::chrono::duration<double>(Clock::now() - started).count();
            gate.wait();
            started = Clock::now();
            auto events = indicators->evaluate(pseudonym_of_key);
            indicator_seconds += std::chrono::duration<double>(Clock::now() - started).count();
            return events;
          });
    }
  }

  // Identity decisions: each pair once. A pair published before is known by its subjects' keys,
  // so no pseudonym is made for it again.
  summary.links = outcome.total_links;
  pipelines::EventIdBuilder open_reviews;              // what the admin API's list of reviews says
  open_reviews.add(outcome.rebuilt ? "rebuilt" : "");  // a new model explains pairs anew
  std::string pair_subjects;
  // A subject's pseudonym: the start of its records' evidence ids, made only for a subject with
  // none (a council's million pairs would cost two keyed hashes each).
  auto pseudonymOf = [&](uint32_t s, std::string& made) -> std::string_view {
    if (s < evidence_of_subject.size() && !evidence_of_subject[s].empty()) {
      const std::string_view evidence = evidence_of_subject[s];
      return evidence.substr(0, evidence.find('#'));
    }
    made = pipelines::subjectPseudonym(pseudonymiser, key_of_subject[s]);
    return made;
  };
  std::string made_a, made_b;
  // Each pair's, their room kept from one to the next.
  std::string pair_key, pair_data, pair_digest_key;
  // A council's first evaluation meets a million pairs: room for them at once, not by doubling.
  // Only a later evaluation reads the pairs known: a last one notes none.
  const bool note_known = then != DeriveStage::Then::kExit;
  if (note_known && known_pairs.empty()) known_pairs.reserve(outcome.pairs.size());
  if (published_pairs.empty()) published_pairs.reserve(outcome.pairs.size());
  // And each person view has a digest.
  if (digests.empty()) digests.reserve(outcome.persons);
  // A council's pairs name subjects all over the held records. What a pair reads at random (its
  // subjects' evidence ids, its person's pseudonym, identity's features of its first record) is
  // asked for ahead, in three steps of a few pairs each, so that a big council's cache misses
  // overlap instead of following one another.
  constexpr size_t kAhead = 8;
  const std::vector<PairOutcome>& pairs = outcome.pairs;
  auto prefetchPlaces = [&](const PairOutcome& pair) {
    if (pair.a < evidence_of_subject.size()) __builtin_prefetch(&evidence_of_subject[pair.a]);
    if (pair.b < evidence_of_subject.size()) __builtin_prefetch(&evidence_of_subject[pair.b]);
    __builtin_prefetch(&outcome.person_of_subject[pair.a]);
    identity_resolver->prefetchReasons(pair);
  };
  auto prefetchTexts = [&](const PairOutcome& pair) {
    if (pair.a < evidence_of_subject.size()) __builtin_prefetch(evidence_of_subject[pair.a].data());
    if (pair.b < evidence_of_subject.size()) __builtin_prefetch(evidence_of_subject[pair.b].data());
    __builtin_prefetch(&person_pseudonym[outcome.person_of_subject[pair.a]]);
  };
  auto prefetchPerson = [&](const PairOutcome& pair) {
    __builtin_prefetch(person_pseudonym[outcome.person_of_subject[pair.a]].data());
  };
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i + 3 * kAhead < pairs.size()) prefetchPlaces(pairs[i + 3 * kAhead]);
    if (i + 2 * kAhead < pairs.size()) prefetchTexts(pairs[i + 2 * kAhead]);
    if (i + kAhead < pairs.size()) prefetchPerson(pairs[i + kAhead]);
    const PairOutcome& pair = pairs[i];
    if (!pair.linked) {
      ++summary.reviews;
      open_reviews.add(key_of_subject[pair.a]);
      open_reviews.add(key_of_subject[pair.b]);
      open_reviews.add(std::string_view(reinterpret_cast<const char*>(&pair.probability),
                                        sizeof pair.probability));
    }
    // What the pair is known by; a last evaluation over a state that published none has none
    // to look up, and notes none.
    pipelines::KeyHash known{};
    if (note_known || !known_pairs.empty()) {
      pair_subjects.assign(pair.linked ? "link\x1f" : "review\x1f");
      pair_subjects.append(key_of_subject[pair.a]).push_back('\x1f');
      pair_subjects.append(key_of_subject[pair.b]);
      known = pipelines::keyHash(pair_subjects);
      if (known_pairs.contains(known)) continue;
    }
    const std::string_view a = pseudonymOf(pair.a, made_a);
    const std::string_view b = pseudonymOf(pair.b, made_b);
    pair_key.assign(pair.linked ? "link:" : "review:");
    pair_key.append(a).append(":").append(b);
    const pipelines::KeyHash pair_hash = pipelines::keyHash(pair_key);
    if (published_pairs.insert(pair_hash)) {
      pair_data.assign(R"({"decision":")");
      pair_data.append(pair.linked ? "link" : "review");
      pair_data.append(R"(","person":")");
      pair_data.append(person_pseudonym[outcome.person_of_subject[pair.a]]);
      pair_data.append(R"(","records":[")");
      pair_data.append(a).append(R"(",")").append(b);
      pair_data.append(R"("],"match_probability":)");
      pipelines::appendJsonDouble(pair_data, pair.probability);
      pair_data.append(R"(,"reasons":)");
      identity_resolver->appendReasonsJson(pair_data, pair);
      pair_data.push_back('}');
      pair_digest_key.clear();
      state::StateStore::appendHashedKey(pair_digest_key, pair_hash);
      if (!publish("identity", kIdentityEventType,
                   person_pseudonym[outcome.person_of_subject[pair.a]], pair_data,
                   summary.events_published, pair_digest_key)) {
        return makeError("derive.stopping", "the publisher is stopping");
      }
    }
    if (note_known) known_pairs.insert(known);
  }
  // From here on only the pairs held for review are wanted, with their subjects' keys (for the
  // admin API's list, made last): a council's million links go before the person views and the
  // indicators take their room.
  std::erase_if(outcome.pairs, [](const PairOutcome& pair) { return pair.linked; });
  outcome.pairs.shrink_to_fit();
  std::vector<std::string> review_subjects;  // each review pair's two subject keys, in turn
  review_subjects.reserve(2 * outcome.pairs.size());
  for (const PairOutcome& pair : outcome.pairs) {
    review_subjects.emplace_back(key_of_subject[pair.a]);
    review_subjects.emplace_back(key_of_subject[pair.b]);
  }
  std::vector<std::string_view>().swap(evidence_of_subject);
  for (const state::IdentityDecision& d : *decisions) {
    const std::string key = "decision:" + std::to_string(d.seq);
    if (!published_pairs.insert(pipelines::keyHash(key))) continue;
    std::string data = R"({"decision":)";
    pipelines::appendJsonString(data, d.action);
    data.append(R"(,"records":[")");
    data.append(pipelines::subjectPseudonym(pseudonymiser, d.record_a)).append(R"(",")");
    data.append(pipelines::subjectPseudonym(pseudonymiser, d.record_b));
    data.append(R"("],"audit":{"seq":)");
    pipelines::appendJsonInt(data, d.seq);
    data.append(R"(,"actor":)");
    pipelines::appendJsonString(data, d.actor);
    data.append(R"(,"reason":)");
    pipelines::appendJsonString(data, d.reason);
    data.append(R"(,"hash":)");
    pipelines::appendJsonString(data, d.hash);
    data.append("}}");
    const std::string_view record_a = d.record_a;
    const size_t slash = record_a.find('/');
    const uint32_t* known =
        slash == std::string_view::npos
            ? nullptr
            : subject_index.find(record_a.substr(0, slash), record_a.substr(slash + 1));
    const std::string& key_for = known != nullptr
                                     ? person_pseudonym[outcome.person_of_subject[*known]]
                                     : pipelines::subjectPseudonym(pseudonymiser, d.record_a);
    if (!publish("identity", kIdentityEventType, key_for, data, summary.events_published, key)) {
      return makeError("derive.stopping", "the publisher is stopping");
    }
  }
  // With no evaluation to follow, the pairs published are known to the stored digests (loaded
  // again, should another evaluation come after all).
  // Nor is the list of open reviews made: its one reader, the admin API, closes as the run
  // exits. What explains the pairs (identity's features and model, a council's hundred MB) goes
  // with it, before the person views take their room; an evaluation after all resolves anew and
  // makes the list.
  if (then == DeriveStage::Then::kExit) {
    known_pairs = pipelines::KeyHashSet();
    published_pairs = pipelines::KeyHashSet();
    digests_loaded = false;
    identity_resolver.reset();
    std::vector<PairOutcome>().swap(outcome.pairs);
    std::vector<std::string>().swap(review_subjects);
  }
  evaluation_gate.open();

  // Person views: published when their content changes; a person merged away gets a tombstone
  // view so compacted consumers drop it. A view is made again only if the person's records or
  // subjects changed, unless the last evaluation's views were left unfinished or the day (which
  // the views' ages and open episodes are as of) has changed.
  const canonical::Date as_of = canonical::todayUtc();
  const bool every_view = !views_stood || views_as_of != as_of;
  std::vector<bool> remade(outcome.persons, every_view);
  if (!every_view) {
    for (uint32_t s = 0; s < key_of_subject.size(); ++s) {
      if (subject_was_touched[s] || moved[s]) remade[outcome.person_of_subject[s]] = true;
    }
    for (uint32_t p = 0; p < outcome.persons && !left.empty(); ++p) {
      if (left.contains(person_key[p])) remade[p] = true;
    }
  }
  // The subjects' keys are done with: a council's are a million.
  std::vector<std::string_view>().swap(key_of_subject);
  std::vector<bool>().swap(subject_was_touched);
  std::vector<std::string_view>().swap(representative);
  subject_keys = pipelines::TextArena();
  subject_index = SubjectIndex();
  // The records of each person whose view is made, one person's after another's, by their place
  // in `all`: person p's are at [first_record[p], first_record[p + 1]), in the order of `all`.
  std::vector<uint32_t> first_record(outcome.persons + 1, 0);
  for (size_t i = 0; i < all.size(); ++i) {
    const uint32_t person = outcome.person_of_subject[subject_of_record[i]];
    if (remade[person]) ++first_record[person + 1];
  }
  std::partial_sum(first_record.begin(), first_record.end(), first_record.begin());
  std::vector<uint32_t> records_by_person(first_record.back());
  {
    std::vector<uint32_t> next(first_record.begin(), first_record.end() - 1);
    for (size_t i = 0; i < all.size(); ++i) {
      const uint32_t person = outcome.person_of_subject[subject_of_record[i]];
      if (remade[person]) records_by_person[next[person]++] = static_cast<uint32_t>(i);
    }
  }
  if (!schools) {
    auto loaded = loadSchoolRegister(options.indicators);
    if (!loaded) {
      log.error("school register not loaded: EHC plan settings show as unknown",
                {{"code", loaded.error().code}, {"error", loaded.error().message}});
    }
    schools = loaded ? std::move(loaded).value() : pipelines::indicators::SchoolRegister{};
  }
  // The views standing after this evaluation: what the next one retires views against. A last
  // evaluation over a state that published none before lists none (a council's 223,000): no
  // view is retired, and an evaluation after all reads the views published from the stored
  // digests.
  const bool list_views =
      then != DeriveStage::Then::kExit || !published_views.empty() || options.digests == nullptr;
  std::unordered_set<std::string> views;
  if (list_views) views.reserve(outcome.persons);
  std::vector<canonical::RecordRef> person_records;
  for (uint32_t p = 0; p < outcome.persons; ++p) {
    if (list_views) views.insert(person_pseudonym[p]);
    if (!remade[p]) continue;
    person_records.clear();
    for (uint32_t n = first_record[p]; n < first_record[p + 1]; ++n) {
      person_records.push_back(recordAt(records_by_person[n]));
    }
    const std::string data = personViewJson(person_pseudonym[p], person_records, as_of, &*schools);
    if (!publish("person.view", kPersonViewEventType, person_pseudonym[p], data,
                 summary.events_published, person_pseudonym[p])) {
      return makeError("derive.stopping", "the publisher is stopping");
    }
  }
  // Family views: each household or family the records name, with its members, keyed by the
  // group's pseudonym (its reference is a local id of the source system).
  // Each member carries its dates of membership. Made again only when a record that shapes them
  // changed, a subject joined or left a person (a member's pseudonym may change), or every person
  // view is made again.
  const bool remake_groups = every_view || groups_touched || !left.empty() ||
                             std::find(moved.begin(), moved.end(), true) != moved.end();
  if (!remake_groups) {
    if (list_views) views.insert(group_views.begin(), group_views.end());
  } else {
    std::map<GroupRef, std::map<std::string, Membership>> members_of_group;
    GroupDates group_dates;
    for (size_t i = 0; i < all.size(); ++i) group_dates.add(recordAt(i));
    for (size_t i = 0; i < all.size(); ++i) {
      if (const std::optional<GroupRef> group = groupOf(recordAt(i))) {
        members_of_group[*group].emplace(
            person_pseudonym[outcome.person_of_subject[subject_of_record[i]]],
            group_dates.of(*group, recordAt(i)));
      }
    }
    group_views.clear();
    for (const auto& [group, members] : members_of_group) {
      const std::string key = pseudonymiser.pseudonym("group/" + group.system, group.ref);
      if (list_views) views.insert(key);
      group_views.push_back(key);
      if (!publish("person.view", kPersonViewEventType, key,
                   groupMembershipViewJson(key, group.kind, members, as_of),
                   summary.events_published, key)) {
        return makeError("derive.stopping", "the publisher is stopping");
      }
    }
  }
  for (const std::string& pseudonym : published_views) {
    if (views.contains(pseudonym)) continue;
    // The retired view says why the person went; the tombstone after it lets compaction drop
    // the key.
    const std::string data = R"({"person":")" + pseudonym + R"(","retired":true})";
    if (!publish("person.view", kPersonViewEventType, pseudonym, data, summary.events_published) ||
        !publishTombstone("person.view", pseudonym, summary.events_published)) {
      return makeError("derive.stopping", "the publisher is stopping");
    }
    std::string digest_key = "person.view\x1f" + pseudonym;
    digests.erase(pipelines::keyHash(digest_key));
    stageDigest(std::move(digest_key), std::nullopt);
  }
  // What the views were made from goes before the indicator events come in.
  std::vector<uint32_t>().swap(records_by_person);
  std::vector<uint32_t>().swap(first_record);
  published_views.swap(views);
  views_complete = true;
  groups_touched = false;
  views_as_of = as_of;
  summary.views_seconds = std::chrono::duration<double>(Clock::now() - views_started).count();

  if (indicator_update.valid()) {
    const auto waited = Clock::now();
    indicator_update.wait();
    summary.wait_seconds = std::chrono::duration<double>(Clock::now() - waited).count();
    std::vector<std::string> written;
    const bool all_published = indicator_update.get().forEach([&](const IndicatorEvent& event) {
      const uint64_t before = summary.events_published;
      if (!publish(event.topic, event.type, event.key, event.data_json, summary.events_published,
                   event.digest_key)) {
        return false;
      }
      if (event.topic == "indicator.values" && summary.events_published > before) {
        written.push_back(event.key);
      }
      return true;
    });
    if (!all_published) return makeError("derive.stopping", "the publisher is stopping");
    // A cycle that changed no value leaves the last marker standing: its snapshot is the same.
    pipelines::indicators::CycleMarker marker = snapshotMarker(std::move(written));
    if (!marker.keys_written.empty() || indicator_cycle == 0) {
      marker.cycle = ++indicator_cycle;
      if (!publish("indicator.values", kIndicatorCycleEventType,
                   "cycle|" + marker.period.label + "|" + options.indicators.area_code,
                   pipelines::indicators::toJson(marker), summary.events_published)) {
        return makeError("derive.stopping", "the publisher is stopping");
      }
      stageDigest(std::string(kCycleDigestKey), indicator_cycle);
    }
    std::lock_guard cache(cache_mutex);
    indicators_json = R"({"cycle":)" + std::to_string(indicator_cycle) + R"(,"digest":")" +
                      marker.digest + R"(","values":)" + indicators->valuesJson() + "}";
    indicators_table = indicators->table();
  }
  // What only the views and the indicators read goes before the reviews' text is made, the
  // last large thing a council's first evaluation makes.
  std::vector<RecordAt>().swap(all);
  std::vector<uint32_t>().swap(subject_of_record);
  std::vector<uint32_t>().swap(filed_anew_at);
  std::vector<AttributedRecord>().swap(reference_records);
  pseudonym_of_key = PersonPseudonyms();
  std::vector<std::string>().swap(person_pseudonym);

  // The open reviews with their reasons, written again only when they changed; last, once the
  // views and the indicator events are out, since a council's are over a hundred megabytes.
  std::optional<ReviewsText> reviews;
  std::string reviews_digest;
  open_reviews.finishInto(reviews_digest);
  if (then == DeriveStage::Then::kExit) {
    open_reviews_digest.clear();  // not made: the next evaluation makes it
  } else if (reviews_digest != open_reviews_digest) {
    reviews.emplace();
    std::string item = "[";
    for (size_t n = 0; n < outcome.pairs.size(); ++n) {
      const PairOutcome& pair = outcome.pairs[n];
      if (n > 0) item.push_back(',');
      item.append(R"({"record_a":)");
      pipelines::appendJsonString(item, review_subjects[2 * n]);
      item.append(R"(,"record_b":)");
      pipelines::appendJsonString(item, review_subjects[2 * n + 1]);
      item.append(R"(,"match_probability":)");
      pipelines::appendJsonDouble(item, pair.probability);
      item.append(R"(,"reasons":)");
      identity_resolver->appendReasonsJson(item, pair);
      item.push_back('}');
      reviews->append(item);
      item.clear();
    }
    item.push_back(']');
    reviews->append(item);
  }
  {
    std::lock_guard cache(cache_mutex);
    if (reviews) {
      reviews_json = std::move(*reviews).pieces();
      open_reviews_digest = std::move(reviews_digest);
    }
  }

  if (generation) {
    std::string table;
    {
      std::lock_guard cache(cache_mutex);
      if (summary.records > 0) table = indicators_table;
    }
    if (auto saved = options.digests->saveMeta(kTableMetaKey, table); !saved) return saved.error();
    stageDigest(std::string(kInputsDigestKey), inputsDigest(*generation, *decisions));
  }
  for (auto& entry : held) entry.second.changed = false;
  touched_subjects.clear();
  // The engine has let go of what it filed from the blocks retired: it has withdrawn their
  // evidence, or filed the records that replace it.
  removed_evidence.clear();
  retired.clear();
  ++evaluations;
  // Every event of this evaluation is emitted: its number becomes committable, and its digests
  // storable, once Kafka has confirmed them all.
  if (tracker != nullptr && publisher != nullptr && options.digests != nullptr) {
    tracker->onCheckpoint(options.slot, std::to_string(evaluations));
  }
  if (options.metrics != nullptr) {
    options.metrics->deriveSeconds().Set(summary.seconds);
    options.metrics->deriveLastSuccess().Set(static_cast<double>(wallMs()) / 1000.0);
    options.metrics->canonicalRecords().Set(static_cast<double>(summary.records));
    options.metrics->persons().Set(static_cast<double>(summary.persons));
    options.metrics->identityReviewPairs().Set(static_cast<double>(summary.reviews));
  }
  const auto finished = Clock::now();
  summary.indicator_seconds = indicator_seconds;
  summary.seconds = std::chrono::duration<double>(finished - started).count();
  log.info("derived", {{"records", summary.records},
                       {"linkage_records", summary.linkage_records},
                       {"persons", summary.persons},
                       {"links", summary.links},
                       {"reviews", summary.reviews},
                       {"events", summary.events_published},
                       {"seconds", summary.seconds},
                       {"apply_seconds", summary.apply_seconds},
                       {"identity_seconds", summary.identity_seconds},
                       {"views_seconds", summary.views_seconds},
                       {"indicator_seconds", summary.indicator_seconds},
                       {"indicator_wait_seconds", summary.wait_seconds},
                       {"identity_rebuilt", outcome.rebuilt},
                       {"linkage_digest", summary.linkage_digest}});
  return summary;
}

std::string DeriveStage::indicatorsJson() const {
  std::lock_guard lock(impl_->cache_mutex);
  return impl_->indicators_json;
}

std::string DeriveStage::indicatorsTable() const {
  std::lock_guard lock(impl_->cache_mutex);
  return impl_->indicators_table;
}

std::vector<std::pair<std::string, std::string>> DeriveStage::subjectPersons() const {
  std::lock_guard lock(impl_->cache_mutex);
  return impl_->subject_persons;
}

std::string DeriveStage::reviewsJson() const {
  std::lock_guard lock(impl_->cache_mutex);
  size_t size = 0;
  for (const std::string& piece : impl_->reviews_json) size += piece.size();
  std::string json;
  json.reserve(size);
  for (const std::string& piece : impl_->reviews_json) json.append(piece);
  return json;
}

Result<state::IdentityDecision> DeriveStage::decide(std::string_view action,
                                                    std::string_view record_a,
                                                    std::string_view record_b,
                                                    std::string_view actor,
                                                    std::string_view reason) {
  if (action != "merge" && action != "unmerge") {
    return makeError("identity.action", "action must be merge or unmerge");
  }
  if (record_a.empty() || record_b.empty() || record_a == record_b) {
    return makeError("identity.records", "two different records are needed");
  }
  if (actor.empty() || reason.empty()) {
    return makeError("identity.audit", "a decision needs who made it and why");
  }
  state::IdentityDecision decision;
  decision.actor = actor;
  decision.action = action;
  decision.record_a = record_a;
  decision.record_b = record_b;
  decision.reason = reason;
  auto stored = impl_->store.appendDecision(std::move(decision));
  if (stored) {
    // Evaluate soon, even if no record arrives.
    std::lock_guard lock(impl_->pending_mutex);
    impl_->pending.push_back(wakeUp(impl_->stream_names, "decision"));
  }
  return stored;
}

}  // namespace hearth::daemon::derive
