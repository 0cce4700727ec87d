#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "daemon/config/config.hpp"
#include "daemon/delivery/checkpoint_tracker.hpp"
#include "daemon/kafka/publisher.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/runtime/canonical_sink.hpp"
#include "daemon/state/record_store.hpp"
#include "daemon/state/state_store.hpp"
#include "pipelines/canonical/model.hpp"
#include "pipelines/events/raw_record.hpp"
#include "pipelines/normalise/normaliser.hpp"
#include "pipelines/privacy/pseudonymiser.hpp"

namespace hearth::daemon::derive {

struct DeriveOptions {
  config::IdentityConfig identity;
  config::IndicatorsConfig indicators;
  int suppression_threshold = 5;
  std::string topic_prefix = "hearth.";
  uint32_t slot = 0;  // the checkpoint tracker's source id for derived events (no checkpoints)
  std::chrono::milliseconds interval{10000};
  metrics::Metrics* metrics = nullptr;  // optional
  pipelines::EventOrigin origin = {};   // the `source` and `dataschema` of derived events
  /// Where a digest of what each key last carried is kept (optional): with it, a restart
  /// publishes only the person views, links and indicator events whose content changed.
  state::StateStore* digests = nullptr;
  /// What derived events depend on besides the stored records, the decisions and the options
  /// above: the configuration, the build, the day. With it and `digests`, each evaluation notes
  /// what it derived from, so that a run over the same inputs need not derive again
  /// (loadStoredUnlessCurrent). 0: not noted.
  uint64_t settings_digest = 0;
  /// Keeps each subject's person, as resolved, for subjectPersons(): for measuring linkage
  /// offline. A service has no use for it, and a council's would cost about 100 MB.
  bool keep_subject_persons = false;
};

/// What one evaluation did, for the log and tests.
struct EvaluationSummary {
  uint64_t records = 0;           // canonical records held
  uint64_t linkage_records = 0;   // person records linked
  uint64_t persons = 0;           // resolved persons
  uint64_t links = 0;             // pairs linked by the model
  uint64_t reviews = 0;           // pairs held for review
  uint64_t events_published = 0;  // identity, person view, indicator value and fact events
  double seconds = 0;
  double apply_seconds = 0;      // of which: taking in what arrived
  double identity_seconds = 0;   // ... identity resolution
  double views_seconds = 0;      // ... identity decisions and person views, published
  double indicator_seconds = 0;  // ... the indicators (alongside the views, on their own thread)
  double wait_seconds = 0;       // ... waiting for the indicators once the views were published
  /// A digest of which subjects were resolved to which persons: equal digests, equal linkage.
  std::string linkage_digest;
  /// Nothing new since the evaluation whose events were last confirmed: nothing was done, and
  /// the indicator table is that evaluation's.
  bool up_to_date = false;
};

/// The derive stage of the data flow: identity resolution over the canonical records, the
/// person view of every resolved person, and the indicators; each evaluation publishes what
/// changed since the previous one to `hearth.identity`, `hearth.person.view`,
/// `hearth.indicator.values` and `hearth.indicator.facts`.
///
/// Connector threads hand records in through accept() (a short lock around a queue); one
/// evaluation thread owns everything else. The source records behind the canonical ones are in
/// the record store, so loadStored() rebuilds the whole picture deterministically.
class DeriveStage final : public runtime::CanonicalSink {
 public:
  DeriveStage(DeriveOptions options, pipelines::Pseudonymiser pseudonymiser,
              kafka::Publisher* publisher, delivery::CheckpointTracker* tracker,
              state::RecordStore& store);
  ~DeriveStage() override;
  DeriveStage(const DeriveStage&) = delete;
  DeriveStage& operator=(const DeriveStage&) = delete;

  void accept(std::string_view connector, std::string_view stream, std::string_view source_key,
              std::vector<pipelines::canonical::Record>& records) override;

  /// Re-normalises every stored source record of the connectors named in `contexts` (the
  /// others' records are ignored). Returns the number of canonical records loaded.
  Result<uint64_t> loadStored(
      const std::map<std::string, pipelines::normalise::NormaliseContext>& contexts);

  /// As loadStored(), unless the last evaluation whose events Kafka confirmed derived from exactly
  /// the records and decisions the store holds now, under the same settings: then nothing is
  /// loaded yet. An evaluation with nothing new then publishes nothing and costs nothing; the
  /// first one with new records (or a decision, or a reconfigure) loads the stored ones first.
  /// Returns the number of canonical records loaded, or nullopt when the loading was put off.
  Result<std::optional<uint64_t>> loadStoredUnlessCurrent(
      const std::map<std::string, pipelines::normalise::NormaliseContext>& contexts);

  /// Takes new identity, indicator, suppression and interval settings (a reload): the next
  /// evaluation, due at once, resolves identities and computes every indicator afresh with them.
  void reconfigure(const DeriveOptions& options);

  /// Starts the thread that evaluates every interval when new records have arrived.
  void start();
  void stop();

  /// Whether another evaluation may follow this one.
  enum class Then {
    kMayEvaluateAgain,
    /// The last of a one-shot run: what only a later evaluation builds on (identity's blocking
    /// and linkage keys, the indicator engine's record owners and persons' outcomes) goes as
    /// soon as this one is done with it, to keep the peak lower. An evaluation after it still
    /// works: it resolves identities from scratch and files every record into a new engine.
    kExit,
  };
  /// Evaluates now, on the calling thread (serialised with the periodic thread).
  Result<EvaluationSummary> evaluate(Then then = Then::kMayEvaluateAgain);
  /// Whether an evaluation is under way (for the service status).
  bool evaluating() const;

  /// Stores the digests of the evaluations whose events Kafka has all confirmed, so that a
  /// digest never claims an event that a crash could still lose. Any thread; cheap when none.
  Result<void> saveDurableDigests();

  /// Current indicator values as JSON (GET /api/v1/indicators) and as a terminal table.
  std::string indicatorsJson() const;
  std::string indicatorsTable() const;
  /// Each subject ("<system>/<local id>") with the representative subject of its person, as
  /// resolved by the last evaluation (for `hearthd linkage-eval` against a truth file); empty
  /// unless options.keep_subject_persons.
  std::vector<std::pair<std::string, std::string>> subjectPersons() const;

  /// Pairs held for review (GET /api/v1/identity/reviews): pseudonymous record references.
  std::string reviewsJson() const;

  /// A reviewer's decision on two records given by their subject references
  /// ("<system>/<local id>"): "merge" links them, "unmerge" keeps them apart. Audited in the
  /// record store; takes effect at the next evaluation.
  Result<state::IdentityDecision> decide(std::string_view action, std::string_view record_a,
                                         std::string_view record_b, std::string_view actor,
                                         std::string_view reason);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hearth::daemon::derive
