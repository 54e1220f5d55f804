// "did you mean" for mistyped subcommands.
#include <catch2/catch.hpp>

#include "suggest.h"

using namespace rdbd;

namespace {
const std::vector<std::string> kCommands = {
	"create-md", "cstate", "down",	    "dstate", "dump",
	"primary",   "role",   "secondary", "status", "up",
};
}

TEST_CASE("edit distance", "[suggest]")
{
	CHECK(edit_distance("", "") == 0);
	CHECK(edit_distance("up", "") == 2);
	CHECK(edit_distance("kitten", "sitting") == 3);
	CHECK(edit_distance("status", "stauts") == 2);
	CHECK(edit_distance("primary", "primary") == 0);
}

TEST_CASE("the nearest subcommand is suggested", "[suggest]")
{
	CHECK(nearest_name("stauts", kCommands) == "status");
	CHECK(nearest_name("prmary", kCommands) == "primary");
	CHECK(nearest_name("creat-md", kCommands) == "create-md");
	CHECK(nearest_name("createmd", kCommands) == "create-md");
	CHECK(nearest_name("dwon", kCommands) == "down");
	CHECK(nearest_name("secondery", kCommands) == "secondary");
	CHECK(nearest_name("rol", kCommands) == "role");
}

TEST_CASE("nothing is suggested for a word that is not near", "[suggest]")
{
	CHECK_FALSE(nearest_name("xyzzy", kCommands));
	CHECK_FALSE(nearest_name("attach", kCommands));
	CHECK_FALSE(nearest_name("st", kCommands));
	CHECK_FALSE(nearest_name("", kCommands));
	CHECK_FALSE(nearest_name("up", {}));
}
