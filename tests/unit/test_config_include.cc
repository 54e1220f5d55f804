// common { } inheritance, global { } and include "GLOB";.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include "config_dump.h"
#include "helpers.h"

using namespace rdbd;
using rdbd::test::config_error;
using rdbd::test::parse;

namespace {

const char *const kHostsAB = "  device /dev/rdbd0; disk /dev/vdb;\n"
			     "  on a { address 10.0.0.1:7000; }\n"
			     "  on b { address 10.0.0.2:7000; }\n";

// A scratch directory for files that include each other; removed with
// everything in it when the test ends.
class ScratchDir {
public:
	ScratchDir()
	{
		char name[] = "/tmp/rdbd-test-XXXXXX";
		REQUIRE(mkdtemp(name));
		path_ = name;
	}
	~ScratchDir()
	{
		const std::string rm = "rm -rf '" + path_ + "'";
		(void)!system(rm.c_str());
	}
	std::string write(const std::string &name, const std::string &text)
	{
		const std::string file = path_ + "/" + name;
		const std::string dir = file.substr(0, file.rfind('/'));
		const std::string mkdir = "mkdir -p '" + dir + "'";
		(void)!system(mkdir.c_str());
		std::ofstream(file) << text;
		return file;
	}
	const std::string &path() const { return path_; }

private:
	std::string path_;
};

} // namespace

TEST_CASE("common gives every resource its options, key by key",
	  "[config][common]")
{
	const Config c = parse(std::string(R"(common {
  net { protocol A; timeout 50; after-sb-0pri discard-zero-changes; }
  disk { resync-rate 40M; }
  startup { wfc-timeout 30; }
  handlers { split-brain "/bin/notify"; pri-lost "halt"; }
}
resource r0 {
  net { protocol B; }
  handlers { pri-lost "poweroff"; }
)") + kHostsAB + R"(}
resource r1 {
  device /dev/rdbd1; disk /dev/vdc;
  on a { address 10.0.0.1:7001; }
  on b { address 10.0.0.2:7001; }
}
)");
	const ResourceConfig &r0 = c.resources[0];
	const ResourceConfig &r1 = c.resources[1];
	CHECK(r0.net.protocol == 'B');
	CHECK(r1.net.protocol == 'A');
	for (const ResourceConfig *r : {&r0, &r1}) {
		CHECK(r->net.timeout_ds == 50);
		CHECK(r->net.after_sb_0pri == "discard-zero-changes");
		CHECK(r->disk.resync_rate_kib == 40960);
		CHECK(r->startup.wfc_timeout_s == 30);
		CHECK(r->handlers.at("split-brain") == "/bin/notify");
	}
	CHECK(r0.handlers.at("pri-lost") == "poweroff");
	CHECK(r1.handlers.at("pri-lost") == "halt");
}

TEST_CASE("dump writes common's values into each resource",
	  "[config][common][dump]")
{
	const Config c = parse(std::string("common { net { protocol A; } }\n"
					   "resource r0 {\n") +
			       kHostsAB + "}\n");
	const std::string dumped = dump_resource(c.resources[0]);
	CHECK_THAT(dumped, Catch::Contains("        protocol A;\n"));
	CHECK(parse(dumped).resources == c.resources);
}

TEST_CASE("global accepts drbd.conf's usage-count", "[config][global]")
{
	CHECK(parse("global { usage-count no; }\n").resources.empty());
	CHECK(config_error("global { usage-count maybe; }\n") ==
	      "t.conf:1:22: bad value 'maybe' for 'usage-count' (expected one "
	      "of: yes, no, ask)");
	CHECK(config_error("global { minor-count 5; }\n") ==
	      "t.conf:1:10: unknown keyword 'minor-count' in global (expected "
	      "one of: usage-count)");
}

