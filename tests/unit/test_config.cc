// Valid configurations, node selection and the dump round trip.
#include <catch2/catch.hpp>

#include <netinet/in.h>

#include "config_dump.h"
#include "helpers.h"

using namespace rdbd;
using rdbd::test::kTwoNodes;
using rdbd::test::parse;

TEST_CASE("the example configuration parses", "[config]")
{
	const Config c = parse(kTwoNodes);
	REQUIRE(c.resources.size() == 1);
	const ResourceConfig &r = c.resources[0];
	CHECK(r.name == "r0");
	CHECK(r.net.protocol == 'C');
	CHECK(r.net.connect_int_s == 10);
	CHECK(r.net.ping_int_s == 10);
	CHECK(r.net.ping_timeout_ds == 5);
	CHECK(r.net.timeout_ds == 60);
	REQUIRE(r.hosts.size() == 2);
	for (const HostConfig &h : r.hosts) {
		CHECK(h.device == "/dev/rdbd0");
		CHECK(h.minor == 0);
		CHECK(h.disk == "/dev/vdb");
		CHECK(h.meta_disk == "internal");
	}
	CHECK(r.hosts[0].name == "corman");
	CHECK(r.hosts[0].address.str() == "10.99.1.1:7789");
	CHECK(r.hosts[1].name == "rabius");
	CHECK(r.hosts[1].address.str() == "10.99.1.2:7789");
}

TEST_CASE("a value in an on section wins over the resource's", "[config]")
{
	const Config c = parse(R"(resource r7 {
  device /dev/rdbd7;
  disk /dev/vdb;
  on a { device /dev/rdbd9; disk "/dev/disk/by-id/x y"; address 10.0.0.1:7000; }
  on b { address 10.0.0.2:7000; }
})");
	const ResourceConfig &r = c.resources[0];
	CHECK(r.hosts[0].device == "/dev/rdbd9");
	CHECK(r.hosts[0].minor == 9);
	CHECK(r.hosts[0].disk == "/dev/disk/by-id/x y");
	CHECK(r.hosts[1].device == "/dev/rdbd7");
	CHECK(r.hosts[1].minor == 7);
	CHECK(r.hosts[1].disk == "/dev/vdb");
}

TEST_CASE("defaults are DRBD 8.4's", "[config]")
{
	const Config c = parse(R"(resource r0 {
  device /dev/rdbd0; disk /dev/vdb;
  on a { address 10.0.0.1:7000; }
  on b { address 10.0.0.2:7000; }
})");
	const ResourceConfig &r = c.resources[0];
	CHECK(r.net.protocol == 'C');
	CHECK(r.net.connect_int_s == 10);
	CHECK(r.net.ping_int_s == 10);
	CHECK(r.net.ping_timeout_ds == 5);
	CHECK(r.net.timeout_ds == 60);
	CHECK_FALSE(r.net.authenticates());
	CHECK(r.net.after_sb_0pri == "disconnect");
	CHECK(r.net.after_sb_1pri == "disconnect");
	CHECK(r.net.after_sb_2pri == "disconnect");
	CHECK(r.net.verify_alg.empty());
	CHECK(r.disk.al_extents == 1237);
	CHECK(r.disk.resync_rate_kib == 250);
	CHECK(r.disk.c_plan_ahead_ds == 20);
	CHECK(r.disk.c_min_rate_kib == 250);
	CHECK(r.disk.c_max_rate_kib == 102400);
	CHECK(r.disk.on_io_error == DiskOptions::OnIoError::Detach);
	CHECK(r.startup.wfc_timeout_s == 0);
	CHECK(r.startup.degr_wfc_timeout_s == 60);
	CHECK(r.startup.become_primary_on.empty());
	CHECK(r.handlers.empty());
	CHECK(r.hosts[0].meta_disk == "internal");
}

