// Just enough JSON writing for `status --json`: a flat object per line of
// code, keys in the order they are added, strings escaped per RFC 8259.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rdbd {

// "text" with ", \ and control characters escaped; other bytes (UTF-8)
// pass through unchanged.
std::string json_quote(std::string_view text);

class JsonObject {
public:
	JsonObject &add_string(std::string_view key, std::string_view value);
	JsonObject &add_string_or_null(std::string_view key,
				       const std::optional<std::string> &value);
	JsonObject &add_number(std::string_view key, uint64_t value);
	// Fixed point with `decimals` digits after the point.
	JsonObject &add_number_or_null(std::string_view key,
				       const std::optional<double> &value,
				       int decimals);
	JsonObject &add_null(std::string_view key);
	// Appends the members of `other`, in its order.
	JsonObject &add_members(const JsonObject &other);

	std::string str() const; // {"a": 1, "b": "x"}

private:
	JsonObject &add_raw(std::string_view key, std::string json);
	std::vector<std::pair<std::string, std::string>> members_;
};

// [obj, obj] with one object per line, so diffs stay readable.
std::string json_array(const std::vector<JsonObject> &objects);

} // namespace rdbd
