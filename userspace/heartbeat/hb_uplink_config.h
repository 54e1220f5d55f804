// ha.cf directives of the uplink monitor (hb_uplink.h) and its DNS update
// (hb_dns.h).  Heartbeat had no such feature, so the syntax is rdbd's own:
//
//   uplink NAME dev=IF gateway=IP address=IP/BITS probe=IP[,IP...] [public=IP]
//   uplink_timing interval=1 down=3 up=10 holddown=30
//   uplink_group GROUP       (default: the first haresources group)
//   uplink_log FILE          (the connections log)
//   uplink_hook /abs/path    (run on every switch; NO-IP, ddclient)
//   dns_update server=IP[:PORT] zone=ZONE name=FQDN keyfile=FILE [ttl=N]
//
// The first `uplink` line is the primary; the others are backups, in
// order of preference.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rdbd::hb {

struct UplinkConfig {
	std::string name;	     // "wan1": for logs, status, the hook
	std::string dev;	     // the interface it leaves through
	std::string gateway;	     // its router's LAN address
	std::string address;	     // the service address while active
	unsigned prefix = 24;	     // of `address`
	std::vector<std::string> probes; // answered through it = healthy
	std::string public_address;  // what DNS says while active
	std::string where;	     // "ha.cf:12"
};

struct UplinkTiming {
	std::chrono::milliseconds interval{1000}; // one probe round
	unsigned down = 3;  // failed rounds in a row: unhealthy
	unsigned up = 10;   // answered rounds in a row: healthy again
	// A switch back to a preferred uplink waits this long after the
	// last switch: an uplink that recovers in bursts moves nothing.
	std::chrono::milliseconds holddown{30000};
};

// A TSIG key as BIND's tsig-keygen writes it (hmac-sha256 only).
struct TsigKey {
	std::string name;	      // "ha-update."
	std::string algorithm;	      // "hmac-sha256"
	std::vector<uint8_t> secret;  // decoded
};

struct DnsUpdateConfig {
	std::string server;	// IPv4
	unsigned port = 53;
	std::string zone;	// "example.test"
	std::string name;	// "www.example.test"
	unsigned ttl = 60;
	std::string keyfile;
	TsigKey key;		// read from keyfile at load time
	std::string where;
};

struct UplinksConfig {
	std::vector<UplinkConfig> uplinks; // [0] is the primary
	UplinkTiming timing;
	std::string group;	// haresources group key; "": the first
	std::string group_where; // "ha.cf:N" of uplink_group
	std::string log;	// the connections log; "": the main log only
	std::string hook;
	std::optional<DnsUpdateConfig> dns;
	bool enabled() const { return !uplinks.empty(); }
};

// Parse BIND's `key "NAME" { algorithm hmac-sha256; secret "B64"; };`.
// Throws ConfigError naming `file` on anything else.
TsigKey parse_tsig_keyfile(const std::string &text, const std::string &file);

} // namespace rdbd::hb