TEST_CASE("disk, net, startup and handlers options", "[config]")
{
	const Config c = parse(R"(resource r0 {
  device /dev/rdbd0; disk /dev/vdb;
  disk { al-extents 3389; resync-rate 10M; c-plan-ahead 0;
         c-min-rate 100k; c-max-rate 1G; on-io-error pass_on; }
  net { after-sb-0pri discard-zero-changes; after-sb-1pri consensus;
        after-sb-2pri disconnect; verify-alg sha256; }
  startup { wfc-timeout 120; degr-wfc-timeout 30; become-primary-on b; }
  handlers { split-brain "/usr/lib/rdbd/notify split-brain"; pri-lost "halt -f"; }
  on a { address 10.0.0.1:7000; }
  on b { address 10.0.0.2:7000; }
})");
	const ResourceConfig &r = c.resources[0];
	CHECK(r.disk.al_extents == 3389);
	CHECK(r.disk.resync_rate_kib == 10240);
	CHECK(r.disk.c_plan_ahead_ds == 0);
	CHECK(r.disk.c_min_rate_kib == 100);
	CHECK(r.disk.c_max_rate_kib == 1048576);
	CHECK(r.disk.on_io_error == DiskOptions::OnIoError::PassOn);
	CHECK(r.net.after_sb_0pri == "discard-zero-changes");
	CHECK(r.net.after_sb_1pri == "consensus");
	CHECK(r.net.after_sb_2pri == "disconnect");
	CHECK(r.net.verify_alg == "sha256");
	CHECK(r.startup.wfc_timeout_s == 120);
	CHECK(r.startup.degr_wfc_timeout_s == 30);
	CHECK(r.startup.become_primary_on ==
	      std::vector<std::string>{"b"});
	CHECK(r.handlers ==
	      std::map<std::string, std::string>{
		      {"split-brain", "/usr/lib/rdbd/notify split-brain"},
		      {"pri-lost", "halt -f"}});
}

TEST_CASE("rates take DRBD's k, M and G suffixes", "[config]")
{
	const auto rate = [](const std::string &value) {
		return parse("resource r0 {\n  device /dev/rdbd0; disk /dev/vdb;\n"
			     "  disk { resync-rate " +
			     value +
			     "; }\n"
			     "  on a { address 10.0.0.1:7000; }\n"
			     "  on b { address 10.0.0.2:7000; }\n}\n")
			.resources[0]
			.disk.resync_rate_kib;
	};
	CHECK(rate("1") == 1);
	CHECK(rate("33") == 33);
	CHECK(rate("33k") == 33);
	CHECK(rate("33K") == 33);
	CHECK(rate("40M") == 40960);
	CHECK(rate("40m") == 40960);
	CHECK(rate("4G") == 4194304);
}

TEST_CASE("peer authentication: cram-hmac-alg and shared-secret", "[config]")
{
	const std::string alg = GENERATE("sha1", "sha256", "sha512", "md5");
	const Config c = parse("resource r0 {\n"
			       "  device /dev/rdbd0; disk /dev/vdb;\n"
			       "  net { cram-hmac-alg " +
			       alg +
			       "; shared-secret \"s3cr3t; \\\"x\"; }\n"
			       "  on a { address 10.0.0.1:7000; }\n"
			       "  on b { address 10.0.0.2:7000; }\n"
			       "}\n");
	const NetOptions &net = c.resources[0].net;
	CHECK(net.authenticates());
	CHECK(net.cram_hmac_alg == alg);
	CHECK(net.shared_secret == "s3cr3t; \"x");
}

