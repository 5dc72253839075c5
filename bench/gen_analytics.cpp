// Bulk generator for the analytics benchmark: on top of the contacts gen_contacts wrote into
// tenant 1, adds two pipelines with stages, deals with their stage history in `events` (what the
// funnel and velocity read), leads by source and campaign, monthly plans and campaign costs,
// products, and completed orders with product lines for every contact. Rows have the shape the
// record engine writes, through raw SQLite in large transactions (the API would take hours).
// Deals, leads and orders get no search-index rows: no analytics figure reads them.
//
// REQUIRES: --db holds tenant 1 with users and contacts written by gen_contacts. Writes into
// --out: pipeline.txt (the larger pipeline's id) and counts.env (rows written).
//
// Build: g++ -std=c++20 -O2 bench/gen_analytics.cpp -lsqlite3 (bench/run.sh does this).
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

#include "bulk_sqlite.hpp"

const char* const bench::kProgram = "gen_analytics";

namespace {

using bench::Die;
using bench::Exec;
using bench::Stmt;
using bench::Ulid;

std::string Q(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Minor units as the decimal text amounts are written in ("1234.50").
std::string Decimal(int64_t minor) {
    char buf[32];
    std::snprintf(
        buf,
        sizeof buf,
        "%lld.%02lld",
        static_cast<long long>(minor / 100),
        static_cast<long long>(minor % 100)
    );
    return buf;
}

std::string Day(int64_t micros) {
    const std::time_t s = static_cast<std::time_t>(micros / 1000000);
    std::tm tm{};
    gmtime_r(&s, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

constexpr int64_t kDay = 86400LL * 1000000;

struct Options {
    std::string db;
    std::string out = ".";
    int64_t deals = 2000000;
    int64_t orders = 5000000;
    int64_t leads = 200000;
    uint64_t seed = 7;
};

struct Stage {
    std::string id;
    std::string kind;
    int probability;
};

struct Pipeline {
    std::string id;
    std::vector<Stage> stages;  // open stages by position, then won, then lost
};

constexpr std::array<const char*, 6> kSources{
    "web_form", "email", "call", "messenger", "manual", "import"};
constexpr std::array<const char*, 6> kLossReasons{
    "Price", "Competitor", "No budget", "No decision", "Timing", "No response"};
constexpr std::array<const char*, 8> kCampaigns{
    "spring", "summer", "autumn", "winter", "webinar", "expo", "newsletter", "retarget"};

class Generator {
public:
    Generator(sqlite3* db, const Options& o) : db_(db), o_(o), rng_(o.seed) {}

    void Run() {
        now_ = std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch()
        )
                   .count();
        LoadTenant();
        // One transaction per phase: without a journal a commit costs nothing, and fewer of
        // them means fewer partial page writes.
        Exec(db_, "BEGIN");
        MakePipelines();
        MakeProducts();
        MakePlansAndCosts();
        MakeDeals();
        Exec(db_, "COMMIT; BEGIN");
        MakeLeads();
        MakeOrders();
        Exec(db_, "COMMIT");
        std::ofstream(o_.out + "/pipeline.txt") << pipelines_[0].id << "\n";
        std::ofstream(o_.out + "/counts.env")
            << "deals=" << deals_written_ << "\nevents=" << events_written_
            << "\nleads=" << o_.leads << "\norders=" << orders_written_
            << "\ncustomers=" << contacts_.size() << "\n";
    }

private:
    size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }

    double Uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }

    void LoadTenant() {
        Stmt users(db_, "SELECT id, role FROM users WHERE tenant_id = 1 ORDER BY id");
        while (users.Step()) {
            owners_.push_back(users.Column(0));
            if (users.Column(1) == "admin") {
                admin_ = users.Column(0);
            }
        }
        Stmt contacts(
            db_,
            "SELECT id, owner_id FROM contacts WHERE tenant_id = 1 AND deleted_at IS NULL "
            "ORDER BY id"
        );
        while (contacts.Step()) {
            contacts_.push_back({contacts.Column(0), contacts.Column(1)});
        }
        if (owners_.empty() || contacts_.empty() || admin_.empty()) {
            Die(nullptr, "tenant 1 has no users or contacts; run gen_contacts first");
        }
    }

    void Event(
        const char* entity,
        const std::string& id,
        int64_t version,
        const char* action,
        int64_t at,
        const std::string& changes
    ) {
        event_.Int(1, 1).Text(2, entity).Text(3, id).Int(4, version).Text(5, action);
        event_.Text(6, admin_).Int(7, at).Text(8, changes).Run();
        ++events_written_;
    }

    void MakePipelines() {
        Stmt pipeline(
            db_,
            "INSERT INTO pipelines (tenant_id, id, version, created_at, updated_at, created_by, "
            "updated_by, custom, name, archived, sort_order) VALUES (1, ?1, 1, ?2, ?2, ?3, ?3, "
            "'{}', ?4, 0, ?5)"
        );
        Stmt stage(
            db_,
            "INSERT INTO stages (tenant_id, id, version, created_at, updated_at, created_by, "
            "updated_by, custom, pipeline_id, name, probability, kind, position, archived) VALUES "
            "(1, ?1, 1, ?2, ?2, ?3, ?3, '{}', ?4, ?5, ?6, ?7, ?8, 0)"
        );
        const int64_t at = now_ - 800 * kDay;
        static constexpr std::array<const char*, 4> kOpen{
            "Qualification", "Proposal", "Negotiation", "Contract"};
        static constexpr std::array<int, 4> kProbability{10, 30, 60, 80};
        for (int p = 0; p < 2; ++p) {
            Pipeline pl{Ulid(static_cast<uint64_t>(at / 1000), rng_), {}};
            pipeline.Text(1, pl.id).Int(2, at).Text(3, admin_);
            pipeline.Text(4, p == 0 ? "Sales" : "Partners").Int(5, p).Run();
            for (int s = 0; s < 6; ++s) {
                const std::string kind = s < 4 ? "open" : s == 4 ? "won" : "lost";
                const int probability = s < 4 ? kProbability[s] : s == 4 ? 100 : 0;
                const std::string name = s < 4 ? kOpen[s] : s == 4 ? "Won" : "Lost";
                Stage st{Ulid(static_cast<uint64_t>(at / 1000), rng_), kind, probability};
                stage.Text(1, st.id).Int(2, at).Text(3, admin_).Text(4, pl.id).Text(5, name);
                stage.Int(6, probability).Text(7, kind).Int(8, s).Run();
                pl.stages.push_back(st);
            }
            pipelines_.push_back(std::move(pl));
        }
    }

    void MakeProducts() {
        Stmt product(
            db_,
            "INSERT INTO products (tenant_id, id, version, created_at, updated_at, created_by, "
            "updated_by, custom, name, sku, active) VALUES (1, ?1, 1, ?2, ?2, ?3, ?3, '{}', ?4, "
            "?5, 1)"
        );
        const int64_t at = now_ - 800 * kDay;
        for (int i = 0; i < 200; ++i) {
            const std::string id = Ulid(static_cast<uint64_t>(at / 1000), rng_);
            const std::string sku = "SKU-" + std::to_string(1000 + i);
            product.Text(1, id).Int(2, at).Text(3, admin_).Text(4, "Product " + std::to_string(i));
            product.Text(5, sku).Run();
            products_.push_back({id, sku, "Product " + std::to_string(i)});
            prices_.push_back(static_cast<int64_t>(500 + Pick(20000)) * 100);
        }
    }

    // A plan per owner and month, and campaign costs per source, campaign and month, for the
    // two years of data.
    void MakePlansAndCosts() {
        Stmt plan(
            db_,
            "INSERT INTO sales_plans (tenant_id, id, version, created_at, updated_at, created_by, "
            "updated_by, owner_id, custom, period, team_id, amount, currency) VALUES "
            "(1, ?1, 1, ?2, ?2, ?3, ?3, ?4, '{}', ?5, NULL, ?6, 'RUB')"
        );
        Stmt cost(
            db_,
            "INSERT INTO campaign_costs (tenant_id, id, version, created_at, updated_at, "
            "created_by, updated_by, custom, source, campaign, period, amount, currency) VALUES "
            "(1, ?1, 1, ?2, ?2, ?3, ?3, '{}', ?4, ?5, ?6, ?7, 'RUB')"
        );
        for (int m = 0; m < 25; ++m) {
            const std::string period = Day(now_ - static_cast<int64_t>(m) * 30 * kDay).substr(0, 7);
            for (const auto& owner : owners_) {
                plan.Text(1, Ulid(static_cast<uint64_t>(now_ / 1000), rng_)).Int(2, now_);
                plan.Text(3, admin_).Text(4, owner).Text(5, period);
                plan.Int(6, static_cast<int64_t>(1 + Pick(50)) * 100000000).Run();
            }
            for (const char* source : kSources) {
                cost.Text(1, Ulid(static_cast<uint64_t>(now_ / 1000), rng_)).Int(2, now_);
                cost.Text(3, admin_).Text(4, source).Text(5, kCampaigns[Pick(kCampaigns.size())]);
                cost.Text(6, period).Int(7, static_cast<int64_t>(1 + Pick(100)) * 1000000).Run();
            }
        }
    }

    // Deals over two years; each visits its pipeline's open stages in order and, when old
    // enough, most end won or lost. Every stage change is an event, as the engine writes it.
    void MakeDeals() {
        Stmt deal(
            db_,
            "INSERT INTO deals (tenant_id, id, version, created_at, updated_at, created_by, "
            "updated_by, deleted_at, owner_id, custom, title, pipeline_id, stage_id, status, "
            "amount, currency, amount_from_lines, expected_close_date, probability, contact_id, "
            "company_id, source, tags, loss_reason, description, stage_changed_at, won_at, "
            "lost_at, closed_at) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?5, NULL, ?6, '{}', ?7, ?8, ?9, "
            "?10, ?11, ?12, 0, ?13, ?21, ?14, NULL, ?15, NULL, ?16, NULL, ?17, ?18, ?19, ?20)"
        );
        const int64_t span = 730 * kDay;
        const int64_t start = now_ - span;
        for (int64_t i = 0; i < o_.deals; ++i) {
            const int64_t created =
                start + (span / o_.deals) * i + static_cast<int64_t>(Pick(1000));
            const std::string id = Ulid(static_cast<uint64_t>(created / 1000), rng_);
            const Pipeline& pl = pipelines_[Pick(10) < 8 ? 0 : 1];
            const auto& contact = contacts_[Pick(contacts_.size())];
            const std::string& owner = contact.second;
            const int64_t amount = static_cast<int64_t>(1000 + Pick(500000)) * 100;
            const std::string currency = Pick(10) == 0 ? "USD" : "RUB";
            const std::string title = "Deal " + std::to_string(i + 1);
            const std::string source = kSources[Pick(kSources.size())];
            const int64_t age = now_ - created;
            // Old deals are mostly closed; young ones mostly open.
            const double closed_share = std::min(0.9, static_cast<double>(age) / (120.0 * kDay));
            std::string status = "open";
            if (Uniform() < closed_share) {
                status = Uniform() < 0.45 ? "won" : "lost";
            }
            int reached = static_cast<int>(Pick(4));  // last open stage visited
            if (status == "won") {
                reached = 3;
            }
            const int64_t life = std::max<int64_t>(kDay, static_cast<int64_t>(Uniform() * age));
            const int moves = reached + (status == "open" ? 0 : 1);
            const int64_t step = moves > 0 ? life / (moves + 1) : 0;
            const std::string* final_stage = &pl.stages[static_cast<size_t>(reached)].id;
            if (status == "won") {
                final_stage = &pl.stages[4].id;
            } else if (status == "lost") {
                final_stage = &pl.stages[5].id;
            }
            const int64_t last_at = created + step * moves;
            const std::string close_day =
                Day(status == "open" ? now_ + static_cast<int64_t>(Pick(120)) * kDay : last_at);
            const std::string loss =
                status == "lost" ? kLossReasons[Pick(kLossReasons.size())] : "";
            deal.Text(1, id).Int(2, 1 + moves).Int(3, created).Int(4, last_at).Text(5, admin_);
            deal.Text(6, owner).Text(7, title).Text(8, pl.id).Text(9, *final_stage);
            deal.Text(10, status).Int(11, amount).Text(12, currency).Text(13, close_day);
            deal.Text(14, contact.first).Text(15, source);
            if (loss.empty()) {
                deal.Null(16);
            } else {
                deal.Text(16, loss);
            }
            deal.Int(17, last_at);
            deal.Int(
                21,
                status == "won"    ? 100
                : status == "lost" ? 0
                                   : pl.stages[static_cast<size_t>(reached)].probability
            );
            if (status == "won") {
                deal.Int(18, last_at);
            } else {
                deal.Null(18);
            }
            if (status == "lost") {
                deal.Int(19, last_at);
            } else {
                deal.Null(19);
            }
            if (status == "open") {
                deal.Null(20);
            } else {
                deal.Int(20, last_at);
            }
            deal.Run();
            // Diff(nullptr, values) on create: keys sorted as nlohmann::json dumps them.
            Event(
                "deals",
                id,
                1,
                "create",
                created,
                "{\"amount\":{\"from\":null,\"to\":" + std::to_string(amount) +
                    "},\"contact_id\":{\"from\":null,\"to\":" + Q(contact.first) +
                    "},\"currency\":{\"from\":null,\"to\":" + Q(currency) +
                    "},\"owner_id\":{\"from\":null,\"to\":" + Q(owner) +
                    "},\"pipeline_id\":{\"from\":null,\"to\":" + Q(pl.id) +
                    "},\"source\":{\"from\":null,\"to\":" + Q(source) +
                    "},\"stage_id\":{\"from\":null,\"to\":" + Q(pl.stages[0].id) +
                    "},\"status\":{\"from\":null,\"to\":\"open\"},\"title\":{\"from\":null,"
                    "\"to\":" +
                    Q(title) + "}}"
            );
            std::string from = pl.stages[0].id;
            for (int m = 1; m <= moves; ++m) {
                const bool closing = m == moves && status != "open";
                const std::string& to =
                    closing ? *final_stage : pl.stages[static_cast<size_t>(m)].id;
                std::string changes =
                    "{\"stage_id\":{\"from\":" + Q(from) + ",\"to\":" + Q(to) + "}";
                if (closing) {
                    changes += ",\"status\":{\"from\":\"open\",\"to\":" + Q(status) + "}";
                }
                Event("deals", id, 1 + m, "update", created + step * m, changes + "}");
                from = to;
            }
            deal_ids_.push_back(id);
            ++deals_written_;
            if ((i + 1) % 500000 == 0) {
                std::cerr << "  deals " << (i + 1) << "\n";
            }
        }
    }

    void MakeLeads() {
        Stmt lead(
            db_,
            "INSERT INTO leads (tenant_id, id, version, created_at, updated_at, created_by, "
            "updated_by, owner_id, custom, first_name, last_name, source, channel, utm_campaign, "
            "campaign, status, converted_contact_id, converted_deal_id, converted_at) VALUES "
            "(1, ?1, 1, ?2, ?2, ?3, ?3, ?4, '{}', 'Lead', ?5, ?6, NULL, ?7, ?7, ?8, ?9, ?10, ?11)"
        );
        const int64_t span = 730 * kDay;
        for (int64_t i = 0; i < o_.leads; ++i) {
            const int64_t at = now_ - span + (span / o_.leads) * i;
            const std::string id = Ulid(static_cast<uint64_t>(at / 1000), rng_);
            const bool converted = Pick(5) == 0;
            lead.Text(1, id).Int(2, at).Text(3, admin_).Text(4, owners_[Pick(owners_.size())]);
            lead.Text(5, "N" + std::to_string(i)).Text(6, kSources[Pick(kSources.size())]);
            lead.Text(7, kCampaigns[Pick(kCampaigns.size())]);
            lead.Text(8, converted ? "converted" : (Pick(3) == 0 ? "disqualified" : "new"));
            if (converted) {
                const auto& contact = contacts_[Pick(contacts_.size())];
                lead.Text(9, contact.first).Text(10, deal_ids_[Pick(deal_ids_.size())]);
                lead.Int(11, at + kDay);
            } else {
                lead.Null(9).Null(10).Null(11);
            }
            lead.Run();
        }
    }

    // Every contact buys at least once: first purchase in the two years, then more while the
    // customer stays active, at most up to now. Orders are
    // written in time order, so their ULID keys append to the table's b-tree instead of landing
    // at random pages of it.
    void MakeOrders() {
        struct Planned {
            int64_t at;
            uint32_t contact;
            uint32_t favourite;  // each customer favours a few products: co-purchase patterns
            int32_t quantity;    // and buys them in its own quantities: spend differs by customer
        };

        // Purchases follow the BG/NBD story the CLV model fits: each customer buys at its own
        // Poisson rate (Gamma-distributed across customers) and after each purchase drops out
        // with its own probability (Beta(1, 6)). A rate scale of 6 per week gives about five
        // orders per customer over the two years; it scales with the orders asked for.
        const double per_customer =
            static_cast<double>(o_.orders) / static_cast<double>(contacts_.size());
        std::gamma_distribution<double> rate(1.0, per_customer / (6.0 * 5.0));
        std::gamma_distribution<double> keep(6.0, 1.0);
        std::gamma_distribution<double> leave(1.0, 1.0);
        std::geometric_distribution<int> spend_level(0.4);
        constexpr int64_t kWeek = 7 * kDay;
        const int64_t span = 730 * kDay;
        std::vector<Planned> planned;
        planned.reserve(static_cast<size_t>(o_.orders) + contacts_.size());
        for (size_t c = 0; c < contacts_.size(); ++c) {
            const int64_t first =
                now_ - span + static_cast<int64_t>(Uniform() * (span - 30 * kDay));
            const double per_week = rate(rng_);
            const double x = leave(rng_);
            const double dropout = x / (x + keep(rng_));
            const auto favourite = static_cast<uint32_t>(Pick(products_.size()));
            // Mean spend varies between customers (Gamma-Gamma's assumption), not only orders.
            const auto quantity = static_cast<int32_t>(1 + spend_level(rng_));
            planned.push_back({first, static_cast<uint32_t>(c), favourite, quantity});
            for (double at = static_cast<double>(first);;) {
                if (Uniform() < dropout || per_week <= 0) {
                    break;
                }
                at += -std::log(1.0 - Uniform()) / per_week * static_cast<double>(kWeek);
                if (at > static_cast<double>(now_)) {
                    break;
                }
                planned.push_back(
                    {static_cast<int64_t>(at), static_cast<uint32_t>(c), favourite, quantity}
                );
            }
        }
        std::sort(planned.begin(), planned.end(), [](const Planned& a, const Planned& b) {
            return a.at < b.at;
        });
        Stmt order(
            db_,
            "INSERT INTO orders (tenant_id, id, version, created_at, updated_at, created_by, "
            "updated_by, deleted_at, owner_id, custom, contact_id, ordered_at, amount, currency, "
            "channel, store, deal_id, external_id, status, lines) VALUES (1, ?1, 1, ?2, ?2, ?3, "
            "?3, NULL, ?4, '{}', ?5, ?6, ?7, 'RUB', ?8, NULL, NULL, NULL, 'completed', ?9)"
        );
        static constexpr std::array<const char*, 3> kChannels{"shop", "web", "pos"};
        std::string lines;
        for (const Planned& p : planned) {
            const std::string id = Ulid(static_cast<uint64_t>(p.at / 1000), rng_);
            const int count = 1 + static_cast<int>(Pick(3));
            lines = "[";
            int64_t total = 0;
            for (int l = 0; l < count; ++l) {
                const size_t k = (p.favourite + Pick(8) * (l + 1)) % products_.size();
                const int64_t price = prices_[k];
                const int64_t amount = price * p.quantity;
                total += amount;
                lines += std::string(l ? "," : "") + "{\"amount\":" + Q(Decimal(amount)) +
                         ",\"name\":" + Q(products_[k][2]) + ",\"price\":" + Q(Decimal(price)) +
                         ",\"product_id\":" + Q(products_[k][0]) +
                         ",\"quantity\":" + std::to_string(p.quantity) +
                         ",\"sku\":" + Q(products_[k][1]) + "}";
            }
            lines += "]";
            const auto& contact = contacts_[p.contact];
            order.Text(1, id).Int(2, p.at).Text(3, admin_).Text(4, contact.second);
            order.Text(5, contact.first).Int(6, p.at).Int(7, total);
            order.Text(8, kChannels[Pick(kChannels.size())]).Text(9, lines).Run();
            if (++orders_written_ % 1000000 == 0) {
                std::cerr << "  orders " << orders_written_ << "\n";
            }
        }
    }

    sqlite3* db_;
    Options o_;
    std::mt19937_64 rng_;
    int64_t now_ = 0;
    std::string admin_;
    std::vector<std::string> owners_;
    std::vector<std::pair<std::string, std::string>> contacts_;  // id, owner
    std::vector<Pipeline> pipelines_;
    std::vector<std::array<std::string, 3>> products_;  // id, sku, name
    std::vector<int64_t> prices_;
    std::vector<std::string> deal_ids_;
    int64_t deals_written_ = 0;
    int64_t events_written_ = 0;
    int64_t orders_written_ = 0;
    Stmt event_{
        db_,
        "INSERT INTO events (tenant_id, entity, record_id, version, action, actor_id, at, changes) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"};
};

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const std::string value = argv[i + 1];
        if (key == "--db") {
            o.db = value;
        } else if (key == "--out") {
            o.out = value;
        } else if (key == "--deals") {
            o.deals = std::stoll(value);
        } else if (key == "--orders") {
            o.orders = std::stoll(value);
        } else if (key == "--leads") {
            o.leads = std::stoll(value);
        } else {
            std::cerr << "gen_analytics: unknown option " << key << "\n";
            return 2;
        }
    }
    if (o.db.empty()) {
        std::cerr
            << "usage: gen_analytics --db DB [--out DIR] [--deals N] [--orders N] [--leads N]\n";
        return 2;
    }
    sqlite3* db = nullptr;
    if (sqlite3_open(o.db.c_str(), &db) != SQLITE_OK) {
        Die(db, "open " + o.db);
    }
    const auto t0 = std::chrono::steady_clock::now();
    bench::BulkLoadPragmas(db);
    const std::vector<std::string> indexes =
        bench::DropIndexes(db, {"deals", "events", "leads", "orders"});
    {
        Generator g(db, o);
        g.Run();
    }
    const auto t1 = std::chrono::steady_clock::now();
    Exec(db, "BEGIN");
    for (const auto& sql : indexes) {
        Exec(db, sql);
    }
    Exec(db, "COMMIT");
    const auto t2 = std::chrono::steady_clock::now();
    Exec(db, "PRAGMA analysis_limit = 1000; ANALYZE");
    bench::ServerPragmas(db);
    sqlite3_close(db);
    auto s = [](auto d) { return std::chrono::duration<double>(d).count(); };
    std::cerr << "gen_analytics: rows " << s(t1 - t0) << " s, indexes " << s(t2 - t1)
              << " s, analyze " << s(std::chrono::steady_clock::now() - t2) << " s\n";
    return 0;
}
