// Small text helpers shared by the three /etc/ha.d parsers and the wire
// format.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rdbd::hb {

std::string lowercase(std::string s);
bool ends_with(const std::string &s, const std::string &suffix);
std::vector<std::string> split_words(const std::string &s);
std::vector<std::string> split(const std::string &s, char separator);
std::string join(const std::vector<std::string> &parts, const std::string &sep);
bool is_ipv4(const std::string &s);
std::optional<uint64_t> parse_unsigned(const std::string &s, int base = 10);
std::string to_hex(const unsigned char *data, size_t len);

// Calls `visit(line_number, content)` for every line that has something
// left once `#` comments and blanks are stripped.  With `continuations`, a
// line ending in `\` is joined to the next one and reported under the
// number of its first line.
void for_each_config_line(
	const std::string &text,
	const std::function<void(size_t, const std::string &)> &visit,
	bool continuations = false);

} // namespace rdbd::hb