TEST_CASE("addresses: IPv4, ipv4 keyword, IPv6 in canonical form", "[config]")
{
	const Config c = parse(R"(resource r0 {
  device /dev/rdbd0; disk /dev/vdb;
  on a { address ipv6 [FD00:0::0:1]:7789; }
  on b { address ipv4 192.168.1.2:1; }
})");
	const Endpoint &a = c.resources[0].hosts[0].address;
	CHECK(a.family == AF_INET6);
	CHECK(a.ip == "fd00::1");
	CHECK(a.str() == "[fd00::1]:7789");
	CHECK(a.config_text() == "ipv6 [fd00::1]:7789");
	const Endpoint &b = c.resources[0].hosts[1].address;
	CHECK(b.family == AF_INET);
	CHECK(b.str() == "192.168.1.2:1");
	CHECK(b.sockaddr_bytes().size() == sizeof(sockaddr_in));
	CHECK(a.sockaddr_bytes().size() == sizeof(sockaddr_in6));
}

TEST_CASE("quoted strings, escapes and comments", "[config]")
{
	const Config c = parse("resource \"r0\" { # trailing comment\n"
			       "  device \"/dev/rdbd0\";\n"
			       "  disk \"/dev/a\\\"b\\\\c#d\";\n"
			       "  on \"host one\" { address 10.0.0.1:1; }\n"
			       "  on b { address 10.0.0.2:1; } # done\n"
			       "}\n");
	const ResourceConfig &r = c.resources[0];
	CHECK(r.name == "r0");
	CHECK(r.hosts[0].disk == "/dev/a\"b\\c#d");
	CHECK(r.hosts[0].name == "host one");
}

TEST_CASE("an empty file has no resources", "[config]")
{
	CHECK(parse("").resources.empty());
	CHECK(parse("# nothing\n\n").resources.empty());
}

TEST_CASE("two resources may share a minor on different hosts", "[config]")
{
	const Config c = parse(R"(
resource r0 { device /dev/rdbd0; disk /dev/vdb;
  on a { address 10.0.0.1:7000; } on b { address 10.0.0.2:7000; } }
resource r1 { device /dev/rdbd0; disk /dev/vdb;
  on c { address 10.0.0.3:7000; } on d { address 10.0.0.4:7000; } }
)");
	CHECK(c.resources.size() == 2);
}

TEST_CASE("node selection", "[config][node]")
{
	const Config c = parse(std::string(kTwoNodes) + R"(
resource r1 { device /dev/rdbd1; disk /dev/vdc;
  on rabius { address 10.99.1.2:7790; } on third { address 10.99.1.3:7790; } }
)");

	SECTION("this node's host is self, the other one the peer")
	{
		const NodeResource r =
			resource_on_node(c.resources[0], "rabius");
		CHECK(r.self->name == "rabius");
		CHECK(r.peer->name == "corman");
		CHECK(r.minor() == 0);
		CHECK(r.name() == "r0");
	}
	SECTION("a node without an on section is told to use --node")
	{
		REQUIRE_THROWS_WITH(
			resource_on_node(c.resources[0], "elsewhere"),
			"t.conf:2:1: no 'on' section for this node 'elsewhere' "
			"in resource r0 (hosts: corman, rabius); use --node");
	}
	SECTION("all selects the resources that have this node")
	{
		CHECK(select_resources(c, "all", "corman").size() == 1);
		CHECK(select_resources(c, "all", "rabius").size() == 2);
		REQUIRE_THROWS_WITH(
			select_resources(c, "all", "x"),
			"no resource in t.conf has an 'on' section for this "
			"node 'x' (hosts: corman, rabius, third); use --node");
	}
	SECTION("a named resource must exist and have this node")
	{
		CHECK(select_resources(c, "r1", "third")[0].peer->name ==
		      "rabius");
		REQUIRE_THROWS_WITH(select_resources(c, "r9", "corman"),
				    "no resource r9 in t.conf (resources: r0, "
				    "r1)");
		REQUIRE_THROWS_AS(select_resources(c, "r1", "corman"),
				  ConfigError);
	}
	SECTION("all in a file without resources")
	{
		REQUIRE_THROWS_WITH(select_resources(parse(""), "all", "a"),
				    "no resources in t.conf");
	}
}

