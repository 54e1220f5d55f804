// rdbd-nlfuzz: random generic netlink requests to rdbd.ko, seeded and
// bounded:
//
//   rdbd-nlfuzz [--seed N] [--requests N] [--unprivileged]
//
// Each request has a random command (every RDBD_CMD_* and a few unknown
// ones, as doit or dump), and a random set of attributes: known and
// unknown types, right and wrong sizes, strings with and without their
// NUL, nests (RDBD_A_NET, RDBD_A_DISK, and nests where none belongs) up to
// three deep.  Half of the requests are nearly valid instead: the
// command's own attributes, right types, and perhaps one more, so that
// devices get made, attached (to /dev/vdb, which has metadata), connected
// and promoted.  Minors come mostly from a few the fuzzer owns
// (kFuzzMinors); ATTACH names real disks (/dev/vdb, /dev/vdc), others and
// bad paths; CONNECT addresses are loopback or the test link's only, so
// a device that gets connected dials nothing outside the test guests.
//
// Checks: every request gets an answer; run with --unprivileged (as a
// user without CAP_NET_ADMIN), every request of a mutating command is
// refused with EPERM.  At the end (as root) it removes every device it
// may have made and checks that none is left.  Prints the seed, the
// counts per command and answer, and "result nlfuzz: PASS" or "FAIL";
// exit status 0 or 1.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "error.h"
#include "netlink.h"

namespace rdbd {
namespace {

constexpr uint32_t kFuzzMinors[] = {0, 1, 7, RDBD_MINOR_MAX};
constexpr int kMaxDepth = 3;

class Rng {
public:
	explicit Rng(uint64_t seed) : state_(seed) {}
	uint64_t next()
	{
		uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		return z ^ (z >> 31);
	}
	uint64_t below(uint64_t n) { return n ? next() % n : 0; }
	bool one_in(uint64_t n) { return below(n) == 0; }

private:
	uint64_t state_;
};

bool mutating(uint8_t cmd)
{
	return cmd >= RDBD_CMD_NEW_MINOR && cmd <= RDBD_CMD_MAX &&
	       cmd != RDBD_CMD_GET_STATUS && cmd != RDBD_CMD_EVENT;
}

class RequestBuilder {
public:
	RequestBuilder(nl_msg *m, Rng &rng) : m_(m), rng_(rng) {}
	void top_level();
	// The attributes `cmd` wants, of the right types, so that requests
	// get past validation and devices are made, attached, connected and
	// promoted; then perhaps one random attribute more.
	void nearly_valid(uint8_t cmd);

private:
	void valid_net();
	void loopback(int type, uint16_t port);
	void attribute(int type_limit, int depth, bool in_net);
	void value(int type, bool in_net);
	void sockaddr(int type);
	std::string name();
	std::string path();
	std::vector<uint8_t> bytes(size_t n);

