// Request-body JSON parsing: the edge where untrusted bytes become values.
#include "core/json.hpp"

#include "core/text.hpp"

namespace voronka::core {

Result<Json> ParseJson(std::string_view text, int max_depth) {
    if (!IsValidUtf8(text)) {
        return Error::Invalid("Request body is not valid UTF-8");
    }
    int depth = 0;
    bool too_deep = false;
    // The callback sees every structural event; deep input is cut off before it is built.
    Json::parser_callback_t guard = [&](int d, Json::parse_event_t event, Json&) {
        if (event == Json::parse_event_t::object_start ||
            event == Json::parse_event_t::array_start) {
            depth = d + 1;
            if (depth > max_depth) {
                too_deep = true;
                return false;
            }
        }
        return !too_deep;
    };
    Json value = Json::parse(text, guard, /*allow_exceptions=*/false);
    if (too_deep) {
        return Error::Invalid("JSON nesting is deeper than " + std::to_string(max_depth));
    }
    if (value.is_discarded()) {
        // Re-parse with exceptions to report the position of the syntax error.
        try {
            const Json reparsed = Json::parse(text);
            (void)reparsed;
        } catch (const Json::exception& e) {
            return Error::Invalid(
                "Malformed JSON: " + std::string(e.id == 406 ? "a number is out of range" : "syntax error"), {{"body", "malformed JSON"}}
            );
        }
        return Error::Invalid("Malformed JSON");
    }
    return value;
}

std::string DumpJson(const Json& value) {
    return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace voronka::core
