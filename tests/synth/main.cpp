#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>

#include "tests/synth/generator.hpp"

int main(int argc, char** argv) {
  hearth::synth::Options options;
  hearth::synth::MessRates rates;
  std::string out;
  bool quiet = false;
  CLI::App app{
      "hearth-synth: a synthetic council's data in every source format, with ground truth"};
  app.add_option("--seed", options.seed,
                 "Random seed; the same seed and scale give the same bytes");
  app.add_option("--scale", options.scale, "Share of West Northamptonshire's 434,349 residents")
      ->check(CLI::Range(0.0005, 2.0));
  app.add_option("--out", out, "Output directory")->required();
  app.add_option("--mess-rate", options.mess_rate,
                 "Multiplier on every default error rate; 0 = clean")
      ->check(CLI::Range(0.0, 20.0));
  app.add_option("--year-end", options.year_end,
                 "The last financial year ends on 31 March of this year")
      ->check(CLI::Range(2021, 2027));
  app.add_option("--threads", options.threads, "Writer threads (1 or 2)")->check(CLI::Range(1, 2));
  app.add_option("--duplicate-rate", rates.duplicate,
                 "Base rate of duplicate records within a source");
  app.add_option("--typo-rate", rates.name_typo, "Base rate of name typos");
  app.add_option("--nhs-missing-rate", rates.nhs_missing, "Base rate of missing NHS numbers");
  app.add_option("--invalid-code-rate", rates.invalid_code, "Base rate of invalid codes");
  app.add_flag("--quiet", quiet, "Do not print the size report");
  CLI11_PARSE(app, argc, argv);

  const auto started = std::chrono::steady_clock::now();
  try {
    const auto files = hearth::synth::generateCouncil(options, rates, out);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!quiet) {
      uint64_t total = 0;
      for (const auto& f : files) {
        std::printf("%12llu  %10llu  %s\n", static_cast<unsigned long long>(f.bytes),
                    static_cast<unsigned long long>(f.records), f.path.c_str());
        total += f.bytes;
      }
      std::printf("%12llu  total bytes in %zu files, %.2f s\n",
                  static_cast<unsigned long long>(total), files.size(), seconds);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hearth-synth: %s\n", e.what());
    return 1;
  }
  return 0;
}
