// Where a piece of configuration came from, and the error that points there.
#pragma once

#include <string>

#include "error.h"

namespace rdbd {

// 1-based, as editors count.  Columns count bytes.
struct Location {
	std::string file;
	int line = 0;
	int col = 0;
};

// Printed as "FILE:LINE:COL: message" so editors can jump to it.
class ConfigError : public Error {
public:
	ConfigError(const Location &where, const std::string &message)
		: Error(kExitConfig,
			where.file + ':' + std::to_string(where.line) + ':' +
				std::to_string(where.col) + ": " + message)
	{
	}
	// An error about the file as a whole (cannot read it, no resource).
	explicit ConfigError(const std::string &message)
		: Error(kExitConfig, message)
	{
	}
};

// A value that is wrong before anyone knows where it came from: the parser
// adds the location of words[word] and turns it into a ConfigError.
struct ValueError {
	size_t word;	     // index of the offending word of the statement
	std::string message; // "bad value 'x' for 'y' (expected ...)"
};

} // namespace rdbd