TEST_CASE("common errors", "[config][common][errors]")
{
	CHECK(config_error("common { device /dev/rdbd0; }\n") ==
	      "t.conf:1:10: unknown keyword 'device' in common (expected one "
	      "of: disk, net, startup, handlers)");
	CHECK(config_error("common { }\ncommon { }\n") ==
	      "t.conf:2:1: duplicate 'common' at top level (first given at "
	      "line 1)");
	// An inherited timeout is checked in every resource that gets it.
	CHECK(config_error(std::string("common { net { ping-int 3; } }\n"
				       "resource r0 {\n") +
			   kHostsAB + "}\n") ==
	      "t.conf:1:10: 'timeout' 6.0 s is not shorter than 'ping-int' "
	      "3.0 s (expected timeout < ping-int and timeout < "
	      "connect-int)");
	CHECK(config_error(std::string("common { startup { become-primary-on "
				       "c; } }\nresource r0 {\n") +
			   kHostsAB + "}\n") ==
	      "t.conf:1:20: 'become-primary-on c' names no host of resource r0 "
	      "(expected one of: a, b, both)");
}

TEST_CASE("include reads the files a glob matches, sorted, relative to "
	  "the including file",
	  "[config][include]")
{
	ScratchDir dir;
	dir.write("rdbd.d/b.res", std::string("resource rb {\n") +
					  "  device /dev/rdbd1; disk /dev/vdc;\n"
					  "  on a { address 10.0.0.1:7001; }\n"
					  "  on b { address 10.0.0.2:7001; }\n}\n");
	dir.write("rdbd.d/a.res", std::string("resource ra {\n") + kHostsAB +
					  "}\n");
	dir.write("rdbd.d/global.inc", "global { usage-count no; }\n"
				       "common { net { protocol A; } }\n");
	dir.write("rdbd.d/ignored.txt", "this is not configuration\n");
	const std::string main = dir.write(
		"rdbd.conf",
		"include \"rdbd.d/global.inc\";\ninclude \"rdbd.d/*.res\";\n"
		"include \"empty.d/*.res\";\n");
	const Config c = load_config(main);
	REQUIRE(c.resources.size() == 2);
	CHECK(c.resources[0].name == "ra");
	CHECK(c.resources[1].name == "rb");
	CHECK(c.resources[1].net.protocol == 'A');
	CHECK(c.resources[0].origin.file == dir.path() + "/rdbd.d/a.res");
}

TEST_CASE("include errors name the file and line", "[config][include]")
{
	ScratchDir dir;
	const std::string main = dir.write("rdbd.conf",
					   "# comment\ninclude \"missing.res\";\n");
	CHECK_THROWS_WITH(load_config(main),
			  main + ":2:1: cannot read configuration file " +
				  dir.path() +
				  "/missing.res: No such file or directory");

	dir.write("bad.res", "resource r0 {\n  protocol C;\n}\n");
	const std::string bad = dir.write("bad.conf", "include \"bad.res\";\n");
	CHECK_THROWS_WITH(load_config(bad),
			  dir.path() +
				  "/bad.res:2:3: unknown keyword 'protocol' in "
				  "resource r0 (expected one of: device, disk, "
				  "meta-disk, net, startup, handlers, on)");

	const std::string loop =
		dir.write("loop.conf", "include \"loop.conf\";\n");
	CHECK_THROWS_WITH(load_config(loop),
			  loop + ":1:1: includes nested more than 8 deep "
				 "(expected no file to include itself)");

	dir.write("r0.res", std::string("resource r0 {\n") + kHostsAB + "}\n");
	const std::string twice = dir.write(
		"twice.conf", std::string("resource r0 {\n") + kHostsAB +
				      "}\ninclude \"r0.res\";\n");
	CHECK_THROWS_WITH(load_config(twice),
			  dir.path() + "/r0.res:1:10: duplicate resource r0 "
				       "(first given at " +
				  twice + ":1)");

	CHECK(config_error("resource r0 {\n  include \"x\";\n}\n") ==
	      "t.conf:2:3: unknown keyword 'include' in resource r0 (expected "
	      "one of: device, disk, meta-disk, net, startup, handlers, on)");
}
