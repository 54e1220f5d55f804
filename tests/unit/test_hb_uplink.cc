// The uplink monitor's parts that need no network: the ha.cf directives,
// BIND key files, the RFC 2136 / TSIG message and answer, and the health
// and switching rules.  The netns tests 023- run them against BIND9.
#include <openssl/hmac.h>

#include <catch2/catch.hpp>

#include "hb_config.h"
#include "hb_helpers.h"
#include "hb_dns.h"
#include "hb_uplink.h"

using namespace rdbd::hb;

namespace {

const std::string kTwo =
	"uplink wan1 dev=eth0 gateway=192.168.1.1 address=192.168.2.10/24 "
	"probe=203.0.113.1,203.0.113.2\n"
	"uplink wan2 dev=eth1 gateway=192.168.2.2 address=192.168.2.10 "
	"probe=203.0.113.1 public=198.51.100.7\n";

HaConfig parse(const std::string &text) { return rdbd::test::ha_cf(text); }

std::string error_of(const std::string &text)
{
	return rdbd::test::ha_cf_error(text);
}

// 32 bytes, "0123456789abcdef0123456789abcdef" in base64.
const char *const kKeyFile =
	"# tsig-keygen -a hmac-sha256 ha-update\n"
	"key \"ha-update\" {\n\talgorithm hmac-sha256;\n"
	"\tsecret \"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\";\n};\n";

DnsUpdateConfig dns_config()
{
	DnsUpdateConfig c;
	c.server = "203.0.113.53";
	c.zone = "example.test";
	c.name = "www.example.test";
	c.ttl = 60;
	c.key = parse_tsig_keyfile(kKeyFile, "dns.key");
	return c;
}

std::vector<uint8_t> hmac(const std::vector<uint8_t> &key,
			  const std::vector<uint8_t> &data)
{
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(),
	     data.size(), out, &len);
	return {out, out + len};
}

void put16(std::vector<uint8_t> &b, unsigned v)
{
	b.push_back(static_cast<uint8_t>(v >> 8));
	b.push_back(static_cast<uint8_t>(v));
}

void append(std::vector<uint8_t> &b, const std::vector<uint8_t> &v)
{
	b.insert(b.end(), v.begin(), v.end());
}

// TSIG variables (RFC 8945 4.3.3) for time 0x0102030405, fudge 300.
std::vector<uint8_t> variables(const TsigKey &k, unsigned error)
{
	std::vector<uint8_t> v = dns_wire_name(k.name);
	put16(v, 255);
	put16(v, 0);
	put16(v, 0);
	append(v, dns_wire_name("hmac-sha256"));
	append(v, {0x00, 0x01, 0x02, 0x03, 0x04, 0x05});
	put16(v, 300);
	put16(v, error);
	put16(v, 0);
	return v;
}

// A server's answer to `req`: the zone section echoed, and if `sign`, a
// TSIG chained to the request's MAC (RFC 8945 5.3), with `mac_key`.
std::vector<uint8_t> answer(const DnsRequest &req, const TsigKey &key,
			    unsigned rcode, bool sign, unsigned tsig_error = 0,
			    std::vector<uint8_t> mac_key = {})
{
	std::vector<uint8_t> m;
	put16(m, req.id);
	put16(m, 0x8000 | 5 << 11 | rcode);
	put16(m, 1);
	put16(m, 0);
	put16(m, 0);
	put16(m, 0);
	append(m, dns_wire_name("example.test"));
	put16(m, 6);
	put16(m, 1);
	if (!sign)
		return m;
	std::vector<uint8_t> digest;
	put16(digest, static_cast<unsigned>(req.mac.size()));
	append(digest, req.mac);
	append(digest, m);
	append(digest, variables(key, tsig_error));
	const auto mac = hmac(mac_key.empty() ? key.secret : mac_key, digest);
	m[11] = 1;
	append(m, dns_wire_name(key.name));
	put16(m, 250);
	put16(m, 255);
	put16(m, 0);
	put16(m, 0);
	std::vector<uint8_t> rdata = dns_wire_name("hmac-sha256");
	append(rdata, {0x00, 0x01, 0x02, 0x03, 0x04, 0x05});
	put16(rdata, 300);
	put16(rdata, static_cast<unsigned>(mac.size()));
	append(rdata, mac);
	put16(rdata, req.id);
	put16(rdata, tsig_error);
	put16(rdata, 0);
	put16(m, static_cast<unsigned>(rdata.size()));
	append(m, rdata);
	return m;
}

} // namespace

