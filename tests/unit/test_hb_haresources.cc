// haresources parsing and its checksum.
#include <catch2/catch.hpp>

#include "hb_config.h"
#include "hb_haresources.h"

using namespace rdbd::hb;

namespace {

const std::vector<std::string> kNodes = {"corman", "rabius"};

std::string error_of(const std::string &text)
{
	try {
		parse_haresources(text, "haresources", kNodes);
	} catch (const ConfigError &e) {
		return e.what();
	}
	return "no error";
}

} // namespace

TEST_CASE("haresources: the seed's groups", "[hb][haresources]")
{
	const auto h = parse_haresources(R"(# web service
Corman rdbddisk::r0 \
       Filesystem::/dev/rdbd0::/data::ext4 \
       IPaddr2::10.99.0.10/24/eth0 apache2
rabius 10.99.0.11 mail   # second group
)",
					 "haresources", kNodes);
	REQUIRE(h.groups.size() == 2);
	const auto &web = h.groups[0];
	CHECK(web.preferred_node == "corman");
	CHECK(web.where == "haresources:2");
	CHECK(web.key() == "rdbddisk::r0");
	REQUIRE(web.resources.size() == 4);
	CHECK(web.resources[1].name == "Filesystem");
	CHECK(web.resources[1].args ==
	      std::vector<std::string>{"/dev/rdbd0", "/data", "ext4"});
	CHECK(web.resources[2].name == "IPaddr2");
	CHECK(web.resources[3].name == "apache2");
	CHECK(web.resources[3].args.empty());
	CHECK(h.groups[1].resources[0].name == "IPaddr");
	CHECK(h.groups[1].resources[0].args ==
	      std::vector<std::string>{"10.99.0.11"});
	CHECK(h.checksum.size() == 16);
}

TEST_CASE("haresources: the checksum ignores layout, not content",
	  "[hb][haresources]")
{
	auto sum = [](const std::string &t) {
		return parse_haresources(t, "h", kNodes).checksum;
	};
	const auto a = sum("corman a b::1 c\n");
	CHECK(a == sum("# comment\ncorman   a \\\n  b::1 c   # x\n"));
	CHECK(a == sum("CORMAN a b::1 c\n"));
	CHECK(a != sum("corman a b::2 c\n"));
	CHECK(a != sum("rabius a b::1 c\n"));
	CHECK(a != sum("corman a c b::1\n"));
}

TEST_CASE("haresources: every error names file and line", "[hb][haresources]")
{
	CHECK(error_of("\nkolm a\n") ==
	      "haresources:2: node 'kolm' is not a node of ha.cf");
	CHECK(error_of("corman\n") == "haresources:1: node corman has no resources");
	CHECK(error_of("corman a\nrabius a\n") ==
	      "haresources:2: a group starting with 'a' is already defined");
	CHECK(error_of("corman ../../bin/sh\n") ==
	      "haresources:1: bad resource name '../../bin/sh' in '../../bin/sh'");
	CHECK(error_of("corman ::x\n") == "haresources:1: bad resource name '' in '::x'");
	CHECK(error_of("corman a::\n") == "haresources:1: empty argument in 'a::'");
	CHECK(error_of("corman a::x::::y\n") ==
	      "haresources:1: empty argument in 'a::x::::y'");
}

TEST_CASE("haresources: the seed's drbddisk is rdbddisk", "[hb][haresources]")
{
	const auto h = parse_haresources("corman drbddisk::r0 mail\n",
					 "haresources", kNodes);
	REQUIRE(h.groups.size() == 1);
	CHECK(h.groups[0].resources[0].name == "rdbddisk");
	CHECK(h.groups[0].resources[0].args == std::vector<std::string>{"r0"});
	CHECK(h.groups[0].key() == "drbddisk::r0"); // as written
}

TEST_CASE("haresources: a line of only odd whitespace is blank",
	  "[hb][haresources]")
{
	// Found by the haresources fuzzer: a vertical tab then a line
	// continuation made a line with no words, which was indexed.
	const auto h = parse_haresources("corman rdbddisk::r0\n\v\\",
					 "haresources", kNodes);
	REQUIRE(h.groups.size() == 1);
	CHECK(h.groups[0].preferred_node == "corman");
}
