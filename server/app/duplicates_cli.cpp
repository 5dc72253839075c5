// The duplicates subcommand: open the database, build the entity registry, scan, write CSV.
#include "app/duplicates_cli.hpp"

#include <fstream>
#include <iomanip>
#include <iostream>

#include "app/app.hpp"
#include "quality/duplicate_pairs.hpp"
#include "quality/record_keys.hpp"
#include "storage/tenant_scope.hpp"

namespace voronka::app {

using core::Error;

namespace {

core::Result<int64_t> ResolveTenant(storage::Database& db, const std::string& name) {
    const storage::SystemScope find_tenant;  // by name, before a tenant is known
    VK_ASSIGN_OR_RETURN(
        storage::Rows rows,
        storage::ReadReturning<storage::Rows>(
            db,
            [&](storage::Connection& c) {
                return name.empty()
                           ? c.Query("SELECT id FROM tenants ORDER BY id LIMIT 1")
                           : c.Query(
                                 "SELECT id FROM tenants WHERE name = $1 ORDER BY id LIMIT 1",
                                 {name}
                             );
            }
        )
    );
    if (rows.empty()) {
        return Error::NotFound(
            name.empty() ? "No company exists yet" : "No company named '" + name + "'"
        );
    }
    return storage::AsInt(rows.rows[0][0]);
}

}  // namespace

core::Status RunDuplicatesScan(
    storage::Database& db,
    const core::Clock& clock,
    const DuplicatesScanArgs& args,
    std::ostream& csv,
    std::ostream& log
) {
    if (!quality::FindProfile(args.entity)) {
        return Error::InvalidField("--entity", "must be one of contacts, companies, leads");
    }
    if (!(args.threshold > 0.0 && args.threshold <= 1.0)) {
        return Error::InvalidField("--threshold", "must be in (0, 1]");
    }
    auto application = BuildApp(db, clock);
    VK_ASSIGN_OR_RETURN(int64_t tenant_id, ResolveTenant(db, args.tenant));
    const storage::TenantScope tenant_scope(tenant_id);
    quality::EntityScanOptions options;
    options.threshold = args.threshold;
    options.threads = args.threads;
    VK_ASSIGN_OR_RETURN(
        quality::EntityScan scan,
        quality::ScanEntity(db, application->registry, tenant_id, args.entity, options)
    );
    csv << quality::PairsCsvHeader();
    for (const quality::ScannedPair& pair : scan.pairs) {
        csv << quality::PairCsvLine(scan.entity, pair);
    }
    csv.flush();
    if (!csv) {
        return Error::Internal("Writing the output failed");
    }
    if (args.store) {
        VK_RETURN_IF_ERROR(db.Write([&](storage::Connection& tx) {
            return quality::StorePairs(tx, tenant_id, scan, clock.NowMicros());
        }));
    }
    log << "Scanned " << scan.records << " " << scan.entity << ": " << scan.pairs.size()
        << " likely duplicate pairs, " << scan.keys_refreshed << " records' keys refreshed, "
        << std::fixed << std::setprecision(2) << scan.seconds << " s"
        << (args.store ? " (stored)" : "") << "\n";
    return core::Ok();
}

void RegisterDuplicatesCommands(CLI::App& app, const core::Clock& clock) {
    auto* duplicates = app.add_subcommand("duplicates", "Find likely duplicate records");
    duplicates->require_subcommand(1);
    auto* scan = duplicates->add_subcommand(
        "scan", "Scan all records of an entity and write the pairs as CSV"
    );

    struct Options {
        std::string db = "./var/voronka.db";
        std::string output;
        DuplicatesScanArgs args;
    };

    auto options = std::make_shared<Options>();
    scan->add_option("--db", options->db, "SQLite file path or postgresql:// URL")
        ->capture_default_str();
    scan->add_option("--entity", options->args.entity, "contacts, companies or leads")
        ->capture_default_str()
        ->check(CLI::IsMember({"contacts", "companies", "leads"}));
    scan->add_option("--output", options->output, "CSV file to write, - for standard output")
        ->required();
    scan->add_option("--tenant", options->args.tenant, "Company name (box mode: the only company)");
    scan->add_option("--threshold", options->args.threshold, "Report pairs scoring at least this")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    scan->add_option("--threads", options->args.threads, "Scan threads, 0 for all cores")
        ->capture_default_str();
    scan->add_flag(
        "--store", options->args.store, "Also store the pairs for GET /api/v1/duplicates"
    );
    scan->callback([options, &clock] {
        auto fail = [](const core::Error& e) {
            std::cerr << "duplicates scan: " << e.message;
            for (const auto& f : e.fields) {
                std::cerr << " (" << f.field << ": " << f.message << ")";
            }
            std::cerr << "\n";
            throw CLI::RuntimeError(1);
        };
        auto db = storage::OpenDatabase(options->db);
        if (!db) {
            fail(db.error());
        }
        if (auto migrated = (*db)->Migrate(); !migrated) {
            fail(migrated.error());
        }
        core::Status st = core::Ok();
        if (options->output == "-") {
            st = RunDuplicatesScan(**db, clock, options->args, std::cout, std::cerr);
        } else {
            std::ofstream file(options->output, std::ios::binary | std::ios::trunc);
            if (!file) {
                fail(Error::InvalidField("--output", "cannot be opened for writing"));
            }
            st = RunDuplicatesScan(**db, clock, options->args, file, std::cerr);
        }
        if (!st) {
            fail(st.error());
        }
    });
}

}  // namespace voronka::app
