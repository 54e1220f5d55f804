// The state directory: our boot generation and the peer's highest one,
// kept across restarts of the daemon, written atomically and rarely.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "error.h"
#include "hb_state.h"

using namespace rdbd::hb;

namespace {

struct StateDir {
	StateDir()
	{
		char tmpl[] = "/tmp/hb-state-XXXXXX";
		REQUIRE(mkdtemp(tmpl));
		path = tmpl;
	}
	~StateDir()
	{
		if (system(("rm -rf " + path).c_str()) != 0)
			WARN("cannot remove " + path);
	}
	std::string read(const std::string &name) const
	{
		std::ifstream in(path + "/" + name);
		std::stringstream s;
		s << in.rdbuf();
		return s.str();
	}
	void write(const std::string &name, const std::string &text) const
	{
		std::ofstream(path + "/" + name) << text;
	}
	std::string path;
};

} // namespace

TEST_CASE("state: the peer's generation is kept once per peer boot",
	  "[hb][state]")
{
	StateDir dir;
	{
		PeerGenerationStore s(dir.path, "rabius");
		CHECK(s.stored() == 0); // a first start
		CHECK(s.path() == dir.path + "/peer-generation.rabius");
		s.record(1764160000);
		CHECK(dir.read("peer-generation.rabius") == "1764160000\n");
		// Every message of that boot: no further write.
		for (int i = 0; i < 100; i++)
			s.record(1764160000);
		s.record(5); // lower: never stored
		CHECK(s.writes() == 1);
		s.record(1764160001); // the peer restarted
		CHECK(s.writes() == 2);
		CHECK(dir.read("peer-generation.rabius") == "1764160001\n");
	}
	// Our restart: the new store starts from the file.
	PeerGenerationStore again(dir.path, "rabius");
	CHECK(again.stored() == 1764160001);
	again.record(1764160001);
	CHECK(again.writes() == 0);
	// No temporary file left behind.
	CHECK(access((dir.path + "/peer-generation.rabius.new").c_str(), F_OK) != 0);
}

TEST_CASE("state: every 64-bit generation round-trips", "[hb][state]")
{
	StateDir dir;
	write_state_number(dir.path, "n", UINT64_MAX);
	CHECK(read_state_number(dir.path + "/n") == UINT64_MAX);
}

TEST_CASE("state: a damaged file is an error naming it", "[hb][state]")
{
	StateDir dir;
	const std::string file = dir.path + "/peer-generation.rabius";
	for (const char *bad : {"", "\n", "12x\n", "-3\n", "99999999999999999999999\n"}) {
		dir.write("peer-generation.rabius", bad);
		CHECK_THROWS_WITH(PeerGenerationStore(dir.path, "rabius"),
				  Catch::StartsWith(file + ": does not hold a "
							   "generation number"));
	}
	dir.write("peer-generation.rabius", "12\n");
	CHECK(PeerGenerationStore(dir.path, "rabius").stored() == 12);
}

TEST_CASE("state: a write that fails names the file and is not retried",
	  "[hb][state]")
{
	StateDir dir;
	// A state directory that is gone (works as root, unlike a chmod).
	const std::string gone = dir.path + "/gone";
	PeerGenerationStore s(gone, "rabius");
	CHECK(s.stored() == 0);
	CHECK_THROWS_WITH(s.record(3), gone + "/peer-generation.rabius: "
					      "cannot write: No such file or "
					      "directory");
	s.record(3); // the same generation again: no second attempt
	CHECK(s.writes() == 1);
}

TEST_CASE("state: the boot generation grows at every start", "[hb][state]")
{
	StateDir dir;
	const uint64_t first = next_generation(dir.path);
	CHECK(first >= static_cast<uint64_t>(time(nullptr)) - 5);
	CHECK(next_generation(dir.path) == first + 1);
	dir.write("generation", "99999999999\n"); // ahead of the clock
	CHECK(next_generation(dir.path) == 100000000000ULL);
}
