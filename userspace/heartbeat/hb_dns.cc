#include "hb_dns.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "hb_text.h"

namespace rdbd::hb {

namespace {

constexpr uint16_t kTypeA = 1, kTypeSoa = 6, kTypeTsig = 250;
constexpr uint16_t kClassIn = 1, kClassAny = 255;
constexpr uint16_t kOpcodeUpdate = 5;
constexpr uint16_t kFudge = 300; // seconds of clock skew allowed (RFC 8945)
constexpr auto kAttemptTimeout = std::chrono::seconds(2);
constexpr auto kMaxRetryPause = std::chrono::seconds(30);

struct Writer {
	std::vector<uint8_t> b;
	void u8(unsigned v) { b.push_back(static_cast<uint8_t>(v)); }
	void u16(unsigned v) { u8(v >> 8); u8(v); }
	void u32(uint32_t v) { u16(v >> 16); u16(v & 0xffff); }
	void u48(uint64_t v) { u16(static_cast<unsigned>(v >> 32)); u32(static_cast<uint32_t>(v)); }
	void bytes(const std::vector<uint8_t> &v) { b.insert(b.end(), v.begin(), v.end()); }
};

std::vector<uint8_t> hmac_sha256(const std::vector<uint8_t> &key,
				 const std::vector<uint8_t> &data)
{
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
	     data.data(), data.size(), out, &len);
	return {out, out + len};
}

// RFC 8945 4.3.3: the TSIG variables that follow the message in the MAC.
void tsig_variables(Writer &w, const TsigKey &key, uint64_t time_signed,
		    unsigned error, const std::vector<uint8_t> &other)
{
	w.bytes(dns_wire_name(key.name));
	w.u16(kClassAny);
	w.u32(0); // TTL
	w.bytes(dns_wire_name(key.algorithm));
	w.u48(time_signed);
	w.u16(kFudge);
	w.u16(error);
	w.u16(static_cast<unsigned>(other.size()));
	w.bytes(other);
}

const char *rcode_name(unsigned r)
{
	static const char *names[] = {"NOERROR", "FORMERR", "SERVFAIL",
				      "NXDOMAIN", "NOTIMP", "REFUSED",
				      "YXDOMAIN", "YXRRSET", "NXRRSET",
				      "NOTAUTH", "NOTZONE"};
	return r < sizeof(names) / sizeof(names[0]) ? names[r] : nullptr;
}

struct Reader {
	const uint8_t *d;
	size_t n, at = 0;
	bool ok = true;
	unsigned u8() { if (at + 1 > n) { ok = false; return 0; } return d[at++]; }
	unsigned u16() { unsigned h = u8(); return (h << 8) | u8(); }
	uint32_t u32() { uint32_t h = u16(); return (h << 16) | u16(); }
	uint64_t u48() { uint64_t h = u16(); return (h << 32) | u32(); }
	void skip(size_t k) { if (at + k > n) ok = false; else at += k; }
	// Reads a name, following compression pointers; returns it
	// lowercase with a final dot.
	std::string name()
	{
		std::string out;
		size_t pos = at;
		bool jumped = false;
		for (int hops = 0; hops < 64; hops++) {
			if (pos >= n) break;
			const unsigned len = d[pos];
			if (len == 0) {
				if (!jumped) at = pos + 1;
				return out.empty() ? "." : out;
			}
			if ((len & 0xc0) == 0xc0) {
				if (pos + 1 >= n) break;
				if (!jumped) at = pos + 2;
				jumped = true;
				pos = ((len & 0x3f) << 8) | d[pos + 1];
				continue;
			}
			if (pos + 1 + len > n) break;
			out += lowercase(std::string(reinterpret_cast<const char *>(d + pos + 1), len)) + ".";
			pos += 1 + len;
		}
		ok = false;
		return "";
	}
};

} // namespace

std::vector<uint8_t> dns_wire_name(const std::string &name)
{
	std::vector<uint8_t> out;
	for (const auto &label : split(lowercase(name), '.')) {
		if (label.empty())
			continue;
		out.push_back(static_cast<uint8_t>(label.size()));
		out.insert(out.end(), label.begin(), label.end());
	}
	out.push_back(0);
	return out;
}