	nl_msg *m_;
	Rng &rng_;
};

std::vector<uint8_t> RequestBuilder::bytes(size_t n)
{
	std::vector<uint8_t> b(n);
	for (uint8_t &x : b)
		x = static_cast<uint8_t>(rng_.next());
	return b;
}

std::string RequestBuilder::name()
{
	static const char *const names[] = {"r0", "fuzz", "a.b-c_d", "", "all",
					    "bad/name", "sp ace"};
	if (rng_.one_in(6))
		return std::string(RDBD_RES_NAME_MAX + rng_.below(3) - 1, 'n');
	return names[rng_.below(sizeof(names) / sizeof(names[0]))];
}

std::string RequestBuilder::path()
{
	static const char *const paths[] = {"/dev/vdb", "/dev/vdc", "/dev/null",
					    "/dev/zero", "/nonexistent", "",
					    "relative", "/dev/rdbd0", "/"};
	if (rng_.one_in(8))
		return "/" + std::string(RDBD_PATH_MAX + rng_.below(3) - 1, 'p');
	return paths[rng_.below(sizeof(paths) / sizeof(paths[0]))];
}

// A sockaddr of loopback or the test link, with a random family, port
// and length: never an address outside the test guests.
void RequestBuilder::sockaddr(int type)
{
	if (rng_.one_in(2)) {
		sockaddr_in a{};
		a.sin_family = rng_.one_in(6) ? AF_INET6 : AF_INET;
		a.sin_port = htons(static_cast<uint16_t>(rng_.next()));
		static const char *const ips[] = {"127.0.0.1", "10.99.1.1",
						  "10.99.1.2", "0.0.0.0"};
		inet_pton(AF_INET, ips[rng_.below(4)], &a.sin_addr);
		const auto *p = reinterpret_cast<const uint8_t *>(&a);
		put_bytes(m_, type, std::vector<uint8_t>(
					    p, p + rng_.below(sizeof(a) + 4)));
		return;
	}
	sockaddr_in6 a{};
	a.sin6_family = rng_.one_in(6) ? AF_INET : AF_INET6;
	a.sin6_port = htons(static_cast<uint16_t>(rng_.next()));
	a.sin6_addr = in6addr_loopback;
	const auto *p = reinterpret_cast<const uint8_t *>(&a);
	const size_t n = rng_.one_in(2) ? sizeof(a) : rng_.below(sizeof(a) + 4);
	std::vector<uint8_t> v(p, p + std::min(n, sizeof(a)));
	v.resize(n);
	put_bytes(m_, type, v);
}

// A value for attribute `type`: usually of the type's own shape (which
// still may be out of range), sometimes of another size.
void RequestBuilder::value(int type, bool in_net)
{
	if (in_net && (type == RDBD_NET_LOCAL_ADDR || type == RDBD_NET_PEER_ADDR))
		return sockaddr(type);
	switch (rng_.below(8)) {
	case 0:
		return put_u8(m_, type, static_cast<uint8_t>(rng_.below(8)));
	case 1:
	case 2: {
		static const uint32_t edges[] = {0, 1, 7, 255, 1016, 65534,
						 RDBD_MINOR_MAX, 0x7fffffff,
						 0xffffffff};
		return put_u32(m_, type,
			       rng_.one_in(2)
				       ? kFuzzMinors[rng_.below(4)]
				       : edges[rng_.below(sizeof(edges) / 4)]);
	}
	case 3:
		return put_string(m_, type, name());
	case 4:
		return put_string(m_, type, path());
	case 5: { // a string without its NUL
		const std::string s = rng_.one_in(2) ? name() : "sha256";
		return put_attr(m_, type, s.data(), s.size());
	}
	case 6:
		return put_bytes(m_, type, bytes(rng_.below(64)));
	default:
		return put_bytes(m_, type, bytes(rng_.one_in(4) ? 4096 : 2));
	}
}

void RequestBuilder::attribute(int type_limit, int depth, bool in_net)
{
	const int type = static_cast<int>(rng_.below(type_limit + 3));
	const bool nest = (!in_net && (type == RDBD_A_NET || type == RDBD_A_DISK ||
				       type == RDBD_A_STATUS)) ||
			  rng_.one_in(12);
	if (nest && depth < kMaxDepth) {
		NestedAttr n(m_, type);
		const bool net = type == RDBD_A_NET;
		const int limit = net ? RDBD_NET_MAX : RDBD_DISK_MAX;
		for (uint64_t i = rng_.below(8); i > 0; i--)
			attribute(limit, depth + 1, net);
		return;
	}
	value(type, in_net);
}

void RequestBuilder::top_level()
{
	// Most requests name one of the fuzzer's minors, as a real one does.
	if (rng_.below(4))
		put_u32(m_, RDBD_A_MINOR, kFuzzMinors[rng_.below(4)]);
	for (uint64_t i = rng_.below(7); i > 0; i--)
		attribute(RDBD_A_MAX, 0, false);
}

void RequestBuilder::loopback(int type, uint16_t port)
{
	sockaddr_in a{};
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	put_attr(m_, type, &a, sizeof(a));
}

// Both ends on loopback: a connected device dials itself at most.
void RequestBuilder::valid_net()
{
	NestedAttr n(m_, RDBD_A_NET);
	const auto port = static_cast<uint16_t>(7790 + rng_.below(4));
	loopback(RDBD_NET_LOCAL_ADDR, port);
	loopback(RDBD_NET_PEER_ADDR, static_cast<uint16_t>(port + 10));
	put_string(m_, RDBD_NET_PEER_NAME, "peer");
	put_u8(m_, RDBD_NET_PROTOCOL,
	       static_cast<uint8_t>(RDBD_PROT_A + rng_.below(3)));
	put_u32(m_, RDBD_NET_CONNECT_INT_MS, 1000);
	put_u32(m_, RDBD_NET_PING_INT_MS, 1000);
	put_u32(m_, RDBD_NET_PING_TIMEOUT_MS, 500);
	put_u32(m_, RDBD_NET_TIMEOUT_MS, 500);
	if (rng_.one_in(2))
		put_string(m_, RDBD_NET_VERIFY_ALG, "crc32c");
	if (rng_.one_in(3)) {
		put_string(m_, RDBD_NET_CRAM_HMAC_ALG, "sha256");
		put_bytes(m_, RDBD_NET_SHARED_SECRET, bytes(1 + rng_.below(64)));
	}
}

void RequestBuilder::nearly_valid(uint8_t cmd)
{
	put_u32(m_, RDBD_A_MINOR, kFuzzMinors[rng_.below(4)]);
	switch (cmd) {
	case RDBD_CMD_NEW_MINOR:
		put_string(m_, RDBD_A_RES_NAME,
			   "fz" + std::to_string(rng_.below(4)));
		break;
	case RDBD_CMD_ATTACH:
		put_string(m_, RDBD_A_BACKING_PATH,
			   rng_.one_in(2) ? "/dev/vdb" : path());
		break;
	case RDBD_CMD_CONNECT:
		valid_net();
		break;
	case RDBD_CMD_PRIMARY:
		put_u32(m_, RDBD_A_FLAGS, rng_.one_in(2) ? RDBD_F_FORCE : 0);
		break;
	case RDBD_CMD_DISK_OPTS: {
		NestedAttr n(m_, RDBD_A_DISK);
		put_u32(m_, RDBD_DISK_RESYNC_RATE_KIB,
			static_cast<uint32_t>(rng_.below(1U << 20)));
		put_u32(m_, RDBD_DISK_AL_EXTENTS,
			static_cast<uint32_t>(7 + rng_.below(2000)));
		put_u8(m_, RDBD_DISK_ON_IO_ERROR,
		       static_cast<uint8_t>(rng_.below(2)));
		break;
	}
	default:
		break;
	}
	if (rng_.one_in(4))
		attribute(RDBD_A_MAX, 0, false);
}

struct Options {
	uint64_t seed = 1;
	uint64_t requests = 2000;
	bool unprivileged = false;
};

std::string errno_text(int error)
{
	if (!error)
		return "ok";
	const char *n = strerrorname_np(-error);
	return n ? n : std::to_string(error);
}

// Removes every device the run may have made; true if none is left.
bool clean_up(GenlClient &kernel)
{
	for (uint32_t minor : kFuzzMinors) {
		NlMessage m = kernel.new_request(RDBD_CMD_DEL_MINOR);
		put_u32(m.get(), RDBD_A_MINOR, minor);
		kernel.transact(m.get());
	}
	unsigned left = 0;
	NlMessage dump = kernel.new_request(RDBD_CMD_GET_STATUS, NLM_F_DUMP);
	const NlResult r =
		kernel.transact(dump.get(), [&](nl_msg *) { left++; });
	std::cout << "nlfuzz: devices left after clean-up: " << left
		  << std::endl;
	return r.error == 0 && left == 0;
}

int run(const Options &o)
{
	GenlClient kernel;
	Rng rng(o.seed);
	std::map<std::string, uint64_t> answers; // "CMD errno" -> count
	uint64_t denied_ok = 0, findings = 0;
	std::cout << "nlfuzz: seed " << o.seed << ", " << o.requests
		  << " requests" << (o.unprivileged ? ", unprivileged" : "")
		  << std::endl;
	for (uint64_t i = 0; i < o.requests; i++) {
		const auto cmd = static_cast<uint8_t>(rng.below(RDBD_CMD_MAX + 4));
		const int flags = rng.one_in(8) ? NLM_F_DUMP : 0;
		NlMessage m = kernel.new_request(cmd, flags, 16384);
		try {
			RequestBuilder b(m.get(), rng);
			if (rng.one_in(2))
				b.nearly_valid(cmd);
			else
				b.top_level();
		} catch (const NetlinkError &) {
			// full: the request goes with what fitted
		}
		NlResult r;
		try {
			r = kernel.transact(m.get());
		} catch (const Error &e) {
			std::cout << "finding: request " << i << " (cmd " << +cmd
				  << "): no answer: " << e.what() << std::endl;
			findings++;
			continue;
		}
		answers["cmd " + std::to_string(cmd) + " " + errno_text(r.error)]++;
		if (o.unprivileged && mutating(cmd)) {
			if (r.error == -EPERM) {
				denied_ok++;
			} else {
				std::cout << "finding: request " << i << " (cmd "
					  << +cmd << ") as an unprivileged user: "
					  << errno_text(r.error) << ", not EPERM"
					  << std::endl;
				findings++;
			}
		}
	}
	for (const auto &[what, n] : answers)
		std::cout << "nlfuzz: " << what << ": " << n << std::endl;
	if (o.unprivileged)
		std::cout << "nlfuzz: mutating requests denied with EPERM: "
			  << denied_ok << std::endl;
	else if (!clean_up(kernel))
		findings++;
	const bool pass = findings == 0;
	std::cout << "result nlfuzz: " << (pass ? "PASS" : "FAIL") << std::endl;
	return pass ? kExitOk : kExitFailure;
}

Options parse_options(int argc, char **argv)
{
	Options o;
	for (int i = 1; i < argc; i++) {
		const std::string a = argv[i];
		if (a == "--unprivileged")
			o.unprivileged = true;
		else if ((a == "--seed" || a == "--requests") && i + 1 < argc)
			(a == "--seed" ? o.seed : o.requests) =
				std::stoull(argv[++i]);
		else
			throw UsageError("usage: rdbd-nlfuzz [--seed N] "
					 "[--requests N] [--unprivileged]");
	}
	return o;
}

} // namespace
} // namespace rdbd

int main(int argc, char **argv)
{
	try {
		return rdbd::run(rdbd::parse_options(argc, argv));
	} catch (const rdbd::Error &e) {
		std::cerr << "rdbd-nlfuzz: " << e.what() << '\n';
		return e.exit_code();
	} catch (const std::exception &e) {
		std::cerr << "rdbd-nlfuzz: " << e.what() << '\n';
		return rdbd::kExitUsage;
	}
}
