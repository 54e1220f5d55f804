#include "hb_text.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <sstream>

namespace rdbd::hb {

std::string lowercase(std::string s)
{
	std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
		return static_cast<char>(std::tolower(c));
	});
	return s;
}

bool ends_with(const std::string &s, const std::string &suffix)
{
	return s.size() >= suffix.size() &&
	       s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::string> split_words(const std::string &s)
{
	std::istringstream in(s);
	std::vector<std::string> words;
	for (std::string w; in >> w;)
		words.push_back(w);
	return words;
}

std::vector<std::string> split(const std::string &s, char separator)
{
	std::vector<std::string> parts;
	size_t start = 0;
	for (;;) {
		const size_t end = s.find(separator, start);
		parts.push_back(s.substr(start, end - start));
		if (end == std::string::npos)
			return parts;
		start = end + 1;
	}
}

std::string join(const std::vector<std::string> &parts, const std::string &sep)
{
	std::string out;
	for (size_t i = 0; i < parts.size(); i++)
		out += (i ? sep : "") + parts[i];
	return out;
}

bool is_ipv4(const std::string &s)
{
	in_addr a;
	return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

std::optional<uint64_t> parse_unsigned(const std::string &s, int base)
{
	if (s.empty() || s.size() > 16)
		return std::nullopt;
	uint64_t v = 0;
	for (char c : s) {
		int digit;
		if (c >= '0' && c <= '9')
			digit = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			digit = c - 'a' + 10;
		else
			return std::nullopt;
		if (digit >= base)
			return std::nullopt;
		v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(digit);
	}
	return v;
}

std::string to_hex(const unsigned char *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	std::string out;
	out.reserve(len * 2);
	for (size_t i = 0; i < len; i++) {
		out += digits[data[i] >> 4];
		out += digits[data[i] & 15];
	}
	return out;
}

namespace {

std::string strip_comment(const std::string &line)
{
	const size_t hash = line.find('#');
	return hash == std::string::npos ? line : line.substr(0, hash);
}

bool blank(const std::string &s)
{
	return s.find_first_not_of(" \t\r") == std::string::npos;
}

} // namespace

void for_each_config_line(
	const std::string &text,
	const std::function<void(size_t, const std::string &)> &visit,
	bool continuations)
{
	std::istringstream in(text);
	std::string raw, pending;
	size_t number = 0, first = 0;
	while (std::getline(in, raw)) {
		number++;
		std::string content = strip_comment(raw);
		while (!content.empty() && std::isspace(
			       static_cast<unsigned char>(content.back())))
			content.pop_back();
		if (pending.empty())
			first = number;
		if (continuations && !content.empty() && content.back() == '\\') {
			content.pop_back();
			pending += content + " ";
			continue;
		}
		pending += content;
		if (!blank(pending))
			visit(first, pending);
		pending.clear();
	}
	if (!blank(pending))
		visit(first, pending);
}

} // namespace rdbd::hb
