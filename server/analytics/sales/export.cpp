// CSV and XLSX writers for analytics tables.
#include "analytics/sales/export.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <unistd.h>
#include <xlsxwriter.h>

namespace voronka::analytics {

using core::Json;

namespace {

void FlattenInto(
    const Json& value, const std::string& prefix, std::vector<std::pair<std::string, Json>>& out
) {
    if (value.is_object()) {
        for (const auto& [key, item] : value.items()) {
            FlattenInto(item, prefix.empty() ? key : prefix + "." + key, out);
        }
        return;
    }
    out.emplace_back(prefix, value.is_array() ? Json(value.dump()) : value);
}

bool LooksNumeric(const std::string& s) {
    size_t i = s[0] == '-' ? 1 : 0;
    bool digits = false;
    for (; i < s.size(); ++i) {
        if (s[i] >= '0' && s[i] <= '9') {
            digits = true;
        } else if (s[i] != '.') {
            return false;
        }
    }
    return digits;
}

std::string CellText(const Json& cell) {
    if (cell.is_null()) {
        return {};
    }
    if (cell.is_string()) {
        std::string s = cell.get<std::string>();
        if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '@' || s[0] == '\t' ||
                           s[0] == '\r' || (s[0] == '-' && !LooksNumeric(s)))) {
            s.insert(s.begin(), '\'');
        }
        return s;
    }
    if (cell.is_boolean()) {
        return cell.get<bool>() ? "true" : "false";
    }
    return cell.dump();
}

std::string CsvField(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) {
        return text;
    }
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') {
            out += "\"\"";
        } else {
            out.push_back(c);
        }
    }
    return out + "\"";
}

}  // namespace

Table Flatten(const Json& rows, const std::vector<std::string>& leading) {
    Table table;
    std::map<std::string, size_t> index;
    auto column = [&](const std::string& name) {
        auto [it, added] = index.try_emplace(name, table.columns.size());
        if (added) {
            table.columns.push_back(name);
        }
        return it->second;
    };
    for (const std::string& name : leading) {
        column(name);
    }
    if (!rows.is_array()) {
        return table;
    }
    std::vector<std::vector<std::pair<std::string, Json>>> flat;
    for (const Json& row : rows) {
        std::vector<std::pair<std::string, Json>> cells;
        FlattenInto(row, "", cells);
        for (const auto& [name, value] : cells) {
            column(name);
        }
        flat.push_back(std::move(cells));
    }
    // Drill-down links close each row, after the figures they explain.
    std::stable_partition(table.columns.begin(), table.columns.end(), [](const std::string& c) {
        return c != "drilldown" && !c.starts_with("drilldown.");
    });
    for (size_t i = 0; i < table.columns.size(); ++i) {
        index[table.columns[i]] = i;
    }
    for (auto& cells : flat) {
        std::vector<Json> line(table.columns.size());
        for (auto& [name, value] : cells) {
            line[index[name]] = std::move(value);
        }
        table.rows.push_back(std::move(line));
    }
    return table;
}

std::string ToCsv(const Table& table) {
    std::string out;
    auto line = [&](const std::vector<std::string>& fields) {
        for (size_t i = 0; i < fields.size(); ++i) {
            out += (i ? "," : "") + CsvField(fields[i]);
        }
        out += "\r\n";
    };
    line(table.columns);
    for (const auto& row : table.rows) {
        std::vector<std::string> fields;
        for (const Json& cell : row) {
            fields.push_back(CellText(cell));
        }
        line(fields);
    }
    return out;
}

core::Result<std::string> ToXlsx(const Table& table, std::string_view sheet_name) {
    const char* tmp = std::getenv("TMPDIR");
    std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/voronka-export-XXXXXX";
    const int fd = ::mkstemp(path.data());
    if (fd < 0) {
        return core::Error::Internal("cannot create a temporary file for XLSX export");
    }
    ::close(fd);

    struct Remove {
        std::string path;

        ~Remove() { std::remove(path.c_str()); }
    } remove{path};

    lxw_workbook* workbook = workbook_new(path.c_str());
    if (!workbook) {
        return core::Error::Internal("libxlsxwriter could not create a workbook");
    }
    const std::string sheet(sheet_name.substr(0, 31));
    lxw_worksheet* worksheet = workbook_add_worksheet(workbook, sheet.c_str());
    lxw_format* bold = workbook_add_format(workbook);
    format_set_bold(bold);
    for (size_t c = 0; c < table.columns.size(); ++c) {
        worksheet_write_string(
            worksheet, 0, static_cast<lxw_col_t>(c), table.columns[c].c_str(), bold
        );
    }
    for (size_t r = 0; r < table.rows.size() && r + 1 < LXW_ROW_MAX; ++r) {
        const auto row = static_cast<lxw_row_t>(r + 1);
        for (size_t c = 0; c < table.rows[r].size(); ++c) {
            const Json& cell = table.rows[r][c];
            const auto col = static_cast<lxw_col_t>(c);
            if (cell.is_number()) {
                worksheet_write_number(worksheet, row, col, cell.get<double>(), nullptr);
            } else if (cell.is_boolean()) {
                worksheet_write_boolean(worksheet, row, col, cell.get<bool>() ? 1 : 0, nullptr);
            } else if (!cell.is_null()) {
                // Excel's cell limit is 32,767 characters.
                const std::string text = CellText(cell).substr(0, 32767);
                worksheet_write_string(worksheet, row, col, text.c_str(), nullptr);
            }
        }
    }
    if (workbook_close(workbook) != LXW_NO_ERROR) {
        return core::Error::Internal("libxlsxwriter could not write the workbook");
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in.good() && !in.eof()) {
        return core::Error::Internal("cannot read the XLSX export back");
    }
    return bytes.str();
}

}  // namespace voronka::analytics
