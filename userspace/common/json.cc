#include "json.h"

#include <cstdio>

namespace rdbd {

std::string json_quote(std::string_view text)
{
	std::string out = "\"";
	for (char c : text) {
		switch (c) {
		case '"':
			out += "\\\"";
			break;
		case '\\':
			out += "\\\\";
			break;
		case '\b':
			out += "\\b";
			break;
		case '\f':
			out += "\\f";
			break;
		case '\n':
			out += "\\n";
			break;
		case '\r':
			out += "\\r";
			break;
		case '\t':
			out += "\\t";
			break;
		default:
			if (static_cast<unsigned char>(c) < 0x20) {
				char esc[7];
				std::snprintf(esc, sizeof(esc), "\\u%04x",
					      static_cast<unsigned char>(c));
				out += esc;
			} else {
				out += c;
			}
		}
	}
	return out + "\"";
}

JsonObject &JsonObject::add_raw(std::string_view key, std::string json)
{
	members_.emplace_back(json_quote(key), std::move(json));
	return *this;
}

JsonObject &JsonObject::add_string(std::string_view key, std::string_view value)
{
	return add_raw(key, json_quote(value));
}

JsonObject &
JsonObject::add_string_or_null(std::string_view key,
			       const std::optional<std::string> &value)
{
	return value ? add_string(key, std::string_view(*value))
		     : add_null(key);
}

JsonObject &JsonObject::add_number(std::string_view key, uint64_t value)
{
	return add_raw(key, std::to_string(value));
}

JsonObject &JsonObject::add_number_or_null(std::string_view key,
					   const std::optional<double> &value,
					   int decimals)
{
	if (!value)
		return add_null(key);
	char text[64];
	std::snprintf(text, sizeof(text), "%.*f", decimals, *value);
	return add_raw(key, text);
}

JsonObject &JsonObject::add_null(std::string_view key)
{
	return add_raw(key, "null");
}

JsonObject &JsonObject::add_members(const JsonObject &other)
{
	members_.insert(members_.end(), other.members_.begin(),
			other.members_.end());
	return *this;
}

std::string JsonObject::str() const
{
	std::string out = "{";
	for (const auto &[key, value] : members_)
		out += (out.size() > 1 ? ", " : "") + key + ": " + value;
	return out + "}";
}

std::string json_array(const std::vector<JsonObject> &objects)
{
	std::string out = "[";
	for (size_t i = 0; i < objects.size(); ++i)
		out += (i ? ",\n " : "\n ") + objects[i].str();
	return out + (objects.empty() ? "]\n" : "\n]\n");
}

} // namespace rdbd
