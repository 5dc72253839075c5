// Measures data quality inside the app on a SQLite file: what the keys hook adds to a durable
// create, the on-entry duplicate lookup of the create response, and the scan of stored records.
// Prints Markdown.
//
// Usage: quality_db_bench [--records N] [--probes M] [--db PATH]
//   --records  contacts stored before probing (default 100000)
//   --probes   creates timed one by one, each its own durable transaction (default 2000)
//   --db       SQLite file to create (default: a fresh file in the temp directory, removed after)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "app/app.hpp"
#include "quality/contact_generator.hpp"
#include "quality/duplicate_pairs.hpp"
#include "quality/matcher.hpp"
#include "quality/record_keys.hpp"
#include "records/record_routes.hpp"
#include "sales/sales_entities.hpp"
#include <unistd.h>

namespace {

using namespace voronka;
using core::Json;
using Clock = std::chrono::steady_clock;

double MillisSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// CPU time of this thread, which scheduling noise from other processes does not inflate.
double ThreadCpuMillis() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1000.0 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double Percentile(std::vector<double> values, double p) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const size_t at =
        std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size())));
    return values[at];
}

Json Body(const quality::MatchRecord& r) {
    Json body = Json::object();
    auto put = [&](const char* key, const std::string& value) {
        if (!value.empty()) {
            body[key] = value.substr(0, 200);
        }
    };
    put("first_name", r.first_name);
    put("middle_name", r.middle_name);
    put("last_name", r.last_name);
    put("email", r.email);
    put("phone", r.phone);
    const std::string day = quality::BirthdayKey(r.birthday);
    if (day.size() == 8) {
        body["birthday"] = day.substr(0, 4) + "-" + day.substr(4, 2) + "-" + day.substr(6, 2);
    }
    if (body.empty()) {
        body["last_name"] = "Unknown";
    }
    return body;
}

