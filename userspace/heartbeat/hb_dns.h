// Dynamic DNS for the uplink monitor: an RFC 2136 UPDATE that replaces
// one A record, signed with TSIG (RFC 8945, hmac-sha256), sent over UDP
// from the event loop.  A switch never waits for it: the update is
// retried in the background, with growing pauses, until the server says
// NOERROR or a newer switch replaces it.
//
// The message (RFC 2136 section 2):
//   header   id, opcode UPDATE, ZOCOUNT 1, UPCOUNT 2, ARCOUNT 1
//   zone     ZONE SOA IN
//   update   NAME A ANY ttl 0      (delete every A record of NAME)
//            NAME A IN  TTL ADDR   (add the new one)
//   addition KEYNAME TSIG ANY      (RFC 8945 section 4.2)
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fd.h"
#include "hb_loop.h"
#include "hb_uplink_config.h"

namespace rdbd::hb {

// The signed request, and the MAC a signed answer is chained to.
struct DnsRequest {
	std::vector<uint8_t> wire;
	std::vector<uint8_t> mac;
	uint16_t id = 0;
};

DnsRequest encode_dns_update(const DnsUpdateConfig &c,
			     const std::string &address, uint16_t id,
			     uint64_t time_signed);

// "www.example.test" -> 3www7example4test0 (lowercase, no compression).
std::vector<uint8_t> dns_wire_name(const std::string &name);

struct DnsAnswer {
	bool valid = false;	// a reply to the request at all
	unsigned rcode = 0;	// 0 NOERROR, 5 REFUSED, 9 NOTAUTH...
	unsigned tsig_error = 0; // 16 BADSIG, 17 BADKEY, 18 BADTIME
	bool signed_ok = false; // carries a TSIG that verifies
	std::string text() const; // "NOERROR", "NOTAUTH(BADSIG)"...
	// What ends the retries: the server applied the update, and said
	// so with the key (an unsigned NOERROR may be forged).
	bool success() const { return valid && rcode == 0 && signed_ok; }
};

DnsAnswer parse_dns_answer(const uint8_t *data, size_t size,
			   const DnsRequest &request, const TsigKey &key);

// Sends updates from the event loop.  `log` gets one line per attempt's
// outcome (for the connections log).
class DnsUpdater {
public:
	using Log = std::function<void(bool error, const std::string &)>;
	DnsUpdater(EventLoop &loop, DnsUpdateConfig config, Log log);
	~DnsUpdater();
	// Point NAME at `address` (replacing any update still being tried).
	void update(const std::string &address);
	// Stop trying (this node no longer serves); state becomes "idle".
	void cancel();

	// For status: "idle", "pending" (being tried), "ok" or "failed"
	// (the last attempt failed; another is scheduled).
	std::string state() const { return state_; }
	const std::string &address() const { return address_; }
	unsigned attempts() const { return attempts_; }
	const std::string &last_answer() const { return last_answer_; }
	const DnsUpdateConfig &config() const { return config_; }

private:
	void attempt();
	void on_readable();
	void attempt_failed(const std::string &why);
	void close_socket();

	EventLoop &loop_;
	DnsUpdateConfig config_;
	Log log_;
	UniqueFd socket_;
	DnsRequest request_;
	EventLoop::TimerId timer_ = 0;
	std::string state_ = "idle";
	std::string address_;
	unsigned attempts_ = 0;
	std::string last_answer_;
};

} // namespace rdbd::hb
