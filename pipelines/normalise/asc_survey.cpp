#include <optional>
#include <string>
#include <string_view>

#include "pipelines/normalise/layout.hpp"
#include "pipelines/normalise/record_reader.hpp"

namespace hearth::pipelines::normalise {
namespace {

using validation::Severity;

// An answer of 1-4; a blank is no answer, and anything else is a query and no answer either, so
// the respondent leaves the question's denominator rather than counting as "not safe".
std::optional<int> answer(RecordReader& r, std::string_view question) {
  std::optional<int> value = r.count(question);
  if (value && (*value < 1 || *value > 4)) {
    r.finding("survey.answer_out_of_range",
              std::string(question) + " is not an answer the questionnaire offers (1-4)", question,
              Severity::kQuery);
    return std::nullopt;
  }
  return value;
}

// One answer sheet. Linked to the client when the council's extract keeps its person id; the
// survey's own returns (../shared/data/asc-survey) name only the respondent (`PrimaryKey`).
size_t surveyResponse(RecordReader& r) {
  auto s = start<canonical::AdultCareSurveyResponse>(r);
  const std::string_view id_field =
      r.field("LA_Person_Unique_Identifier").empty() ? "PrimaryKey" : "LA_Person_Unique_Identifier";
  const bool ok = r.subject(id_field, s.subject);
  s.survey_year = r.field("Survey_Year");
  if (s.survey_year.empty() && r.year() != 0) {
    s.survey_year = std::to_string(r.year()) + "-" + std::to_string((r.year() + 1) % 100);
  }
  s.q7a = answer(r, "q7a");
  s.q7b = answer(r, "q7b");
  s.stratum = answer(r, "Stratum");
  if (!ok) return 0;
  return emit(r, std::move(s));
}

}  // namespace

// The Adult Social Care Survey's respondent rows: the "feel safe" questions and the stratum the
// national figures weight by. The other answers and the derived columns are outside the
// canonical model; they are named as unmapped, once.
const Layout& ascSurveyLayout() {
  static const Layout kLayout = makeLayout({
      .name = "asc_survey",
      .mapped_everywhere = {"collection_year"},
      .ignored_everywhere = {},
      .streams = {{{"survey",
                    {"LA_Person_Unique_Identifier", "PrimaryKey", "Survey_Year", "q7a", "q7b",
                     "Stratum"},
                    {"LaCode", "SerialNo"}},
                   surveyResponse}},
      .match = StreamMatch::kExact,
      .dates = DateForm::kIso,
      .ssda903_rules = false,
      .reference_date = nullptr,
  });
  return kLayout;
}

}  // namespace hearth::pipelines::normalise