DnsRequest encode_dns_update(const DnsUpdateConfig &c,
			     const std::string &address, uint16_t id,
			     uint64_t time_signed)
{
	in_addr a{};
	inet_pton(AF_INET, address.c_str(), &a);
	const auto *ip = reinterpret_cast<const uint8_t *>(&a.s_addr);
	Writer w;
	w.u16(id);
	w.u16(kOpcodeUpdate << 11);
	w.u16(1); // ZOCOUNT
	w.u16(0); // PRCOUNT
	w.u16(2); // UPCOUNT
	w.u16(0); // ADCOUNT: the TSIG is added after signing
	w.bytes(dns_wire_name(c.zone));
	w.u16(kTypeSoa);
	w.u16(kClassIn);
	// RFC 2136 2.5.2: delete an RRset: class ANY, TTL 0, no data.
	w.bytes(dns_wire_name(c.name));
	w.u16(kTypeA);
	w.u16(kClassAny);
	w.u32(0);
	w.u16(0);
	// 2.5.1: add to an RRset.
	w.bytes(dns_wire_name(c.name));
	w.u16(kTypeA);
	w.u16(kClassIn);
	w.u32(c.ttl);
	w.u16(4);
	w.bytes({ip, ip + 4});

	Writer signed_data{w.b};
	tsig_variables(signed_data, c.key, time_signed, 0, {});
	DnsRequest r;
	r.id = id;
	r.mac = hmac_sha256(c.key.secret, signed_data.b);

	Writer rdata;
	rdata.bytes(dns_wire_name(c.key.algorithm));
	rdata.u48(time_signed);
	rdata.u16(kFudge);
	rdata.u16(static_cast<unsigned>(r.mac.size()));
	rdata.bytes(r.mac);
	rdata.u16(id); // original id
	rdata.u16(0);  // error
	rdata.u16(0);  // other len
	w.bytes(dns_wire_name(c.key.name));
	w.u16(kTypeTsig);
	w.u16(kClassAny);
	w.u32(0);
	w.u16(static_cast<unsigned>(rdata.b.size()));
	w.bytes(rdata.b);
	w.b[11] = 1; // ADCOUNT
	r.wire = w.b;
	return r;
}

std::string DnsAnswer::text() const
{
	if (!valid)
		return "malformed answer";
	const char *n = rcode_name(rcode);
	std::string s = n ? n : "RCODE" + std::to_string(rcode);
	if (tsig_error == 16)
		s += "(BADSIG)";
	else if (tsig_error == 17)
		s += "(BADKEY)";
	else if (tsig_error == 18)
		s += "(BADTIME)";
	else if (tsig_error)
		s += "(TSIG error " + std::to_string(tsig_error) + ")";
	if (rcode == 0 && !signed_ok)
		s += ", but not signed with our key";
	return s;
}

DnsAnswer parse_dns_answer(const uint8_t *data, size_t size,
			   const DnsRequest &request, const TsigKey &key)
{
	DnsAnswer a;
	Reader r{data, size};
	const unsigned id = r.u16(), flags = r.u16();
	unsigned counts[4];
	for (auto &c : counts)
		c = r.u16();
	if (!r.ok || id != request.id || !(flags & 0x8000) ||
	    ((flags >> 11) & 0xf) != kOpcodeUpdate)
		return a;
	a.valid = true;
	a.rcode = flags & 0xf;
	for (unsigned i = 0; i < counts[0] && r.ok; i++) {
		r.name();
		r.skip(4);
	}
	const unsigned records = counts[1] + counts[2] + counts[3];
	for (unsigned i = 0; i < records && r.ok; i++) {
		const size_t start = r.at;
		const std::string owner = r.name();
		const unsigned type = r.u16();
		r.skip(6); // class, ttl
		const unsigned rdlen = r.u16();
		const size_t rdata_end = r.at + rdlen;
		if (!r.ok || rdata_end > size)
			return a;
		if (type != kTypeTsig || i + 1 != records) {
			r.skip(rdlen);
			continue;
		}
		const std::string algorithm = r.name();
		const uint64_t time_signed = r.u48();
		r.u16(); // fudge
		const unsigned mac_size = r.u16();
		std::vector<uint8_t> mac;
		if (r.ok && r.at + mac_size <= size)
			mac.assign(data + r.at, data + r.at + mac_size);
		r.skip(mac_size);
		r.u16(); // original id
		a.tsig_error = r.u16();
		const unsigned other_len = r.u16();
		std::vector<uint8_t> other;
		if (r.ok && r.at + other_len <= size)
			other.assign(data + r.at, data + r.at + other_len);
		r.skip(other_len);
		if (!r.ok || owner != key.name || algorithm != key.algorithm + "." ||
		    mac.empty())
			return a;
		// RFC 8945 5.3: the request's MAC, the answer without its
		// TSIG (ARCOUNT one less, the original id), the variables.
		Writer w;
		w.u16(static_cast<unsigned>(request.mac.size()));
		w.bytes(request.mac);
		std::vector<uint8_t> message(data, data + start);
		const unsigned ar = counts[3] - 1;
		message[10] = static_cast<uint8_t>(ar >> 8);
		message[11] = static_cast<uint8_t>(ar);
		w.bytes(message);
		tsig_variables(w, key, time_signed, a.tsig_error, other);
		const auto want = hmac_sha256(key.secret, w.b);
		a.signed_ok = want.size() == mac.size() &&
			      CRYPTO_memcmp(want.data(), mac.data(), mac.size()) == 0;
	}
	return a;
}