void Fail(const core::Error& e) {
    std::fprintf(stderr, "error: %s (%s)\n", e.message.c_str(), e.internal.c_str());
    std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
    size_t records = 100000;
    size_t probes = 2000;
    std::string db_path;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view flag = argv[i];
        if (flag == "--records") {
            records = std::strtoull(argv[i + 1], nullptr, 10);
        } else if (flag == "--probes") {
            probes = std::strtoull(argv[i + 1], nullptr, 10);
        } else if (flag == "--db") {
            db_path = argv[i + 1];
        }
    }
    const bool temporary = db_path.empty();
    if (temporary) {
        db_path = (std::filesystem::temp_directory_path() /
                   ("quality_db_bench_" + std::to_string(::getpid()) + ".db"))
                      .string();
    }
    auto opened = storage::OpenDatabase(db_path);
    if (!opened) {
        Fail(opened.error());
    }
    storage::Database& db = **opened;
    if (auto m = db.Migrate(); !m) {
        Fail(m.error());
    }
    core::SystemClock clock;
    auto app = app::BuildApp(db, clock);
    auto tenant =
        storage::WriteReturning<std::pair<int64_t, std::string>>(db, [&](storage::Connection& tx) {
            return app->auth.CreateTenant(
                tx, "Bench", "bench-" + std::to_string(::getpid()) + "@test.example", "password-123"
            );
        });
    if (!tenant) {
        Fail(tenant.error());
    }
    access::RequestContext ctx;
    ctx.tenant_id = tenant->first;
    ctx.user_id = tenant->second;
    ctx.role = "admin";
    ctx.permissions = access::BuiltinRole("admin");

    // The same contacts without the quality domain: the baseline create.
    records::EntityRegistry plain_registry;
    sales::RegisterSalesEntities(plain_registry);
    records::RecordService plain(db, plain_registry, clock);

    quality::GeneratorOptions gen;
    gen.records = records + probes;
    const quality::LabeledRecords set = quality::GenerateContacts(gen);
    const size_t stored = std::min(records, set.records.size());

    auto start = Clock::now();
    for (size_t begin = 0; begin < stored; begin += 500) {
        auto st = db.Write([&](storage::Connection& tx) -> core::Status {
            for (size_t i = begin; i < std::min(stored, begin + 500); ++i) {
                VK_RETURN_IF_ERROR(
                    app->records->Create(tx, ctx, "contacts", Body(set.records[i])).has_value()
                        ? core::Ok()
                        : core::Status(core::Error::Internal("create failed"))
                );
            }
            return core::Ok();
        });
        if (!st) {
            Fail(st.error());
        }
    }
    const double load_ms = MillisSince(start);

    std::vector<double> plain_ms, hooked_ms, lookup_ms, lookup_cpu_ms;
    size_t flagged = 0;
    for (size_t i = stored; i < set.records.size() && i < stored + probes; ++i) {
        const Json body = Body(set.records[i]);
        // Alternate which create goes first so caches and the WAL treat both alike.
        for (int pass = 0; pass < 2; ++pass) {
            const bool with_quality = (pass == 0) == (i % 2 == 0);
            auto t = Clock::now();
            auto created =
                storage::WriteReturning<records::Record>(db, [&](storage::Connection& tx) {
                    return with_quality ? app->records->Create(tx, ctx, "contacts", body)
                                        : plain.Create(tx, ctx, "contacts", body);
                });
            const double ms = MillisSince(t);
            if (!created) {
                Fail(created.error());
            }
            if (!with_quality) {
                plain_ms.push_back(ms);
                continue;
            }
            hooked_ms.push_back(ms);
            Json response = created->body;
            t = Clock::now();
            const double cpu = ThreadCpuMillis();
            records::AddCreateExtras(*app->records, ctx, "contacts", response);
            lookup_cpu_ms.push_back(ThreadCpuMillis() - cpu);
            lookup_ms.push_back(MillisSince(t));
            flagged += !response["duplicates"].empty();
        }
    }

    // The keys hook's own work (normalisation only, no I/O), per record.
    start = Clock::now();
    size_t keyed = 0;  // keeps the computation observable
    for (size_t i = stored; i < set.records.size() && i < stored + probes; ++i) {
        Json body = Body(set.records[i]);
        body["phone_e164"] = body.value("phone", "");
        keyed += quality::ComputeKeys(quality::RecordKind::kPerson, body).name_key.size();
    }
    if (keyed == 0) {
        std::fprintf(stderr, "no name keys computed\n");
    }
    const double keys_us =
        MillisSince(start) * 1000.0 / static_cast<double>(std::max<size_t>(lookup_ms.size(), 1));

    start = Clock::now();
    quality::EntityScanOptions scan_options;
    auto scan = quality::ScanEntity(db, app->registry, ctx.tenant_id, "contacts", scan_options);
    if (!scan) {
        Fail(scan.error());
    }
    const double scan_ms = MillisSince(start);

    std::printf("| measure | value |\n|---|---|\n");
    std::printf(
        "| stored contacts | %zu (loaded at %.0f/s in batches of 500) |\n",
        stored,
        stored / (load_ms / 1000.0)
    );
    std::printf("| probes | %zu (%zu got a duplicates block) |\n", lookup_ms.size(), flagged);
    std::printf(
        "| create without quality, p50 / p99 | %.3f / %.3f ms |\n",
        Percentile(plain_ms, 0.5),
        Percentile(plain_ms, 0.99)
    );
    std::printf(
        "| create with keys hook, p50 / p99 | %.3f / %.3f ms |\n",
        Percentile(hooked_ms, 0.5),
        Percentile(hooked_ms, 0.99)
    );
    std::printf("| keys and flags computed by the hook | %.1f us per record |\n", keys_us);
    std::printf(
        "| on-entry duplicate lookup, CPU time, p50 / p99 | %.3f / %.3f ms |\n",
        Percentile(lookup_cpu_ms, 0.5),
        Percentile(lookup_cpu_ms, 0.99)
    );
    std::printf(
        "| on-entry duplicate lookup, p50 / p99 | %.3f / %.3f ms |\n",
        Percentile(lookup_ms, 0.5),
        Percentile(lookup_ms, 0.99)
    );
    std::printf(
        "| scan of %zu stored contacts | %.2f s, %zu pairs |\n",
        scan->records,
        scan_ms / 1000.0,
        scan->pairs.size()
    );
    if (temporary) {
        for (const char* suffix : {"", "-wal", "-shm"}) {
            std::filesystem::remove(db_path + suffix);
        }
    }
    return 0;
}
