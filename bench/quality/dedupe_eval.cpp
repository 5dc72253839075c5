// Measures duplicate detection: precision/recall/F1 on the Febrl sets and on generated mixed
// Cyrillic/Latin contacts, and the scan time for a large generated base. Prints Markdown.
//
// Usage: dedupe_eval [--data DIR] [--mixed N] [--scale N] [--threads N] [--window N]
//   --data    shared data folder (default $VORONKA_SHARED_DATA, else ../shared/data)
//   --mixed   size of the generated set used for P/R/F1 (default 20000)
//   --scale   size of the generated set that is timed (default 1000000; 0 skips it)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "quality/contact_generator.hpp"
#include "quality/dedupe_metrics.hpp"
#include "quality/duplicate_scan.hpp"
#include "quality/febrl_data.hpp"

namespace {

using voronka::quality::LabeledRecords;
using voronka::quality::ScanOptions;

double SecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void PrintRow(const char* name, const LabeledRecords& set, ScanOptions options) {
    voronka::quality::ScanStats stats;
    options.stats = &stats;
    const auto start = std::chrono::steady_clock::now();
    const auto pairs = voronka::quality::ScanDuplicates(set.records, options);
    const double seconds = SecondsSince(start);
    const auto m = voronka::quality::EvaluatePairs(pairs, set, options.only_across_sources);
    std::printf(
        "| %s | %zu | %zu | %zu | %zu | %.4f | %.4f | %.4f | %.2f |\n",
        name,
        set.records.size(),
        m.true_pairs,
        m.predicted_pairs,
        m.true_positives,
        m.precision,
        m.recall,
        m.f1,
        seconds
    );
    std::fprintf(
        stderr,
        "%s: %zu comparisons; prepare %.2f s, blocking %.2f s, scoring %.2f s\n",
        name,
        stats.comparisons,
        stats.prepare_seconds,
        stats.blocking_seconds,
        stats.scoring_seconds
    );
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    std::string data_dir = std::getenv("VORONKA_SHARED_DATA") != nullptr
                               ? std::getenv("VORONKA_SHARED_DATA")
                               : VORONKA_DEFAULT_SHARED_DATA;
    std::size_t mixed = 20000;
    std::size_t scale = 1000000;
    ScanOptions options;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view flag = argv[i];
        const char* value = argv[i + 1];
        if (flag == "--data") {
            data_dir = value;
        } else if (flag == "--mixed") {
            mixed = std::strtoull(value, nullptr, 10);
        } else if (flag == "--scale") {
            scale = std::strtoull(value, nullptr, 10);
        } else if (flag == "--threads") {
            options.threads = std::atoi(value);
        } else if (flag == "--window") {
            options.window = std::atoi(value);
        } else {
            std::fprintf(stderr, "unknown flag %s\n", argv[i]);
            return 2;
        }
    }

    std::printf(
        "| data set | records | true pairs | reported | correct | precision | recall | F1 | scan s "
        "|\n"
    );
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const char* name : {"dataset1", "dataset2", "dataset3"}) {
        auto set = voronka::quality::LoadFebrl(data_dir + "/febrl/" + name + ".csv");
        if (!set) {
            std::fprintf(stderr, "%s\n", set.error().message.c_str());
            return 1;
        }
        PrintRow((std::string("febrl ") + name).c_str(), *set, options);
    }
    {
        auto a = voronka::quality::LoadFebrl(data_dir + "/febrl/dataset4a.csv", 0);
        auto b = voronka::quality::LoadFebrl(data_dir + "/febrl/dataset4b.csv", 1);
        if (!a || !b) {
            std::fprintf(stderr, "cannot load dataset4a/4b\n");
            return 1;
        }
        voronka::quality::AppendRecords(*a, std::move(*b));
        ScanOptions link = options;
        link.only_across_sources = true;
        PrintRow("febrl dataset4a x 4b (link)", *a, link);
    }
    {
        voronka::quality::GeneratorOptions generator;
        generator.records = mixed;
        PrintRow(
            "mixed Cyrillic/Latin (generated)",
            voronka::quality::GenerateContacts(generator),
            options
        );
    }
    if (scale > 0) {
        voronka::quality::GeneratorOptions generator;
        generator.records = scale;
        generator.seed = 7;
        const auto start = std::chrono::steady_clock::now();
        const LabeledRecords big = voronka::quality::GenerateContacts(generator);
        std::fprintf(
            stderr, "generated %zu contacts in %.1f s\n", big.records.size(), SecondsSince(start)
        );
        PrintRow("mixed, scale run", big, options);
    }
    return 0;
}