TEST_CASE("uplink: ha.cf lines", "[hb][uplink]")
{
	const auto c = parse(kTwo + "uplink_timing interval=500ms down=2 up=4 "
				    "holddown=20\nuplink_log /var/log/conn.log\n"
				    "uplink_hook /etc/ha.d/newdns\n");
	const auto &u = c.uplinks;
	REQUIRE(u.uplinks.size() == 2);
	CHECK(u.uplinks[0].name == "wan1");
	CHECK(u.uplinks[0].dev == "eth0");
	CHECK(u.uplinks[0].gateway == "192.168.1.1");
	CHECK(u.uplinks[0].address == "192.168.2.10");
	CHECK(u.uplinks[0].prefix == 24);
	CHECK(u.uplinks[0].probes ==
	      std::vector<std::string>{"203.0.113.1", "203.0.113.2"});
	CHECK(u.uplinks[0].public_address == "192.168.2.10");
	CHECK(u.uplinks[1].public_address == "198.51.100.7");
	CHECK(u.uplinks[0].where == "ha.cf:3");
	CHECK(u.timing.interval == Millis(500));
	CHECK(u.timing.down == 2);
	CHECK(u.timing.up == 4);
	CHECK(u.timing.holddown == Millis(20000));
	CHECK(u.log == "/var/log/conn.log");
	CHECK(u.hook == "/etc/ha.d/newdns");
	CHECK_FALSE(parse("").uplinks.enabled());
}

TEST_CASE("uplink: mistakes are refused at file:line", "[hb][uplink]")
{
	CHECK(error_of("uplink wan1 dev=eth0 gateway=192.168.1.1 "
		       "address=192.168.2.10 probe=203.0.113.1\n") ==
	      "ha.cf:3: only one uplink: add a backup uplink to switch to");
	CHECK(error_of("uplink dev=eth0\n") ==
	      "ha.cf:3: uplink needs a NAME first: uplink NAME dev=IF "
	      "gateway=IP address=IP/BITS probe=IP[,IP]");
	CHECK(error_of("uplink wan1 dev=eth0 gateway=192.168.1.1 probe=1.2.3.4\n") ==
	      "ha.cf:3: uplink needs address=");
	CHECK(error_of("uplink wan1 dev=eth0 gateway=192.168.1 "
		       "address=1.2.3.4 probe=1.2.3.4\n") ==
	      "ha.cf:3: gateway= needs an IPv4 address, got '192.168.1'");
	CHECK(error_of("uplink wan1 dev=eth0 gw=1.2.3.4\n") ==
	      "ha.cf:3: unknown key 'gw' for uplink (known: address, dev, "
	      "gateway, probe, public)");
	CHECK(error_of("uplink wan1 dev=eth0 dev=eth1\n") ==
	      "ha.cf:3: 'dev' given twice");
	CHECK(error_of(kTwo + "uplink wan1 dev=eth2 gateway=1.2.3.4 "
			      "address=1.2.3.4 probe=1.2.3.4\n") ==
	      "ha.cf:5: uplink 'wan1' is defined twice (first at ha.cf:3)");
	CHECK(error_of(kTwo + "uplink wan3 dev=eth1 gateway=1.2.3.4 "
			      "address=1.2.3.4 probe=1.2.3.4\n") ==
	      "ha.cf:5: uplinks 'wan2' and 'wan3' share dev=eth1");
	CHECK(error_of("uplink wan1 dev=eth0 gateway=1.2.3.4 "
		       "address=1.2.3.4/33 probe=1.2.3.4\n") ==
	      "ha.cf:3: bad prefix length in address=1.2.3.4/33");
	CHECK(error_of(kTwo + "uplink_timing interval=10s\n") ==
	      "ha.cf:5: bad time '10s' for interval (seconds like 2 or 0.5, "
	      "or 500ms)");
	CHECK(error_of(kTwo + "uplink_timing interval=50ms\n") ==
	      "ha.cf:5: interval must be at least 100ms");
	CHECK(error_of(kTwo + "uplink_timing down=0\n") ==
	      "ha.cf:5: bad count '0' for down (1-1000 probe rounds)");
	CHECK(error_of(kTwo + "uplink_timing up=2\nuplink_timing up=3\n") ==
	      "ha.cf:6: 'uplink_timing' given twice (first at line 5)");
	CHECK(error_of(kTwo + "uplink_hook newdns\n") ==
	      "ha.cf:5: uplink_hook needs an absolute path");
	CHECK(error_of("dns_update server=1.2.3.4 zone=a.test name=www.a.test "
		       "keyfile=/k\n") ==
	      "ha.cf: no 'uplink' line, but other uplink_ or dns_update lines");
	CHECK(error_of(kTwo + "dns_update server=1.2.3.4 zone=a.test "
			      "name=www.b.test keyfile=/k\n") ==
	      "ha.cf:5: name=www.b.test is not inside zone=a.test");
	CHECK(error_of(kTwo + "dns_update server=1.2.3.4:0 zone=a.test "
			      "name=www.a.test keyfile=/k\n") ==
	      "ha.cf:5: bad port in server=1.2.3.4:0");
	CHECK(error_of(kTwo + "dns_update server=1.2.3.4 zone=a..test "
			      "name=www.a.test keyfile=/k\n") ==
	      "ha.cf:5: bad DNS name 'a..test'");
	CHECK(error_of(kTwo + "dns_update server=1.2.3.4 zone=a.test "
			      "name=www.a.test\n") ==
	      "ha.cf:5: dns_update needs keyfile=");
}

