#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "pipelines/canonical/model.hpp"
#include "pipelines/canonical/packed_records.hpp"
#include "pipelines/indicators/school_register.hpp"

namespace hearth::daemon::derive {

/// The person view (DESIGN.md, "Canonical model"): a resolved person's current flags across
/// services, age band, sex and area, as the `data` of a `hearth.person.view` event. Pseudonymous:
/// the person is named by `pseudonym`, the birth date becomes an age band and the postcode its
/// sector. Its `sources` are the systems of the records' subjects: those linked to the person.
std::string personViewJson(const std::string& pseudonym,
                           std::span<const pipelines::canonical::RecordRef> records,
                           pipelines::canonical::Date as_of,
                           const pipelines::indicators::SchoolRegister* schools = nullptr);

/// A household or family as a group (DESIGN.md, "Households and families"): its members' person
/// pseudonyms, published on `hearth.person.view` keyed by the group's own pseudonym.
struct GroupRef {
  std::string kind;    // "household" (H-CLIC households, CLD carer links), "family" (SSD) or
                       // "mother" (a mother and her children, SSD ssd_mother)
  std::string system;  // the source system whose reference it is
  std::string ref;     // the group's reference there
  auto operator<=>(const GroupRef&) const = default;
};

/// The group a record makes its subject a member of, if any.
std::optional<GroupRef> groupOf(pipelines::canonical::RecordRef record);

/// Whether a record says anything a family view shows: a membership (groupOf), or a homelessness
/// case, duty or placement, which date a household's membership (GroupDates).
bool shapesGroups(pipelines::canonical::RecordRef record);

/// The `data` of a family view: the group, its kind and its members, sorted.
std::string groupViewJson(const std::string& group_pseudonym, std::string_view kind,
                          const std::set<std::string>& members, pipelines::canonical::Date as_of);

/// When a member belonged to a group; a date is null when the records do not give it (`to`:
/// still a member, or not known to have left).
struct Membership {
  std::optional<pipelines::canonical::Date> from;
  std::optional<pipelines::canonical::Date> to;
};

/// Membership over time, from the records of a group: a member's own dates where its record has
/// them, else the group's. An H-CLIC case's household runs from the application to the end of
/// the case's last duty or placement, once every one of them has ended.
class GroupDates {
 public:
  void add(pipelines::canonical::RecordRef record);
  Membership of(const GroupRef& group, pipelines::canonical::RecordRef member) const;

 private:
  struct Span {
    std::optional<pipelines::canonical::Date> from;
    std::optional<pipelines::canonical::Date> last_end;
    bool open = false;  // a duty or placement without an end
  };
  std::map<GroupRef, Span> spans_;
};

/// The family view with each member's dates: `membership`, one entry per member, sorted.
std::string groupMembershipViewJson(const std::string& group_pseudonym, std::string_view kind,
                                    const std::map<std::string, Membership>& membership,
                                    pipelines::canonical::Date as_of);

/// The age band of someone `age` years old: "under 1", "1-4", "5-9", "10-15", "16-17",
/// "18-24", "25-64", "65+" (the children's bands are the DfE's).
std::string_view ageBand(int age);

}  // namespace hearth::daemon::derive
