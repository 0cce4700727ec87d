#pragma once

#include "tests/synth/case_system.hpp"
#include "tests/synth/mess.hpp"

namespace hearth::synth {

// One writer per source format. Each writes under the output root held by its context, records
// every person-bearing row in the truth map and logs the mess it injects.

/// SSDA903 CSV set and EXPSSDA903 XML, one folder per collection year.
void writeSsda903(SourceContext& context, const CaseSystem& cases);
/// CIN census XML, one file per collection year.
void writeCinCensus(SourceContext& context, const CaseSystem& cases);
/// The Standard Safeguarding Dataset as a SQLite file and as a PostgreSQL load script.
void writeSsd(SourceContext& context, const CaseSystem& cases);

/// School census blade exports, the schools register (GIAS) and KS4 results.
void writeSchoolCensus(SourceContext& context);
/// SEN2 blade export for the last January census.
void writeSen2(SourceContext& context);
/// NCCIS monthly activity, early years census, DWP two-year-old list, CME register.
void writeEarlyYearsAndYoungPeople(SourceContext& context);
/// Ofsted management information: latest graded inspections of schools and early years settings.
void writeOfsted(SourceContext& context);

/// FHIR R4 Bulk Data NDJSON: Patient, Encounter, Condition, and the export manifest.
void writeFhir(SourceContext& context);
/// H-CLIC sections as CSV and SQL, and rough sleeping records.
void writeHousing(SourceContext& context);
/// Adult social care client level data and the adult social care survey.
void writeAdultSocialCare(SourceContext& context);

/// Postcode lookup (ONSPD column names), local areas and the bank holiday list.
void writeReference(SourceContext& context);

}  // namespace hearth::synth
