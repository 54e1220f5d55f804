// rdbd-heartbeat reads `rdbdadm status --json RES` with nlohmann-json:
// the second opinion and the outdate-peer path depend on it.
#include <catch2/catch.hpp>

#include "hb_rdbd_status.h"

using namespace rdbd::hb;

namespace {

std::string status(const std::string &cstate, const std::string &peer_role,
		   const std::string &role = "\"Secondary\"")
{
	return "[{\"name\": \"r0\", \"minor\": 0, \"role\": " + role +
	       ", \"disk_state\": \"UpToDate\", \"connection_state\": \"" +
	       cstate + "\", \"peer_role\": \"" + peer_role +
	       "\", \"peer_disk_state\": \"UpToDate\"}]";
}

} // namespace

TEST_CASE("a Primary peer is seen in every state with a peer")
{
	for (const char *cs :
	     {"Connected", "SyncSource", "SyncTarget", "VerifyS", "VerifyT",
	      "PausedSyncS", "PausedSyncT", "WFBitMapS", "StartingSyncT"}) {
		const auto v = parse_rdbd_status(status(cs, "Primary"));
		REQUIRE(v);
		CHECK(v->up);
		CHECK(v->connected);
		CHECK(v->peer_primary());
	}
}

TEST_CASE("no peer below WFReportParams, whatever peer_role says")
{
	for (const char *cs : {"StandAlone", "WFConnection", "NetworkFailure",
			       "BrokenPipe", "Unconnected", "TearDown"}) {
		const auto v = parse_rdbd_status(status(cs, "Primary"));
		REQUIRE(v);
		CHECK_FALSE(v->connected);
		CHECK_FALSE(v->peer_primary());
	}
	const auto v = parse_rdbd_status(status("Connected", "Secondary"));
	REQUIRE(v);
	CHECK_FALSE(v->peer_primary());
}

TEST_CASE("key order and spacing do not matter")
{
	const auto v = parse_rdbd_status(
		"[{\"peer_role\":\"Primary\",\"connection_state\":"
		"\"SyncTarget\",\"role\":\"Secondary\",\"disk_state\":"
		"\"Inconsistent\"}]");
	REQUIRE(v);
	CHECK(v->peer_primary());
	CHECK(v->disk_state == "Inconsistent");
}

TEST_CASE("a resource that is not up has null states")
{
	const auto v = parse_rdbd_status(
		"[{\"name\": \"r0\", \"role\": null, \"disk_state\": null, "
		"\"connection_state\": null, \"peer_role\": null}]");
	REQUIRE(v);
	CHECK_FALSE(v->up);
	CHECK_FALSE(v->connected);
}

TEST_CASE("anything but one status object is refused")
{
	CHECK_FALSE(parse_rdbd_status(""));
	CHECK_FALSE(parse_rdbd_status("rdbdadm: the rdbd kernel module is "
				      "not loaded"));
	CHECK_FALSE(parse_rdbd_status("[]"));
	CHECK_FALSE(parse_rdbd_status("{\"role\": \"Primary\"}"));
	CHECK_FALSE(parse_rdbd_status(status("Connected", "Primary") + "x"));
	// A text claiming Connected/Primary outside the keys fools nothing.
	const auto v = parse_rdbd_status(
		"[{\"last_error\": \"\\\"connection_state\\\": \\\"Connected\\\", "
		"\\\"peer_role\\\": \\\"Primary\\\"\", \"role\": \"Secondary\", "
		"\"connection_state\": \"WFConnection\"}]");
	REQUIRE(v);
	CHECK_FALSE(v->peer_primary());
}
