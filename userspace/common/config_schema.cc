#include "config_schema.h"

#include <rdbd/genl.h>

#include "device_name.h"

namespace rdbd {

namespace {

KeySpec integer(std::string_view keyword, long long min, long long max,
		std::string_view unit)
{
	KeySpec k{keyword, Shape::Value, {}};
	k.value = {ValueType::Integer, min, max, unit, {}, {}, {}, {}};
	return k;
}

KeySpec typed(std::string_view keyword, ValueType type)
{
	KeySpec k{keyword, Shape::Value, {}};
	k.value.type = type;
	return k;
}

KeySpec choice(std::string_view keyword, std::vector<std::string_view> choices,
	       std::string_view expects = {},
	       std::vector<std::string_view> unsupported = {})
{
	KeySpec k{keyword, Shape::Value, {}};
	k.value = {ValueType::Choice, 0,	  0,
		   {},		      std::move(choices), expects,
		   {},		      std::move(unsupported)};
	return k;
}

// DRBD's third policy runs a handler and then detaches; rdbd has no
// local-io-error handler, so a config that relies on it must not pass
// silently as plain detach.
KeySpec on_io_error()
{
	return choice("on-io-error", {"detach", "pass_on"}, {},
		      {"call-local-io-error"});
}

// A rate in KiB/s.  As in drbd.conf, a suffix scales the number from
// its plain unit: "100k" is 100, "10M" 10240, "1G" 1048576.
KeySpec rate(std::string_view keyword, long long min, long long max)
{
	KeySpec k = integer(keyword, min, max, "KiB/s");
	k.value.suffixes = {{'k', 1},	     {'K', 1},	      {'m', 1024},
			    {'M', 1024},     {'g', 1 << 20}, {'G', 1 << 20}};
	return k;
}

KeySpec text(std::string_view keyword, long long min_bytes, long long max_bytes,
	     std::string_view expects = {})
{
	KeySpec k{keyword, Shape::Value, {}};
	k.value = {ValueType::Text, min_bytes, max_bytes, {}, {}, expects, {}, {}};
	return k;
}

KeySpec section(std::string_view keyword, const SectionSpec &body,
		Shape shape = Shape::Section)
{
	KeySpec k{keyword, shape, {}};
	k.body = &body;
	k.repeatable = shape == Shape::NamedSection;
	return k;
}

// Keys that may sit in the resource and in an `on` section; the host's
// value wins (config.cc).
std::vector<KeySpec> per_host_keys()
{
	return {
		typed("device", ValueType::Device),
		typed("disk", ValueType::Path),
		choice("meta-disk", {"internal"},
		       "internal; only internal meta data is supported"),
	};
}

const SectionSpec &net_schema()
{
	// Ranges and units are DRBD 8.4's (linux/drbd_limits.h).
	static const SectionSpec spec{{
		choice("protocol", {"A", "B", "C"}),
		integer("connect-int", 1, 120, "seconds"),
		integer("ping-int", 1, 120, "seconds"),
		integer("ping-timeout", 1, 300, "tenths of a second"),
		integer("timeout", 1, 600, "tenths of a second"),
		// The hashes every kernel's crypto API has an hmac() of;
		// the kernel looks the name up as "hmac(<name>)".
		choice("cram-hmac-alg", {"sha1", "sha256", "sha512", "md5"}),
		text("shared-secret", 1, RDBD_SECRET_MAX),
		// Split-brain recovery: what rdbd.ko implements for each
		// number of Primaries; the rest of what DRBD 8.4 allows
		// (drbd.conf(5) of 8.4) is named as not supported.
		choice("after-sb-0pri",
		       {"disconnect", "discard-younger-primary",
			"discard-older-primary", "discard-zero-changes",
			"discard-least-changes"},
		       {}, {"discard-local", "discard-remote"}),
		choice("after-sb-1pri",
		       {"disconnect", "consensus", "discard-secondary"}, {},
		       {"violently-as0p", "call-pri-lost-after-sb"}),
		choice("after-sb-2pri", {"disconnect"}, {},
		       {"violently-as0p", "call-pri-lost-after-sb"}),
		choice("verify-alg", {"crc32c", "sha256"}),
	}};
	return spec;
}

const SectionSpec &disk_schema()
{
	// Ranges, units and defaults are DRBD 8.4.7's (drbd_limits.h).
	static const SectionSpec spec{{
		integer("al-extents", 67, 65534, "extents"),
		rate("resync-rate", 1, 4194304),
		integer("c-plan-ahead", 0, 300, "tenths of a second"),
		rate("c-min-rate", 0, 4194304),
		rate("c-max-rate", 250, 4194304),
		on_io_error(),
		// DRBD 8.4's fencing policies, all three (fence.c).
		choice("fencing",
		       {"dont-care", "resource-only", "resource-and-stonith"}),
	}};
	return spec;
}

const SectionSpec &startup_schema()
{
	static const SectionSpec spec{{
		integer("wfc-timeout", 0, 300000, "seconds"),
		integer("degr-wfc-timeout", 0, 300000, "seconds"),
		// A host name: a node's name is at most HOST_NAME_MAX (64).
		text("become-primary-on", 1, 64,
		     "a host of the resource, or both"),
	}};
	return spec;
}

const SectionSpec &handlers_schema()
{
	static const SectionSpec spec = [] {
		SectionSpec s;
		for (std::string_view name : handler_names())
			s.keys.push_back(text(name, 1, 4096,
					      "a shell command of 1..4096 "
					      "bytes"));
		return s;
	}();
	return spec;
}

const SectionSpec &on_schema()
{
	static const SectionSpec spec = [] {
		SectionSpec s{per_host_keys()};
		s.keys.push_back(typed("address", ValueType::Address));
		return s;
	}();
	return spec;
}

// The option sections a resource has and `common` gives to every one.
std::vector<KeySpec> option_sections()
{
	return {
		section("disk", disk_schema()),
		section("net", net_schema()),
		section("startup", startup_schema()),
		section("handlers", handlers_schema()),
	};
}

const SectionSpec &resource_schema()
{
	static const SectionSpec spec = [] {
		SectionSpec s{per_host_keys()};
		for (KeySpec &k : option_sections())
			s.keys.push_back(std::move(k));
		s.keys.push_back(
			section("on", on_schema(), Shape::NamedSection));
		return s;
	}();
	return spec;
}

const SectionSpec &common_schema()
{
	static const SectionSpec spec{option_sections()};
	return spec;
}

// drbd.conf's global section.  rdbd has no usage statistics to send, so
// usage-count is accepted for drbd.conf habits and changes nothing.
const SectionSpec &global_schema()
{
	static const SectionSpec spec{{
		choice("usage-count", {"yes", "no", "ask"}),
	}};
	return spec;
}

bool all_digits(const std::string &s)
{
	return !s.empty() &&
	       s.find_first_not_of("0123456789") == std::string::npos;
}

ValueError bad_value(const KeySpec &key, const std::string &word,
		     size_t index = 0)
{
	return {index, "bad value '" + word + "' for '" +
			       std::string(key.keyword) + "' (expected " +
			       expected_value(key) + ")"};
}

// The factor of a trailing suffix letter of `word` (removed), or 1.
long long take_suffix(const KeySpec &key, std::string &digits)
{
	if (digits.empty())
		return 1;
	for (const UnitSuffix &s : key.value.suffixes)
		if (digits.back() == s.letter) {
			digits.pop_back();
			return s.factor;
		}
	return 1;
}

long long check_integer(const KeySpec &key, const std::string &word)
{
	const ValueSpec &v = key.value;
	std::string digits = word;
	const long long factor = take_suffix(key, digits);
	// More than 12 digits would overflow once scaled; it is out of
	// range anyway.
	if (!all_digits(digits))
		throw bad_value(key, word);
	const long long n =
		digits.size() > 12 ? v.max + 1 : std::stoll(digits) * factor;
	if (n < v.min || n > v.max)
		throw ValueError{0, "value " + word + " for '" +
					    std::string(key.keyword) +
					    "' is out of range (expected " +
					    std::to_string(v.min) + ".." +
					    std::to_string(v.max) + " " +
					    std::string(v.unit) + ")"};
	return n;
}

std::string check_choice(const KeySpec &key, const std::string &word)
{
	for (std::string_view c : key.value.choices)
		if (word == c)
			return word;
	for (std::string_view c : key.value.unsupported)
		if (word == c)
			throw ValueError{0, std::string(key.keyword) + " " +
						    word +
						    ": not supported by rdbd; "
						    "use " +
						    expected_value(key)};
	throw bad_value(key, word);
}

// The value may be a secret: the message gives its length, never the text.
std::string check_text(const KeySpec &key, const std::string &word)
{
	const auto bytes = static_cast<long long>(word.size());
	if (bytes < key.value.min || bytes > key.value.max)
		throw ValueError{0, "value for '" + std::string(key.keyword) +
					    "' is " + std::to_string(bytes) +
					    " bytes long (expected " +
					    expected_value(key) + ")"};
	return word;
}

std::string check_path(const KeySpec &key, const std::string &word)
{
	if (word.empty() || word[0] != '/' || word.size() >= RDBD_PATH_MAX)
		throw bad_value(key, word);
	return word;
}

std::string check_device(const KeySpec &key, const std::string &word)
{
	if (!minor_of_device(word))
		throw bad_value(key, word);
	return word;
}

} // namespace

const KeySpec *SectionSpec::find(std::string_view keyword,
				 bool brace_follows) const
{
	const KeySpec *found = nullptr;
	for (const KeySpec &k : keys) {
		if (k.keyword != keyword)
			continue;
		if ((k.shape != Shape::Value) == brace_follows)
			return &k;
		found = &k;
	}
	return found;
}

std::string SectionSpec::keyword_list() const
{
	std::string list;
	// A keyword with two shapes (disk) is listed once.
	for (size_t i = 0; i < keys.size(); ++i) {
		bool listed = false;
		for (size_t j = 0; j < i; ++j)
			listed = listed || keys[j].keyword == keys[i].keyword;
		if (!listed)
			list += (list.empty() ? "" : ", ") +
				std::string(keys[i].keyword);
	}
	return list;
}

std::string_view drbd_only_hint(std::string_view keyword)
{
	// DRBD keywords a drbd.conf user is likely to bring along, with what
	// to do instead.  Anything else unknown gets the plain message.
	static const std::pair<std::string_view, std::string_view> hints[] = {
		{"syncer", "DRBD 8.3's section; its rate is resync-rate in "
			   "disk { } since 8.4"},
		{"rate", "DRBD 8.3's syncer rate; write resync-rate in disk { }"},
		{"allow-two-primaries", "rdbd allows one Primary only"},
		{"csums-alg", "rdbd has no checksum-based resync"},
		{"data-integrity-alg", "rdbd does not checksum every write"},
		{"max-buffers", "rdbd sizes its buffers itself"},
		{"sndbuf-size", "rdbd sizes its socket buffers itself"},
		{"rcvbuf-size", "rdbd sizes its socket buffers itself"},
		{"volume", "an rdbd resource has exactly one device"},
		{"floating", "hosts are named with 'on HOST'"},
		{"stacked-on-top-of", "rdbd has no stacked resources"},
		{"skip", "rdbd has no skip sections; comment the lines out"},
	};
	for (const auto &[word, hint] : hints)
		if (word == keyword)
			return hint;
	return {};
}

const std::vector<std::string_view> &handler_names()
{
	// DRBD 8.4's handler names, in drbd.conf(5)'s order.
	static const std::vector<std::string_view> names = {
		"pri-on-incon-degr",	"pri-lost-after-sb",
		"pri-lost",		"fence-peer",
		"local-io-error",	"initial-split-brain",
		"split-brain",		"before-resync-target",
		"after-resync-target", "out-of-sync",
	};
	return names;
}

const SectionSpec &top_level_schema()
{
	static const SectionSpec spec{{
		section("global", global_schema()),
		section("common", common_schema()),
		text("include", 1, 4096, "a file name or glob pattern"),
		section("resource", resource_schema(), Shape::NamedSection),
	}};
	return spec;
}

size_t value_word_count(const KeySpec &key, const std::string &first)
{
	// "address 10.0.0.1:7789" vs "address ipv6 [fd00::1]:7789": a first
	// word without a ':' can only be the family keyword.
	if (key.value.type == ValueType::Address &&
	    first.find(':') == std::string::npos)
		return 2;
	return 1;
}

std::string expected_value(const KeySpec &key)
{
	const ValueSpec &v = key.value;
	if (!v.expects.empty())
		return std::string(v.expects);
	switch (v.type) {
	case ValueType::Path:
		return "an absolute path shorter than " +
		       std::to_string(RDBD_PATH_MAX) + " bytes";
	case ValueType::Device:
		return "/dev/rdbdN with N in 0.." +
		       std::to_string(RDBD_MINOR_MAX);
	case ValueType::Integer:
		return "a number of " + std::string(v.unit) + ", " +
		       std::to_string(v.min) + ".." + std::to_string(v.max) +
		       (v.suffixes.empty() ? ""
					   : ", with an optional suffix k, M "
					     "or G");
	case ValueType::Choice: {
		std::string list;
		for (std::string_view c : v.choices)
			list += (list.empty() ? "" : ", ") + std::string(c);
		return "one of: " + list;
	}
	case ValueType::Text:
		return "a string of " + std::to_string(v.min) + ".." +
		       std::to_string(v.max) + " bytes";
	case ValueType::Address:
		break;
	}
	return kEndpointSyntax;
}

ConfigValue check_value(const KeySpec &key,
			const std::vector<std::string> &words)
{
	const std::string &word = words.front();
	switch (key.value.type) {
	case ValueType::Path:
		return check_path(key, word);
	case ValueType::Device:
		return check_device(key, word);
	case ValueType::Integer:
		return check_integer(key, word);
	case ValueType::Choice:
		return check_choice(key, word);
	case ValueType::Text:
		return check_text(key, word);
	case ValueType::Address:
		break;
	}
	return parse_endpoint(words);
}

} // namespace rdbd