DnsUpdater::DnsUpdater(EventLoop &loop, DnsUpdateConfig config, Log log)
	: loop_(loop), config_(std::move(config)), log_(std::move(log))
{
}

DnsUpdater::~DnsUpdater()
{
	close_socket();
	loop_.cancel(timer_);
}

void DnsUpdater::close_socket()
{
	if (socket_)
		loop_.unwatch(socket_.get());
	socket_ = UniqueFd();
}

void DnsUpdater::update(const std::string &address)
{
	close_socket();
	loop_.cancel(timer_);
	address_ = address;
	attempts_ = 0;
	state_ = "pending";
	attempt();
}

void DnsUpdater::cancel()
{
	close_socket();
	loop_.cancel(timer_);
	if (state_ == "pending" || state_ == "failed")
		log_(false, "DNS update " + config_.name + " A " + address_ +
				    " given up: this node no longer serves");
	state_ = "idle";
}

void DnsUpdater::attempt()
{
	attempts_++;
	uint16_t id = 0;
	RAND_bytes(reinterpret_cast<unsigned char *>(&id), sizeof(id));
	request_ = encode_dns_update(config_, address_, id,
				     static_cast<uint64_t>(time(nullptr)));
	// A fresh socket (and port) per attempt: a late answer to an
	// earlier attempt cannot be taken for this one's.
	close_socket();
	socket_ = UniqueFd(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK |
						   SOCK_CLOEXEC, 0));
	sockaddr_in to{};
	to.sin_family = AF_INET;
	to.sin_port = htons(static_cast<uint16_t>(config_.port));
	inet_pton(AF_INET, config_.server.c_str(), &to.sin_addr);
	if (!socket_ ||
	    connect(socket_.get(), reinterpret_cast<sockaddr *>(&to),
		    sizeof(to)) != 0 ||
	    send(socket_.get(), request_.wire.data(), request_.wire.size(), 0) < 0) {
		attempt_failed(std::string("cannot send: ") + strerror(errno));
		return;
	}
	loop_.watch(socket_.get(), [this] { on_readable(); });
	timer_ = loop_.after(kAttemptTimeout, [this] {
		attempt_failed("no answer within " +
			       std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
						      kAttemptTimeout).count()) + " s");
	});
}

void DnsUpdater::on_readable()
{
	uint8_t buf[4096];
	const ssize_t n = recv(socket_.get(), buf, sizeof(buf), 0);
	if (n < 0) {
		if (errno == EAGAIN)
			return;
		// ECONNREFUSED: an ICMP port unreachable, nobody listens.
		loop_.cancel(timer_);
		attempt_failed(strerror(errno));
		return;
	}
	const DnsAnswer a = parse_dns_answer(buf, static_cast<size_t>(n),
					     request_, config_.key);
	if (!a.valid)
		return; // not ours; wait for the real one or the timeout
	loop_.cancel(timer_);
	close_socket();
	if (!a.success()) {
		attempt_failed("server answered " + a.text());
		return;
	}
	last_answer_ = a.text();
	state_ = "ok";
	log_(false, "DNS update " + config_.name + " A " + address_ + " at " +
			    config_.server + ": " + last_answer_ + " (attempt " +
			    std::to_string(attempts_) + ")");
}

void DnsUpdater::attempt_failed(const std::string &why)
{
	close_socket();
	state_ = "failed";
	last_answer_ = why;
	// 1, 2, 4... seconds, at most 30: a server that is down for long is
	// asked twice a minute, and the first retries come quickly.
	const auto pause = std::min<std::chrono::milliseconds>(
		kMaxRetryPause,
		std::chrono::seconds(1) * (1u << std::min(attempts_ - 1, 5u)));
	log_(true, "DNS update " + config_.name + " A " + address_ + " at " +
			   config_.server + " failed (attempt " +
			   std::to_string(attempts_) + "): " + why + "; retrying in " +
			   std::to_string(pause.count()) + " ms");
	timer_ = loop_.after(pause, [this] { attempt(); });
}

} // namespace rdbd::hb
