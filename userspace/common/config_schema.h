// What the configuration language allows where: one table per section.
//
// The parser is generic and learns everything from these tables: which
// keywords a section accepts, whether each is a `key value;` statement or a
// `{ }` section (named like `on HOST { }` or not), whether it may repeat,
// and how its value is checked.  Adding an option is adding a row here and
// reading it in config.cc.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "endpoint.h"

namespace rdbd {

enum class ValueType {
	Path,	 // absolute path shorter than RDBD_PATH_MAX
	Device,	 // /dev/rdbdN
	Integer, // min..max, in `unit`
	Choice,	 // one of `choices`
	Address, // [ipv4|ipv6] ADDR:PORT
	Text,	 // any word or "string" of min..max bytes
};

// A letter after a number that multiplies it: DRBD's "10M" for a rate
// whose plain unit is KiB/s.
struct UnitSuffix {
	char letter;
	long long factor;
};

struct ValueSpec {
	ValueType type = ValueType::Path;
	long long min = 0, max = 0;	       // Integer; Text: bytes
	std::string_view unit;		       // Integer: "seconds"
	std::vector<std::string_view> choices; // Choice
	std::string_view expects;	       // overrides the generated hint
	std::vector<UnitSuffix> suffixes;      // Integer: accepted suffixes
	// Choice: DRBD's values that rdbd does not implement, refused with
	// "not supported by rdbd" rather than as unknown words.
	std::vector<std::string_view> unsupported;
};

// A checked value: Integer -> long long, Address -> Endpoint, else text.
using ConfigValue = std::variant<std::string, long long, Endpoint>;

enum class Shape { Value, Section, NamedSection };

struct SectionSpec;

struct KeySpec {
	std::string_view keyword;
	Shape shape = Shape::Value;
	ValueSpec value;		   // Shape::Value
	const SectionSpec *body = nullptr; // sections
	bool repeatable = false;
};

struct SectionSpec {
	std::vector<KeySpec> keys;

	// `disk` is a statement in a resource and a section too: the one
	// that matches whether a '{' follows wins; else the only one.
	const KeySpec *find(std::string_view keyword, bool brace_follows) const;
	std::string keyword_list() const; // "device, disk, ..." for errors
};

const SectionSpec &top_level_schema();

// For a DRBD keyword rdbd does not take ("allow-two-primaries"): why,
// or what to write instead.  Empty for any other word.
std::string_view drbd_only_hint(std::string_view keyword);

// The handlers { } keywords, in the order dump prints them.
const std::vector<std::string_view> &handler_names();

// How many words the statement takes, given the first one: `address`
// takes an optional family keyword before the address itself.
size_t value_word_count(const KeySpec &key, const std::string &first);

// "(expected ...)" text for the value of `key`.
std::string expected_value(const KeySpec &key);

// Checks the words of a statement against its spec; throws ValueError.
ConfigValue check_value(const KeySpec &key,
			const std::vector<std::string> &words);

} // namespace rdbd
