// Type rules of the record engine, one switch per direction so a new type cannot be half-wired.
#include "records/field_codec.hpp"

#include <charconv>
#include <cmath>

#include "core/clock.hpp"
#include "core/id.hpp"
#include "core/money.hpp"
#include "core/text.hpp"

namespace voronka::records {

__extension__ typedef __int128 Int128;

namespace {

using core::Error;

Error Bad(const FieldDef& f, std::string message) {
    return Error::InvalidField(f.name, std::move(message));
}

bool InOptions(const FieldDef& f, const std::string& v) {
    for (const auto& o : f.options) {
        if (o == v) {
            return true;
        }
    }
    return false;
}

Result<Json> Text(const FieldDef& f, const Json& value, size_t max_length) {
    if (!value.is_string()) {
        return Bad(f, "must be a string");
    }
    const auto& raw = value.get_ref<const std::string&>();
    if (!core::IsValidUtf8(raw)) {
        return Bad(f, "is not valid UTF-8");
    }
    if (raw.find('\0') != std::string::npos) {
        return Bad(f, "must not contain NUL characters");  // PostgreSQL text cannot hold them
    }
    std::string text = core::NormalizeNfc(raw);
    if (text.size() > max_length) {
        return Bad(f, "is longer than " + std::to_string(max_length) + " bytes");
    }
    if (core::Trim(text).empty()) {
        return Json(nullptr);
    }
    return Json(std::move(text));
}

}  // namespace

Result<Json> ValidateFieldValue(const FieldDef& f, const Json& value) {
    if (value.is_null()) {
        return Json(nullptr);
    }
    switch (f.type) {
        case FieldType::kText:
        case FieldType::kEmail:
        case FieldType::kPhone:
        case FieldType::kUrl:
            // Emails and phones are kept as typed; the quality domain normalises and flags them.
            return Text(f, value, f.max_length);
        case FieldType::kMoney:
            if (value.is_number_integer()) {
                return Json(std::to_string(value.get<int64_t>()));
            }
            if (!value.is_string()) {
                return Bad(f, "must be a decimal string like \"1500.50\"");
            }
            return value;
        case FieldType::kCurrency: {
            if (!value.is_string()) {
                return Bad(f, "must be an ISO 4217 code like \"RUB\"");
            }
            std::string code = value.get<std::string>();
            for (char& c : code) {
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
            if (!core::IsCurrencyCode(code)) {
                return Bad(f, "is not an ISO 4217 currency code");
            }
            return Json(code);
        }
        case FieldType::kInteger:
            if (!value.is_number_integer()) {
                return Bad(f, "must be an integer");
            }
            return value;
        case FieldType::kNumber:
            if (!value.is_number() || !std::isfinite(value.get<double>())) {
                return Bad(f, "must be a number");
            }
            return value;
        case FieldType::kBool:
            if (!value.is_boolean()) {
                return Bad(f, "must be true or false");
            }
            return value;
        case FieldType::kDate:
            if (!value.is_string() || !core::IsValidDate(value.get<std::string>())) {
                return Bad(f, "must be a date YYYY-MM-DD");
            }
            return value;
        case FieldType::kDateTime: {
            if (!value.is_string()) {
                return Bad(f, "must be an RFC 3339 date-time");
            }
            auto micros = core::ParseTimestamp(value.get<std::string>());
            if (!micros || value.get<std::string>().size() <= 10) {
                return Bad(f, "must be an RFC 3339 date-time like 2026-01-31T09:00:00Z");
            }
            return Json(core::FormatTimestamp(*micros));
        }
        case FieldType::kEnum:
            if (!value.is_string() || !InOptions(f, value.get<std::string>())) {
                return Bad(f, "must be one of the field's options");
            }
            return value;
        case FieldType::kMultiEnum: {
            if (!value.is_array()) {
                return Bad(f, "must be an array of the field's options");
            }
            Json out = Json::array();
            for (const auto& item : value) {
                if (!item.is_string() || !InOptions(f, item.get<std::string>())) {
                    return Bad(f, "must be an array of the field's options");
                }
                if (std::find(out.begin(), out.end(), item) == out.end()) {
                    out.push_back(item);
                }
            }
            return out;
        }
        case FieldType::kReference:
        case FieldType::kUser:
            if (!value.is_string() || !core::IsIdShaped(value.get<std::string>())) {
                return Bad(f, "must be a record id");
            }
            return value;
        case FieldType::kJson:
            // U+0000 cannot be stored in PostgreSQL jsonb; refuse it on every backend alike.
            if (value.dump().find("\\u0000") != std::string::npos) {
                return Bad(f, "must not contain NUL characters");
            }
            if (value.dump().size() > 65536) {
                return Bad(f, "is larger than 64 KiB");
            }
            return value;
    }
    return Bad(f, "has an unsupported type");
}

Result<storage::Value> ToStorage(const FieldDef& f, const Json& value, std::string_view currency) {
    if (value.is_null()) {
        return storage::Value(nullptr);
    }
    switch (f.type) {
        case FieldType::kText:
        case FieldType::kEmail:
        case FieldType::kPhone:
        case FieldType::kUrl:
        case FieldType::kCurrency:
        case FieldType::kDate:
        case FieldType::kEnum:
        case FieldType::kReference:
        case FieldType::kUser:
            return storage::Value(value.get<std::string>());
        case FieldType::kMoney: {
            if (currency.empty()) {
                return Error::InvalidField(
                    f.currency_field.empty() ? f.name : f.currency_field,
                    "a currency is required with an amount"
                );
            }
            auto minor = core::ParseAmount(value.get<std::string>(), currency);
            if (!minor) {
                const auto& fe = minor.error().fields;
                const bool currency_error = !fe.empty() && fe[0].field == "currency";
                return Error::InvalidField(
                    currency_error ? f.currency_field : f.name,
                    fe.empty() ? "is not a valid amount" : fe[0].message
                );
            }
            return storage::Value(*minor);
        }
        case FieldType::kInteger:
            return storage::Value(value.get<int64_t>());
        case FieldType::kNumber:
            return storage::Value(value.get<double>());
        case FieldType::kBool:
            return storage::Value(int64_t{value.get<bool>() ? 1 : 0});
        case FieldType::kDateTime:
            return storage::Value(*core::ParseTimestamp(value.get<std::string>()));
        case FieldType::kMultiEnum:
        case FieldType::kJson:
            return storage::Value(value.dump());
    }
    return storage::Value(nullptr);
}

Json FromStorage(const FieldDef& f, const storage::Value& value, std::string_view currency) {
    if (storage::IsNull(value)) {
        return nullptr;
    }
    switch (f.type) {
        case FieldType::kText:
        case FieldType::kEmail:
        case FieldType::kPhone:
        case FieldType::kUrl:
        case FieldType::kCurrency:
        case FieldType::kDate:
        case FieldType::kEnum:
        case FieldType::kReference:
        case FieldType::kUser:
            return storage::AsText(value);
        case FieldType::kMoney:
            return core::FormatAmount(storage::AsInt(value), currency.empty() ? "XXX" : currency);
        case FieldType::kInteger:
            return storage::AsInt(value);
        case FieldType::kNumber:
            return storage::AsDouble(value);
        case FieldType::kBool:
            return storage::AsInt(value) != 0;
        case FieldType::kDateTime:
            return core::FormatTimestamp(storage::AsInt(value));
        case FieldType::kMultiEnum:
        case FieldType::kJson: {
            Json parsed = Json::parse(storage::AsText(value), nullptr, false);
            return parsed.is_discarded() ? Json(nullptr) : parsed;
        }
    }
    return nullptr;
}

Json ToCustomJson(const FieldDef& f, const Json& value, std::string_view currency) {
    if (value.is_null()) {
        return nullptr;
    }
    if (f.type == FieldType::kDateTime) {
        return *core::ParseTimestamp(value.get<std::string>());
    }
    if (f.type == FieldType::kMoney) {
        auto minor = core::ParseAmount(value.get<std::string>(), currency);
        return minor ? Json(*minor) : Json(nullptr);
    }
    return value;
}

Json FromCustomJson(const FieldDef& f, const Json& stored, std::string_view currency) {
    if (stored.is_null()) {
        return nullptr;
    }
    if (f.type == FieldType::kDateTime && stored.is_number_integer()) {
        return core::FormatTimestamp(stored.get<int64_t>());
    }
    if (f.type == FieldType::kMoney && stored.is_number_integer()) {
        return core::FormatAmount(stored.get<int64_t>(), currency.empty() ? "XXX" : currency);
    }
    return stored;
}

Result<storage::Value> FilterOperand(const FieldDef& f, std::string_view text) {
    switch (f.type) {
        case FieldType::kInteger:
        case FieldType::kMoney: {
            if (f.type == FieldType::kMoney) {
                // Money filters compare minor units; the operand is a decimal in the record's
                // currency digits (2 unless the field says otherwise).
                Int128 acc = 0;
                int frac = -1;
                bool neg = false;
                size_t i = 0;
                if (i < text.size() && text[i] == '-') {
                    neg = true;
                    ++i;
                }
                if (i >= text.size()) {
                    return Error::InvalidField("filter[" + f.name + "]", "must be a decimal amount");
                }
                for (; i < text.size(); ++i) {
                    if (text[i] == '.' && frac < 0) {
                        frac = 0;
                        continue;
                    }
                    if (text[i] < '0' || text[i] > '9' || frac >= 2 || acc > (Int128)1 << 100) {
                        return Error::InvalidField(
                            "filter[" + f.name + "]", "must be a decimal amount"
                        );
                    }
                    if (frac >= 0) {
                        ++frac;
                    }
                    acc = acc * 10 + (text[i] - '0');
                }
                for (int k = std::max(frac, 0); k < 2; ++k) {
                    acc *= 10;
                }
                if (acc > INT64_MAX) {
                    return Error::InvalidField("filter[" + f.name + "]", "is too large");
                }
                return storage::Value(static_cast<int64_t>(neg ? -acc : acc));
            }
            int64_t out = 0;
            auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
            if (ec != std::errc() || ptr != text.data() + text.size()) {
                return Error::InvalidField("filter[" + f.name + "]", "must be an integer");
            }
            return storage::Value(out);
        }
        case FieldType::kNumber: {
            try {
                size_t used = 0;
                const double d = std::stod(std::string(text), &used);
                if (used != text.size() || !std::isfinite(d)) {
                    throw std::invalid_argument("trailing");
                }
                return storage::Value(d);
            } catch (...) {
                return Error::InvalidField("filter[" + f.name + "]", "must be a number");
            }
        }
        case FieldType::kBool:
            if (text == "true" || text == "1") {
                return storage::Value(int64_t{1});
            }
            if (text == "false" || text == "0") {
                return storage::Value(int64_t{0});
            }
            return Error::InvalidField("filter[" + f.name + "]", "must be true or false");
        case FieldType::kDateTime: {
            auto micros = core::ParseTimestamp(text);
            if (!micros) {
                return Error::InvalidField("filter[" + f.name + "]", "must be an RFC 3339 date-time");
            }
            return storage::Value(*micros);
        }
        case FieldType::kDate:
            if (!core::IsValidDate(text)) {
                return Error::InvalidField("filter[" + f.name + "]", "must be a date YYYY-MM-DD");
            }
            return storage::Value(std::string(text));
        case FieldType::kText:
        case FieldType::kEmail:
        case FieldType::kPhone:
        case FieldType::kUrl:
        case FieldType::kCurrency:
        case FieldType::kEnum:
        case FieldType::kMultiEnum:
        case FieldType::kReference:
        case FieldType::kUser:
        case FieldType::kJson:
            if (!core::IsValidUtf8(text) || text.size() > 1000) {
                return Error::InvalidField("filter[" + f.name + "]", "is not valid text");
            }
            return storage::Value(core::NormalizeNfc(text));
    }
    return storage::Value(nullptr);
}

}  // namespace voronka::records
