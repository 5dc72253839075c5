// Listing: filter terms -> parameterised SQL, multi-key sort, keyset cursor pages.
#include <functional>
#include <unordered_map>

#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include "core/base64url.hpp"
#include "core/text.hpp"
#include "records/field_codec.hpp"
#include "records/record_row.hpp"
#include "records/record_service.hpp"
#include "storage/dialect.hpp"

namespace voronka::records {

using core::Error;

namespace {

constexpr int kMaxLimit = 500;

// --- Index ranges for case-insensitive "starts" on SQLite -------------------------------------
// `instr(vk_fold(col), p) = 1` cannot use an index, so on a large tenant it reads every row. The
// values it can match all begin with one of a few case variants of the needle's first code
// points ("пет" -> "Пет", "пЕт", ...), so the exact predicate is paired with index ranges on
// those variants. Variants come from ICU full case folding, including code points that fold to
// several (a stored "ß" matches the needle "ss"), so the ranges never exclude a match.

std::u32string FoldCodePoint(UChar32 c) {
    UChar src[2];
    int32_t length = 0;
    U16_APPEND_UNSAFE(src, length, c);
    UChar folded[8];
    UErrorCode error = U_ZERO_ERROR;
    const int32_t n = u_strFoldCase(folded, 8, src, length, U_FOLD_CASE_DEFAULT, &error);
    std::u32string out;
    if (U_FAILURE(error)) {
        out.push_back(static_cast<char32_t>(c));
        return out;
    }
    for (int32_t i = 0; i < n;) {
        UChar32 cp;
        U16_NEXT(folded, i, n, cp);
        out.push_back(static_cast<char32_t>(cp));
    }
    return out;
}

// Every code point whose case folding differs from itself, keyed by the first code point of its
// folding: the other spellings a folded code point can have in stored text.
const std::unordered_map<char32_t, std::vector<char32_t>>& FoldSources() {
    static const auto* sources = [] {
        auto* map = new std::unordered_map<char32_t, std::vector<char32_t>>();
        for (UChar32 c = 0; c <= 0x10FFFF; ++c) {
            if (!U_IS_SURROGATE(c) && u_hasBinaryProperty(c, UCHAR_CHANGES_WHEN_CASEFOLDED)) {
                (*map)[FoldCodePoint(c)[0]].push_back(static_cast<char32_t>(c));
            }
        }
        return map;
    }();
    return *sources;
}

std::string Utf8(const std::u32string& text) {
    std::string out;
    for (char32_t c : text) {
        uint8_t buf[4];
        int32_t n = 0;
        U8_APPEND_UNSAFE(buf, n, static_cast<UChar32>(c));
        out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
    }
    return out;
}

// The stored prefixes (UTF-8) one of which every value whose folding starts with `folded`
// begins with, covering at most `max_code_points` stored code points; empty when there would be
// more than `max_variants` of them.
std::vector<std::string> CasePrefixes(
    const std::u32string& folded, size_t max_code_points, size_t max_variants
) {
    const auto& sources = FoldSources();
    std::vector<std::string> out;
    bool overflow = false;
    std::u32string current;
    auto emit = [&] {
        if (out.size() >= max_variants) {
            overflow = true;
        } else {
            out.push_back(Utf8(current));
        }
    };
    std::function<void(size_t)> expand = [&](size_t pos) {
        if (overflow) {
            return;
        }
        if (pos >= folded.size() || current.size() >= max_code_points) {
            emit();
            return;
        }
        const char32_t c = folded[pos];
        std::vector<char32_t> candidates{c};
        if (auto it = sources.find(c); it != sources.end()) {
            candidates.insert(candidates.end(), it->second.begin(), it->second.end());
        }
        const size_t rest = folded.size() - pos;
        for (char32_t x : candidates) {
            const std::u32string f =
                x == c ? std::u32string(1, c) : FoldCodePoint(static_cast<UChar32>(x));
            if (f.size() <= rest && folded.compare(pos, f.size(), f) == 0) {
                current.push_back(x);
                expand(pos + f.size());
                current.pop_back();
            } else if (f.size() > rest && f.compare(0, rest, folded, pos, rest) == 0) {
                current.push_back(x);  // x's folding covers the rest of the needle and more
                emit();
                current.pop_back();
            }
        }
    };
    expand(0);
    return overflow ? std::vector<std::string>() : out;
}

// "col >= $a AND col < $b", one per case variant of a "starts" needle, or none when the needle
// has too many variants to be worth it. Text compares bytewise (BINARY), so the values beginning
// with prefix P are exactly those in [P, P with its last byte incremented).
std::vector<std::string> StartsRanges(
    const std::string& column, const std::string& needle, std::vector<storage::Value>& params
) {
    const icu::UnicodeString u =
        icu::UnicodeString::fromUTF8(core::FoldCase(core::NormalizeNfc(needle)));
    std::u32string folded;
    for (int32_t i = 0; i < u.length();) {
        const UChar32 c = u.char32At(i);
        folded.push_back(static_cast<char32_t>(c));
        i += U16_LENGTH(c);
    }
    std::vector<std::string> prefixes;
    for (size_t code_points = 3; code_points > 0 && prefixes.empty(); --code_points) {
        prefixes = CasePrefixes(folded, code_points, 32);
    }
    std::vector<std::string> ranges;
    for (const std::string& prefix : prefixes) {
        if (prefix.empty()) {
            return {};
        }
        std::string upper = prefix;
        upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
        params.emplace_back(prefix);
        std::string range = column + " >= $" + std::to_string(params.size());
        params.emplace_back(std::move(upper));
        ranges.push_back(range + " AND " + column + " < $" + std::to_string(params.size()));
    }
    return ranges;
}

struct StartsRange {
    std::string column;               // SQL of the filtered column
    std::vector<std::string> ranges;  // one index range per case variant
};

struct Column {
    std::string sql;  // column or expression
    FieldDef field;   // type information for operands
};

// Resolves an API field name (built-in, system or custom, with or without "custom.") to SQL.
Result<Column> ResolveColumn(
    storage::Dialect d, const EntityDef& def, std::string_view name, std::string_view param_name
) {
    static const std::map<std::string, FieldType, std::less<>> kSystem{
        {"id", FieldType::kText},
        {"version", FieldType::kInteger},
        {"created_at", FieldType::kDateTime},
        {"updated_at", FieldType::kDateTime},
        {"created_by", FieldType::kUser},
        {"updated_by", FieldType::kUser},
    };
    if (auto it = kSystem.find(name); it != kSystem.end()) {
        FieldDef f;
        f.name = it->first;
        f.type = it->second;
        return Column{f.name, f};
    }
    std::string_view plain = name;
    if (plain.starts_with("custom.")) {
        plain.remove_prefix(7);
    }
    const FieldDef* f = def.Field(plain);
    if (!f || (name.starts_with("custom.") && !f->custom)) {
        return Error::InvalidField(
            std::string(param_name), "unknown field '" + std::string(name) + "'"
        );
    }
    if (!f->custom) {
        return Column{f->name, *f};
    }
    const bool numeric = f->type == FieldType::kInteger || f->type == FieldType::kNumber ||
                         f->type == FieldType::kDateTime || f->type == FieldType::kMoney;
    std::string expr;
    if (f->type == FieldType::kBool) {
        expr = storage::JsonBool(d, "custom", f->name);
    } else if (numeric) {
        expr = storage::JsonNumber(d, "custom", f->name);
    } else {
        expr = storage::JsonText(d, "custom", f->name);
    }
    return Column{expr, *f};
}

bool IsTextual(FieldType t) {
    return t == FieldType::kText || t == FieldType::kEmail || t == FieldType::kPhone ||
           t == FieldType::kUrl || t == FieldType::kEnum || t == FieldType::kMultiEnum;
}

std::string Param(std::vector<storage::Value>& params, storage::Value v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
}

Result<std::string> FilterSql(
    storage::Dialect d,
    const EntityDef& def,
    const FilterTerm& term,
    std::vector<storage::Value>& params
) {
    const std::string param_name = "filter[" + term.field + "]";
    VK_ASSIGN_OR_RETURN(Column col, ResolveColumn(d, def, term.field, param_name));
    const std::string& op = term.op;
    if (col.field.type == FieldType::kJson) {
        return Error::InvalidField(param_name, "JSON fields cannot be filtered");
    }
    if (op == "empty") {
        if (term.value != "true" && term.value != "false") {
            return Error::InvalidField(param_name, "empty takes true or false");
        }
        std::string is_empty =
            "(" + col.sql + " IS NULL" +
            (IsTextual(col.field.type) ? " OR " + col.sql + " = ''" : std::string()) + ")";
        return term.value == "true" ? is_empty : "NOT " + is_empty;
    }
    if (op == "contains" || op == "starts") {
        if (!IsTextual(col.field.type)) {
            return Error::InvalidField(param_name, op + " applies to text fields only");
        }
        if (!core::IsValidUtf8(term.value) || term.value.empty() || term.value.size() > 200) {
            return Error::InvalidField(param_name, "needs 1 to 200 bytes of text");
        }
        if (op == "contains") {
            return storage::ContainsExpr(
                d,
                col.sql,
                Param(params, storage::ContainsPattern(d, core::NormalizeNfc(term.value)))
            );
        }
        return storage::StartsExpr(
            d, col.sql, Param(params, storage::StartsPattern(d, core::NormalizeNfc(term.value)))
        );
    }
    if (op == "in") {
        std::string list;
        size_t start = 0;
        int count = 0;
        while (start <= term.value.size()) {
            size_t comma = term.value.find(',', start);
            if (comma == std::string::npos) {
                comma = term.value.size();
            }
            VK_ASSIGN_OR_RETURN(
                storage::Value v,
                FilterOperand(col.field, std::string_view(term.value).substr(start, comma - start))
            );
            list += (count++ ? ", " : "") + Param(params, std::move(v));
            if (count > 100) {
                return Error::InvalidField(param_name, "in takes at most 100 values");
            }
            start = comma + 1;
        }
        return col.sql + " IN (" + list + ")";
    }
    static const std::map<std::string, std::string, std::less<>> kCompare{
        {"eq", "="}, {"ne", "<>"}, {"lt", "<"}, {"lte", "<="}, {"gt", ">"}, {"gte", ">="}};
    auto cmp = kCompare.find(op);
    if (cmp == kCompare.end()) {
        return Error::InvalidField(
            param_name,
            "unknown operator '" + op + "' (use eq ne lt lte gt gte in contains starts empty)"
        );
    }
    if (col.field.type == FieldType::kMultiEnum && (op == "eq" || op == "ne")) {
        // A multi-enum matches when the option is among its values.
        VK_ASSIGN_OR_RETURN(storage::Value v, FilterOperand(col.field, term.value));
        std::string needle = "\"" + storage::AsText(v) + "\"";
        std::string expr = "instr(" + col.sql + ", " + Param(params, needle) + ") > 0";
        if (d == storage::Dialect::kPostgres) {
            expr = "strpos(" + col.sql + "::text, $" + std::to_string(params.size()) + ") > 0";
        }
        return op == "eq" ? expr : "NOT (" + expr + ")";
    }
    VK_ASSIGN_OR_RETURN(storage::Value v, FilterOperand(col.field, term.value));
    std::string sql = col.sql + " " + cmp->second + " " + Param(params, std::move(v));
    if (op == "ne") {
        sql = "(" + sql + " OR " + col.sql + " IS NULL)";
    }
    return sql;
}

struct SortKey {
    std::string name;
    std::string sql;
    bool descending = false;
};

Result<std::vector<SortKey>> ParseSort(
    storage::Dialect d, const EntityDef& def, std::string_view sort
) {
    std::vector<SortKey> keys;
    size_t start = 0;
    while (start < sort.size()) {
        size_t comma = sort.find(',', start);
        if (comma == std::string_view::npos) {
            comma = sort.size();
        }
        std::string_view item = sort.substr(start, comma - start);
        start = comma + 1;
        if (item.empty()) {
            continue;
        }
        SortKey key;
        if (item[0] == '-' || item[0] == '+') {
            key.descending = item[0] == '-';
            item.remove_prefix(1);
        }
        VK_ASSIGN_OR_RETURN(Column col, ResolveColumn(d, def, item, "sort"));
        if (col.field.type == FieldType::kJson || col.field.type == FieldType::kMultiEnum) {
            return Error::InvalidField("sort", "cannot sort by '" + std::string(item) + "'");
        }
        key.name = std::string(item);
        key.sql = col.sql;
        keys.push_back(std::move(key));
        if (keys.size() > 3) {
            return Error::InvalidField("sort", "at most 3 sort fields");
        }
    }
    return keys;
}

Json ValueToJson(const storage::Value& v) {
    if (const auto* i = std::get_if<int64_t>(&v)) {
        return *i;
    }
    if (const auto* d = std::get_if<double>(&v)) {
        return *d;
    }
    if (const auto* s = std::get_if<std::string>(&v)) {
        return *s;
    }
    return nullptr;
}

Result<storage::Value> JsonToValue(const Json& j) {
    if (j.is_null()) {
        return storage::Value(nullptr);
    }
    if (j.is_number_integer()) {
        return storage::Value(j.get<int64_t>());
    }
    if (j.is_number()) {
        return storage::Value(j.get<double>());
    }
    if (j.is_string()) {
        return storage::Value(j.get<std::string>());
    }
    return Error::InvalidField("cursor", "is not a cursor of this list");
}

}  // namespace

Result<FieldColumn> ResolveFieldColumn(
    storage::Dialect d, const EntityDef& def, std::string_view name, std::string_view param_name
) {
    VK_ASSIGN_OR_RETURN(Column col, ResolveColumn(d, def, name, param_name));
    return FieldColumn{std::move(col.sql), std::move(col.field)};
}

Result<std::string> ListCondition(
    Connection& c,
    const RequestContext& ctx,
    const EntityDef& def,
    const std::vector<FilterTerm>& filters,
    std::vector<storage::Value>& params
) {
    const access::Scope scope =
        ctx.permissions ? ctx.permissions->For(def.name).read : access::Scope::kNone;
    if (scope == access::Scope::kNone || ctx.tenant_id <= 0) {
        return Error::Forbidden("Your role does not allow reading " + def.name);
    }
    if (filters.size() > 20) {
        return Error::InvalidField("filter", "at most 20 filters");
    }
    params.emplace_back(ctx.tenant_id);
    std::string where = "tenant_id = $" + std::to_string(params.size()) + " AND deleted_at IS NULL";
    const std::string scope_sql = ReadCondition(ctx, def, scope, params);
    if (!scope_sql.empty()) {
        where += " AND " + scope_sql;
    }
    std::vector<core::FieldError> errors;
    for (const FilterTerm& term : filters) {
        auto sql = FilterSql(c.dialect(), def, term, params);
        if (!sql) {
            for (const auto& fe : sql.error().fields) {
                errors.push_back(fe);
            }
            continue;
        }
        where += " AND " + *sql;
    }
    if (!errors.empty()) {
        return Error::Invalid("Invalid filter", std::move(errors));
    }
    return where;
}

Result<ListPage> RecordService::List(
    Connection& c, const RequestContext& ctx, std::string_view entity, const ListQuery& query
) {
    VK_ASSIGN_OR_RETURN(auto def, Meta(c, ctx, entity));
    const access::Scope scope =
        ctx.permissions ? ctx.permissions->For(def->name).read : access::Scope::kNone;
    if (scope == access::Scope::kNone) {
        return Error::Forbidden("Your role does not allow reading " + def->name);
    }
    if (query.limit < 1 || query.limit > kMaxLimit) {
        return Error::InvalidField("limit", "must be between 1 and " + std::to_string(kMaxLimit));
    }
    if (query.filters.size() > 20) {
        return Error::InvalidField("filter", "at most 20 filters");
    }
    const storage::Dialect d = c.dialect();
    std::vector<storage::Value> params{ctx.tenant_id};
    std::string where =
        "tenant_id = $1 AND deleted_at IS " + std::string(query.deleted ? "NOT NULL" : "NULL");
    const std::string scope_sql = ReadCondition(ctx, *def, scope, params);
    if (!scope_sql.empty()) {
        where += " AND " + scope_sql;
    }
    std::vector<core::FieldError> errors;
    // A hidden field can neither be filtered nor sorted on: the matches would reveal its values.
    const auto& hidden = ctx.permissions->For(def->name).hidden_fields;
    auto is_hidden = [&](std::string_view name) {
        if (name.starts_with("custom.")) {
            name.remove_prefix(7);
        }
        const FieldDef* f = def->Field(name);
        return f ? IsHiddenBy(*f, hidden) : hidden.contains(std::string(name));
    };
    std::vector<StartsRange> starts;
    for (const FilterTerm& term : query.filters) {
        if (is_hidden(term.field)) {
            errors.push_back({"filter[" + term.field + "]", "is hidden from your role"});
            continue;
        }
        auto sql = FilterSql(d, *def, term, params);
        if (!sql) {
            for (const auto& fe : sql.error().fields) {
                errors.push_back(fe);
            }
            continue;
        }
        where += " AND " + *sql;
        if (term.op == "starts" && d == storage::Dialect::kSqlite) {
            // FilterSql accepted it, so the field resolves to a text column.
            auto col = ResolveColumn(d, *def, term.field, "filter");
            if (col) {
                StartsRange r{col->sql, StartsRanges(col->sql, term.value, params)};
                if (!r.ranges.empty()) {
                    starts.push_back(std::move(r));
                }
            }
        }
    }
    std::string sort_signature = query.sort.empty() ? def->default_sort : query.sort;
    auto keys_result = ParseSort(d, *def, sort_signature);
    if (keys_result) {
        for (const SortKey& key : *keys_result) {
            if (!is_hidden(key.name)) {
                continue;
            }
            if (!query.sort.empty()) {
                errors.push_back({"sort", "'" + key.name + "' is hidden from your role"});
                break;
            }
            // The entity's default order uses a field this role may not see: fall back.
            sort_signature = "-updated_at";
            keys_result = ParseSort(d, *def, sort_signature);
            break;
        }
    }
    if (!keys_result) {
        for (const auto& fe : keys_result.error().fields) {
            errors.push_back(fe);
        }
    }
    if (!errors.empty()) {
        return Error::Invalid("Invalid list query", std::move(errors));
    }
    std::vector<SortKey> keys = std::move(keys_result).value();
    // The case variants of a "starts" filter become index ranges. When the list is sorted by
    // that column, each range is read in index order as its own branch of a UNION ALL and only
    // the first page of each is merged, instead of sorting every match.
    std::optional<StartsRange> union_by;
    for (StartsRange& r : starts) {
        if (!union_by && r.ranges.size() > 1 && !keys.empty() && keys[0].sql == r.column &&
            !keys[0].descending) {
            union_by = std::move(r);
            continue;
        }
        std::string any;
        for (const std::string& range : r.ranges) {
            any += (any.empty() ? "(" : " OR ") + range;
        }
        where += " AND " + any + ")";
    }
    if (!query.cursor.empty()) {
        auto decoded = core::Base64UrlDecode(query.cursor);
        Json cursor = decoded ? Json::parse(*decoded, nullptr, false) : Json();
        if (!cursor.is_object() || cursor.value("s", "") != sort_signature ||
            !cursor.contains("k") || !cursor["k"].is_array() ||
            cursor["k"].size() != keys.size() + 1 || !cursor["k"].back().is_string()) {
            return Error::InvalidField("cursor", "is not a cursor of this list");
        }
        // Keyset condition: NULL sorts as the largest value (ASC NULLS LAST, DESC NULLS FIRST).
        std::string any;
        std::string equal_prefix;
        for (size_t i = 0; i <= keys.size(); ++i) {
            std::string after;
            std::string equals;
            if (i == keys.size()) {
                after = "id > " + Param(params, cursor["k"][i].get<std::string>());
            } else {
                VK_ASSIGN_OR_RETURN(storage::Value v, JsonToValue(cursor["k"][i]));
                const std::string& k = keys[i].sql;
                if (storage::IsNull(v)) {
                    after = keys[i].descending ? k + " IS NOT NULL" : "1 = 0";
                    equals = k + " IS NULL";
                } else {
                    const std::string p = Param(params, v);
                    after = keys[i].descending ? k + " < " + p
                                               : "(" + k + " > " + p + " OR " + k + " IS NULL)";
                    equals = k + " = " + p;
                }
            }
            any += (any.empty() ? "" : " OR ") + std::string("(") + equal_prefix + after + ")";
            if (!equals.empty()) {
                equal_prefix += equals + " AND ";
            }
        }
        where += " AND (" + any + ")";
    }
    std::string order;
    std::string key_columns;
    std::string merged_order;  // of the UNION ALL branches' keys
    std::string page_order;
    std::string page_keys;
    for (size_t i = 0; i < keys.size(); ++i) {
        const std::string direction = keys[i].descending ? " DESC NULLS FIRST" : " ASC NULLS LAST";
        const std::string sk = "sk" + std::to_string(i);
        order += keys[i].sql + direction + ", ";
        key_columns += ", " + keys[i].sql + " AS " + sk;
        merged_order += sk + direction + ", ";
        page_order += "p." + sk + direction + ", ";
        page_keys += ", p." + sk;
    }
    order += "id ASC";
    page_order += "p.id ASC";
    params.emplace_back(int64_t{query.limit + 1});
    const std::string limit = " LIMIT $" + std::to_string(params.size());
    // The page is chosen by its keys alone and only then are its rows read. On a table without
    // rowids SQLite reads the row of every index entry before testing it, so a scope that skips
    // most entries would read most rows; from a list index carrying owner_id and deleted_at the
    // key query needs no row at all (PostgreSQL: an index-only scan).
    const std::string select_keys =
        "SELECT id" + key_columns + " FROM " + def->name + " WHERE " + where;
    std::string page_sql;
    if (union_by) {
        for (const std::string& range : union_by->ranges) {
            page_sql += (page_sql.empty() ? "" : " UNION ALL ") + std::string("SELECT * FROM (") +
                        select_keys + " AND " + range + " ORDER BY " + order + limit + ")";
        }
        page_sql += " ORDER BY " + merged_order + "id ASC" + limit;
    } else {
        page_sql = select_keys + " ORDER BY " + order + limit;
    }
    // One primary-key read per row of the page: SQLite's CROSS JOIN keeps the page the outer
    // loop (PostgreSQL plans that by itself and has no ON for a CROSS JOIN).
    const std::string join = d == storage::Dialect::kSqlite ? " CROSS JOIN " : " JOIN ";
    const std::string sql = "SELECT " + internal::SelectColumns(*def, "t.") + page_keys +
                            " FROM (" + page_sql + ") AS p" + join + def->name +
                            " AS t ON t.tenant_id = $1 AND t.id = p.id ORDER BY " + page_order;
    VK_ASSIGN_OR_RETURN(storage::Rows rows, c.Query(sql, params));
    ListPage page;
    const size_t key_offset = rows.columns.size() - keys.size();
    for (size_t r = 0; r < rows.size() && r < static_cast<size_t>(query.limit); ++r) {
        page.data.push_back(Present(ctx, *def, internal::RowToBody(*def, rows.rows[r])));
    }
    if (rows.size() > static_cast<size_t>(query.limit)) {
        const auto& last = rows.rows[static_cast<size_t>(query.limit) - 1];
        Json k = Json::array();
        for (size_t i = 0; i < keys.size(); ++i) {
            k.push_back(ValueToJson(last[key_offset + i]));
        }
        k.push_back(storage::AsText(last[0]));
        page.next_cursor = core::Base64UrlEncode(Json{{"s", sort_signature}, {"k", k}}.dump());
    }
    return page;
}

}  // namespace voronka::records