TEST_CASE("uplink: dns_update line", "[hb][uplink]")
{
	const auto c = parse(kTwo + "dns_update server=203.0.113.53:5353 "
				    "zone=Example.Test. name=WWW.example.test "
				    "keyfile=/etc/ha.d/dns.key ttl=30\n");
	REQUIRE(c.uplinks.dns);
	CHECK(c.uplinks.dns->server == "203.0.113.53");
	CHECK(c.uplinks.dns->port == 5353);
	CHECK(c.uplinks.dns->zone == "example.test");
	CHECK(c.uplinks.dns->name == "www.example.test");
	CHECK(c.uplinks.dns->ttl == 30);
	CHECK(c.uplinks.dns->keyfile == "/etc/ha.d/dns.key");
}

TEST_CASE("uplink: BIND key files", "[hb][uplink][dns]")
{
	const TsigKey k = parse_tsig_keyfile(kKeyFile, "dns.key");
	CHECK(k.name == "ha-update.");
	CHECK(k.algorithm == "hmac-sha256");
	CHECK(std::string(k.secret.begin(), k.secret.end()) ==
	      "0123456789abcdef0123456789abcdef");
	CHECK_THROWS_WITH(parse_tsig_keyfile("key x { algorithm hmac-md5; "
					     "secret \"MDEyMzQ1Njc4OWFiY2RlZg==\"; };",
					     "k"),
			  "k: key algorithm hmac-md5 is not supported: use "
			  "hmac-sha256");
	CHECK_THROWS_WITH(parse_tsig_keyfile("secret", "k"),
			  Catch::StartsWith("k: no key clause"));
	CHECK_THROWS_WITH(parse_tsig_keyfile("key x { algorithm hmac-sha256; "
					     "secret \"MDEy\"; };", "k"),
			  "k: the key's secret is shorter than 16 bytes");
}

TEST_CASE("dns: names in wire form", "[hb][dns]")
{
	CHECK(dns_wire_name("WWW.Example.test.") ==
	      std::vector<uint8_t>{3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p',
				   'l', 'e', 4, 't', 'e', 's', 't', 0});
	CHECK(dns_wire_name(".") == std::vector<uint8_t>{0});
}

TEST_CASE("dns: the update message and its TSIG", "[hb][dns]")
{
	const DnsUpdateConfig c = dns_config();
	const DnsRequest r = encode_dns_update(c, "198.51.100.10", 0xbeef,
					       0x0102030405);
	std::vector<uint8_t> want = {0xbe, 0xef, 0x28, 0x00, // UPDATE
				     0, 1, 0, 0, 0, 2, 0, 0};
	append(want, dns_wire_name("example.test"));
	append(want, {0, 6, 0, 1}); // SOA IN
	append(want, dns_wire_name("www.example.test"));
	append(want, {0, 1, 0, 255, 0, 0, 0, 0, 0, 0}); // A ANY 0: delete
	append(want, dns_wire_name("www.example.test"));
	append(want, {0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 51, 100, 10});
	// The MAC covers the message before the TSIG, then the variables.
	std::vector<uint8_t> signed_data = want;
	append(signed_data, variables(c.key, 0));
	CHECK(r.mac == hmac(c.key.secret, signed_data));
	CHECK(r.mac.size() == 32);
	want[11] = 1; // ARCOUNT: the TSIG
	append(want, dns_wire_name("ha-update"));
	append(want, {0, 250, 0, 255, 0, 0, 0, 0});
	std::vector<uint8_t> rdata = dns_wire_name("hmac-sha256");
	append(rdata, {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x01, 0x2c, 0, 32});
	append(rdata, r.mac);
	append(rdata, {0xbe, 0xef, 0, 0, 0, 0});
	put16(want, static_cast<unsigned>(rdata.size()));
	append(want, rdata);
	CHECK(r.wire == want);
}

