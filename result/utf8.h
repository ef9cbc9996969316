// Strings that come from outside (tensor and node names in a model file,
// paths, flags, rows of the store) are bytes; JSON and the store hold UTF-8.
// The one policy (docs/result-document.md): on the way into JSON or the
// store, every byte that is not part of a well-formed UTF-8 sequence is
// written as the four ASCII characters \xNN (upper-case hex). Valid UTF-8,
// which is every string of a well-behaved model, passes unchanged; a
// Latin-1 name such as "caf\xE9" stays readable and its bytes recoverable.
// nlohmann::json::dump throws (type_error 316) on a string that is not
// UTF-8: dump through dump_json, which cannot.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace opscope {

// Well-formed UTF-8 as Unicode defines it (no overlong forms, no
// surrogates, nothing above U+10FFFF), which is what nlohmann checks.
bool is_valid_utf8(std::string_view s);

// `s` with every byte outside a well-formed sequence written as \xNN.
std::string escape_invalid_utf8(std::string_view s);

// The same over every string and object key of `j`, in place.
void escape_invalid_utf8(nlohmann::json& j);
void escape_invalid_utf8(nlohmann::ordered_json& j);

// JSON text whose strings may hold bytes that are not UTF-8 (a document
// written by hand or stored by an older version) made parseable: each such
// byte becomes \\xNN, which the parser reads as the characters \xNN, the
// same escaping as above. Valid UTF-8 text comes back unchanged.
std::string escape_invalid_utf8_in_json_text(std::string_view text);

// j.dump(indent) that never throws on a string's bytes: strings that are
// not UTF-8 are written escaped as above.
std::string dump_json(const nlohmann::json& j, int indent = -1);
std::string dump_json(const nlohmann::ordered_json& j, int indent = -1);

}  // namespace opscope
