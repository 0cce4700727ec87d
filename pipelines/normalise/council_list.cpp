#include "pipelines/normalise/council_list.hpp"

namespace hearth::pipelines::normalise {

canonical::Person namedPerson(RecordReader& r, const canonical::Subject& subject,
                              std::string_view given, std::string_view family,
                              std::string_view birth, std::string_view sex) {
  auto person = start<canonical::Person>(r);
  person.subject = subject;
  person.given_name = r.field(given);
  person.family_name = r.field(family);
  person.birth_date = r.date(birth);
  const std::string_view code = r.field(sex);
  if (equalsIgnoreCase(code, "M")) person.sex = canonical::Sex::kMale;
  if (equalsIgnoreCase(code, "F")) person.sex = canonical::Sex::kFemale;
  return person;
}

Layout singleStreamLayout(std::string_view name, StreamFields fields,
                          std::vector<std::string_view> ignored_everywhere,
                          size_t (*normalise)(RecordReader&)) {
  return makeLayout({
      .name = name,
      .mapped_everywhere = {"collection_year"},
      .ignored_everywhere = std::move(ignored_everywhere),
      .streams = {{std::move(fields), normalise}},
      .match = StreamMatch::kExact,
      .dates = DateForm::kIso,
      .ssda903_rules = false,
      .reference_date = nullptr,
  });
}

}  // namespace hearth::pipelines::normalise
