// What every config fuzz target checks: a parser either accepts its input
// or throws a ConfigError whose message says where the problem is.  Any
// other exception, and any sanitizer report, is a finding: libFuzzer
// stops, saves the input and the run fails.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace rdbd::fuzz {

// A rejection names "FILE:LINE:" (a line counted from 1), or is about
// the file as a whole because something is missing from it: "FILE: no
// ...".  Every other message is a finding.
inline bool names_a_place(const std::string &message, const std::string &file)
{
	if (message.compare(0, file.size(), file) != 0)
		return false;
	const std::string rest = message.substr(file.size());
	if (rest.compare(0, 5, ": no ") == 0)
		return true;
	size_t digits = 0;
	while (1 + digits < rest.size() && rest[1 + digits] >= '0' &&
	       rest[1 + digits] <= '9')
		digits++;
	return rest.size() > 1 + digits && rest[0] == ':' && digits > 0 &&
	       rest[1] != '0' && rest[1 + digits] == ':';
}

[[noreturn]] inline void finding(const std::string &what)
{
	std::fprintf(stderr, "FINDING: %s\n", what.c_str());
	std::abort();
}

// Runs `parse` on the input and checks how it ends.  `Rejection` is the
// parser's error type (rdbd::ConfigError or rdbd::hb::ConfigError).
template <class Rejection, class Parse>
int check_parser(const uint8_t *data, size_t size, const std::string &file,
		 Parse parse)
{
	const std::string text(reinterpret_cast<const char *>(data), size);
	try {
		parse(text);
	} catch (const Rejection &e) {
		if (!names_a_place(e.what(), file))
			finding("rejection without " + file +
				":LINE: " + e.what());
	} catch (const std::exception &e) {
		finding(std::string("unexpected exception: ") + e.what());
	}
	return 0;
}

} // namespace rdbd::fuzz
