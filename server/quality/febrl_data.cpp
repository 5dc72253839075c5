// Febrl CSV parsing: the id column carries the truth ("rec-12-dup-3" belongs to entity 12).
#include "quality/febrl_data.hpp"

#include <charconv>
#include <fstream>
#include <vector>

#include "core/text.hpp"

namespace voronka::quality {
namespace {

std::vector<std::string> SplitFields(const std::string& line) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = line.find(',', start);
        fields.push_back(core::Trim(std::string_view(line).substr(start, comma - start)));
        if (comma == std::string::npos) {
            return fields;
        }
        start = comma + 1;
    }
}

bool EntityOf(const std::string& rec_id, std::uint64_t& entity) {
    // "rec-<k>-org" or "rec-<k>-dup-<j>"
    if (!rec_id.starts_with("rec-")) {
        return false;
    }
    const char* begin = rec_id.data() + 4;
    const char* end = rec_id.data() + rec_id.size();
    const auto [ptr, ec] = std::from_chars(begin, end, entity);
    return ec == std::errc() && ptr != begin && ptr != end && *ptr == '-';
}

}  // namespace

core::Result<LabeledRecords> LoadFebrl(const std::string& path, int source) {
    std::ifstream in(path);
    if (!in) {
        return core::Error::NotFound("Cannot open " + path);
    }
    LabeledRecords out;
    std::string line;
    std::size_t line_number = 0;
    while (std::getline(in, line)) {
        ++line_number;
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line_number == 1 || core::Trim(line).empty()) {
            continue;
        }
        std::vector<std::string> f = SplitFields(line);
        std::uint64_t entity = 0;
        if (f.size() != 11 || !EntityOf(f[0], entity)) {
            return core::Error::Invalid(path + ": malformed line " + std::to_string(line_number));
        }
        MatchRecord r;
        r.id = std::move(f[0]);
        r.source = source;
        r.first_name = std::move(f[1]);
        r.last_name = std::move(f[2]);
        r.street_number = std::move(f[3]);
        r.address_1 = std::move(f[4]);
        r.address_2 = std::move(f[5]);
        r.city = std::move(f[6]);
        r.postcode = std::move(f[7]);
        r.region = std::move(f[8]);
        r.birthday = std::move(f[9]);
        r.national_id = std::move(f[10]);
        out.records.push_back(std::move(r));
        out.entity.push_back(entity);
    }
    return out;
}

void AppendRecords(LabeledRecords& into, LabeledRecords more) {
    std::move(more.records.begin(), more.records.end(), std::back_inserter(into.records));
    into.entity.insert(into.entity.end(), more.entity.begin(), more.entity.end());
}

}  // namespace voronka::quality