TEST_CASE("configuration errors exit with code 3", "[config]")
{
	try {
		parse("resource r0 {");
		FAIL("no error");
	} catch (const Error &e) {
		CHECK(e.exit_code() == kExitConfig);
	}
}

TEST_CASE("dump writes every default and inherited value", "[config][dump]")
{
	const Config c = parse(kTwoNodes);
	CHECK(dump_resource(c.resources[0]) == R"(resource r0 {
    disk {
        al-extents 1237;
        resync-rate 250;
        c-plan-ahead 20;
        c-min-rate 250;
        c-max-rate 102400;
        on-io-error detach;
        fencing dont-care;
    }
    net {
        protocol C;
        connect-int 10;
        ping-int 10;
        ping-timeout 5;
        timeout 60;
        after-sb-0pri disconnect;
        after-sb-1pri disconnect;
        after-sb-2pri disconnect;
    }
    startup {
        wfc-timeout 0;
        degr-wfc-timeout 60;
    }
    on corman {
        device /dev/rdbd0;
        disk /dev/vdb;
        meta-disk internal;
        address 10.99.1.1:7789;
    }
    on rabius {
        device /dev/rdbd0;
        disk /dev/vdb;
        meta-disk internal;
        address 10.99.1.2:7789;
    }
}
)");
}

TEST_CASE("dump parses back to the same configuration", "[config][dump]")
{
	const std::string text =
		GENERATE(std::string(rdbd::test::kTwoNodes),
			 std::string(R"(resource "odd.name-1_" {
  device /dev/rdbd255;
  net { protocol A; ping-int 120; timeout 11; connect-int 2; ping-timeout 300;
        shared-secret "a \"b\" {;}"; cram-hmac-alg sha512; }
  on "host with spaces" { disk "/dev/we\"ird;{}#"; address ipv6 [::1]:65535; }
  on b { device /dev/rdbd3; disk /dev/vdc; address ipv4 127.0.0.1:1; }
})"),
			 std::string(R"(resource r1 {
  device /dev/rdbd1; disk /dev/vdc;
  disk { al-extents 67; resync-rate 4G; c-plan-ahead 300; c-min-rate 0;
         c-max-rate 250; on-io-error pass_on; }
  net { after-sb-0pri discard-least-changes; after-sb-1pri discard-secondary;
        after-sb-2pri disconnect; verify-alg crc32c; }
  startup { wfc-timeout 300000; degr-wfc-timeout 0; become-primary-on both; }
  handlers { fence-peer "/sbin/x \"quoted\" ; {}"; out-of-sync /bin/true; }
  on a { address 10.0.0.1:7000; }
  on b { address 10.0.0.2:7000; }
})"));
	const Config original = parse(text);
	std::string dumped;
	for (const ResourceConfig &r : original.resources)
		dumped += dump_resource(r);
	const Config again = parse(dumped);
	CHECK(again.resources == original.resources);
	// Dumping is idempotent.
	std::string twice;
	for (const ResourceConfig &r : again.resources)
		twice += dump_resource(r);
	CHECK(twice == dumped);
}

TEST_CASE("dump prints the authentication settings, secret included",
	  "[config][dump]")
{
	const Config c = parse(rdbd::test::kAuthenticated);
	CHECK_THAT(dump_resource(c.resources[0]),
		   Catch::Contains("        timeout 60;\n"
				   "        cram-hmac-alg sha256;\n"
				   "        shared-secret \"hunter 2\";\n"
				   "        after-sb-0pri disconnect;\n"));
}

TEST_CASE("config_word quotes only when needed", "[config][dump]")
{
	CHECK(config_word("/dev/vdb") == "/dev/vdb");
	CHECK(config_word("") == "\"\"");
	CHECK(config_word("a b") == "\"a b\"");
	CHECK(config_word("a\"b\\") == "\"a\\\"b\\\\\"");
	CHECK(config_word("x;y") == "\"x;y\"");
}