TEST_CASE("dns: answers", "[hb][dns]")
{
	const DnsUpdateConfig c = dns_config();
	const DnsRequest r = encode_dns_update(c, "198.51.100.10", 7, 1);
	auto parsed = [&](const std::vector<uint8_t> &a) {
		return parse_dns_answer(a.data(), a.size(), r, c.key);
	};
	const auto ok = parsed(answer(r, c.key, 0, true));
	CHECK(ok.success());
	CHECK(ok.text() == "NOERROR");

	// Unsigned, or signed with another secret: not believed.
	const auto unsigned_ok = parsed(answer(r, c.key, 0, false));
	CHECK_FALSE(unsigned_ok.success());
	CHECK(unsigned_ok.text() == "NOERROR, but not signed with our key");
	std::vector<uint8_t> other(32, 'x');
	CHECK_FALSE(parsed(answer(r, c.key, 0, true, 0, other)).success());

	const auto badsig = parsed(answer(r, c.key, 9, true, 16));
	CHECK_FALSE(badsig.success());
	CHECK(badsig.text() == "NOTAUTH(BADSIG)");
	CHECK(parsed(answer(r, c.key, 5, false)).text() == "REFUSED");

	// Another id, or cut short: not an answer to this request.
	DnsRequest other_id = r;
	other_id.id = 8;
	const auto a = answer(r, c.key, 0, true);
	CHECK_FALSE(parse_dns_answer(a.data(), a.size(), other_id, c.key).valid);
	CHECK_FALSE(parse_dns_answer(a.data(), 5, r, c.key).valid);
	for (size_t n = 12; n < a.size(); n++)
		CHECK_FALSE(parse_dns_answer(a.data(), n, r, c.key).success());
}

TEST_CASE("uplink: health has hysteresis", "[hb][uplink]")
{
	UplinkTiming t;
	t.down = 3;
	t.up = 4;
	UplinkHealth h;
	CHECK(h.healthy);
	CHECK_FALSE(h.record(false, t));
	CHECK_FALSE(h.record(false, t));
	CHECK_FALSE(h.record(true, t)); // a reply resets the count
	CHECK_FALSE(h.record(false, t));
	CHECK_FALSE(h.record(false, t));
	CHECK(h.record(false, t)); // three in a row: down
	CHECK_FALSE(h.healthy);
	// Intermittent: three answered, one lost, never healthy.
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 3; i++)
			CHECK_FALSE(h.record(true, t));
		CHECK_FALSE(h.record(false, t));
	}
	CHECK_FALSE(h.healthy);
	CHECK(h.loss_percent() == 25);
	for (int i = 0; i < 3; i++)
		CHECK_FALSE(h.record(true, t));
	CHECK(h.record(true, t));
	CHECK(h.healthy);
}

TEST_CASE("uplink: which uplink carries the service", "[hb][uplink]")
{
	// The active one failed: the most preferred healthy one, at once.
	CHECK(choose_uplink(0, {false, true, true}, false) == 1);
	CHECK(choose_uplink(1, {true, false, true}, false) == 0);
	CHECK(choose_uplink(1, {false, false, true}, false) == 2);
	// Nothing healthy: stay.
	CHECK(choose_uplink(1, {false, false}, true) == 1);
	// A preferred one back: only after the hold-down.
	CHECK(choose_uplink(1, {true, true}, false) == 1);
	CHECK(choose_uplink(1, {true, true}, true) == 0);
	// A less preferred one never pulls the service away.
	CHECK(choose_uplink(0, {true, true}, true) == 0);
}
