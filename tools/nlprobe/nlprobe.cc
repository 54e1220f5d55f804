// rdbd-nlprobe: sends the rdbd kernel module a fixed list of malformed
// generic netlink requests and prints how each was answered, one line per
// request:
//
//   <case-name>: <errno name> <extack message or "-">
//
// The list and its order never depend on the machine, so a VM test can
// diff the output against a golden file.  Every request must be refused:
// the exit status is 0 if all were, 1 if any succeeded (or got no answer),
// 4 if the rdbd family is not registered.  Needs root (CAP_NET_ADMIN),
// otherwise every mutating request fails with EPERM before validation.
// It creates one Diskless device of its own (minor 253, "nlprobe") for the
// requests that must reach a device, and removes it at the end.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "error.h"
#include "netlink.h"

namespace rdbd {
namespace {

// A minor the VM tests never configure: requests that get past validation
// find no device there instead of changing one.
constexpr uint32_t kUnusedMinor = RDBD_MINOR_MAX - 1;
// A minor the probe configures itself (Diskless, StandAlone) for the cases
// that must get past the device lookup to reach the check under test.
constexpr uint32_t kProbeMinor = RDBD_MINOR_MAX - 2;

struct ProbeCase {
	std::string name;
	uint8_t cmd;
	std::function<void(nl_msg *)> attributes;
	size_t payload_bytes = 0; // 0: libnl's default message size
};

void put_minor(nl_msg *m, uint32_t minor = kUnusedMinor)
{
	put_u32(m, RDBD_A_MINOR, minor);
}

void put_name(nl_msg *m, const std::string &name = "nlprobe")
{
	put_string(m, RDBD_A_RES_NAME, name);
}

// NEW_MINOR with a valid name and a MINOR of `bytes` raw bytes.
std::function<void(nl_msg *)>
new_minor_with_raw_minor(const std::vector<uint8_t> &bytes)
{
	return [bytes](nl_msg *m) {
		put_bytes(m, RDBD_A_MINOR, bytes);
		put_name(m);
	};
}

std::function<void(nl_msg *)> new_minor_named(const std::string &name)
{
	return [name](nl_msg *m) {
		put_minor(m);
		put_name(m, name);
	};
}

std::vector<uint8_t> ipv4_sockaddr(uint16_t family, uint16_t port = 7789)
{
	sockaddr_in sa{};
	sa.sin_family = family;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(0x7f000001);
	const auto *p = reinterpret_cast<const uint8_t *>(&sa);
	return {p, p + sizeof(sa)};
}

// CONNECT whose NET nest holds `fill`, with a valid peer address so the
// fault under test is the only one.
std::function<void(nl_msg *)>
connect_with(const std::function<void(nl_msg *)> &fill)
{
	return [fill](nl_msg *m) {
		put_minor(m, kProbeMinor);
		const NestedAttr net(m, RDBD_A_NET);
		fill(m);
		put_bytes(m, RDBD_NET_PEER_ADDR, ipv4_sockaddr(AF_INET));
	};
}

const char *const kCommandNames[] = {
	nullptr,     "new-minor",  "del-minor",	 "attach",
	"detach",    "connect",	   "disconnect", "primary",
	"secondary", "get-status", "event",	 "disk-opts",
	"pause-sync", "resume-sync", "outdate",	 "invalidate",
	"invalidate-remote", "verify", "resume-io",
};
static_assert(sizeof(kCommandNames) / sizeof(kCommandNames[0]) ==
		      RDBD_CMD_MAX + 1,
	      "one name per command");

std::vector<ProbeCase> commands_without_attributes()
{
	std::vector<ProbeCase> cases;
	for (uint8_t cmd = 1; cmd <= RDBD_CMD_MAX; ++cmd)
		cases.push_back({std::string(kCommandNames[cmd]) + "-no-attrs",
				 cmd, [](nl_msg *) {}});
	return cases;
}

std::vector<ProbeCase> malformed_attributes()
{
	const uint32_t all_ones = 4294967295U;
	const uint64_t minor64 = kUnusedMinor;
	const auto *minor64_bytes = reinterpret_cast<const uint8_t *>(&minor64);
	return {
		{"minor-1-byte", RDBD_CMD_NEW_MINOR,
		 new_minor_with_raw_minor({kUnusedMinor})},
		{"minor-8-bytes", RDBD_CMD_NEW_MINOR,
		 new_minor_with_raw_minor({minor64_bytes, minor64_bytes + 8})},
		{"minor-256", RDBD_CMD_NEW_MINOR,
		 [](nl_msg *m) {
			 put_minor(m, RDBD_MINOR_MAX + 1);
			 put_name(m);
		 }},
		{"minor-4294967295", RDBD_CMD_NEW_MINOR,
		 [all_ones](nl_msg *m) {
			 put_minor(m, all_ones);
			 put_name(m);
		 }},
		{"res-name-empty", RDBD_CMD_NEW_MINOR, new_minor_named("")},
		{"res-name-200-bytes", RDBD_CMD_NEW_MINOR,
		 new_minor_named(std::string(200, 'a'))},
		{"res-name-no-nul", RDBD_CMD_NEW_MINOR,
		 [](nl_msg *m) {
			 put_minor(m);
			 put_attr(m, RDBD_A_RES_NAME, "nlprobe", 7);
		 }},
		{"res-name-slash", RDBD_CMD_NEW_MINOR,
		 new_minor_named("nl/probe")},
		{"backing-path-5000-bytes", RDBD_CMD_ATTACH,
		 [](nl_msg *m) {
			 put_minor(m);
			 // 4999 characters and the NUL.
			 put_string(m, RDBD_A_BACKING_PATH,
				    "/" + std::string(4998, 'a'));
		 },
		 8192},
		{"flags-unknown-bits", RDBD_CMD_PRIMARY,
		 [](nl_msg *m) {
			 put_minor(m);
			 put_u32(m, RDBD_A_FLAGS, ~RDBD_F_ALL);
		 }},
	};
}

std::vector<ProbeCase> malformed_net()
{
	return {
		{"net-not-nested", RDBD_CMD_CONNECT,
		 [](nl_msg *m) {
			 put_minor(m);
			 put_bytes(m, RDBD_A_NET, {1, 2, 3, 4, 5, 6, 7});
		 }},
		{"net-sockaddr-3-bytes", RDBD_CMD_CONNECT,
		 connect_with([](nl_msg *m) {
			 put_bytes(m, RDBD_NET_LOCAL_ADDR, {2, 0, 30});
		 })},
		{"net-sockaddr-unknown-family", RDBD_CMD_CONNECT,
		 connect_with([](nl_msg *m) {
			 put_bytes(m, RDBD_NET_LOCAL_ADDR,
				   ipv4_sockaddr(12345));
		 })},
		{"net-sockaddr-port-0", RDBD_CMD_CONNECT,
		 connect_with([](nl_msg *m) {
			 put_bytes(m, RDBD_NET_LOCAL_ADDR,
				   ipv4_sockaddr(AF_INET, 0));
		 })},
		{"net-mixed-families", RDBD_CMD_CONNECT,
		 connect_with([](nl_msg *m) {
			 sockaddr_in6 sa{};
			 sa.sin6_family = AF_INET6;
			 sa.sin6_port = htons(7789);
			 sa.sin6_addr = in6addr_loopback;
			 const auto *p = reinterpret_cast<const uint8_t *>(&sa);
			 put_bytes(m, RDBD_NET_LOCAL_ADDR, {p, p + sizeof(sa)});
		 })},
		{"net-timeout-above-ping-int", RDBD_CMD_CONNECT,
		 connect_with([](nl_msg *m) {
			 put_bytes(m, RDBD_NET_LOCAL_ADDR,
				   ipv4_sockaddr(AF_INET));
			 put_u32(m, RDBD_NET_PING_INT_MS, 1000);
			 put_u32(m, RDBD_NET_TIMEOUT_MS, 5000);
		 })},
		{"net-protocol-7", RDBD_CMD_CONNECT,
		 connect_with([](nl_msg *m) {
			 put_bytes(m, RDBD_NET_LOCAL_ADDR,
				   ipv4_sockaddr(AF_INET));
			 put_u8(m, RDBD_NET_PROTOCOL, 7);
		 })},
		{"net-verify-alg-md5", RDBD_CMD_CONNECT,
		 connect_with([](nl_msg *m) {
			 put_bytes(m, RDBD_NET_LOCAL_ADDR,
				   ipv4_sockaddr(AF_INET));
			 put_string(m, RDBD_NET_VERIFY_ALG, "md5");
		 })},
		{"net-unknown-attr-200", RDBD_CMD_CONNECT,
		 connect_with([](nl_msg *m) {
			 put_bytes(m, RDBD_NET_LOCAL_ADDR,
				   ipv4_sockaddr(AF_INET));
			 put_u32(m, 200, 1);
		 })},
	};
}

std::vector<ProbeCase> unknown_and_oversized()
{
	constexpr size_t kPadBytes = 60 * 1024;
	return {
		{"unknown-attr-300", RDBD_CMD_NEW_MINOR,
		 [](nl_msg *m) {
			 put_minor(m);
			 put_name(m);
			 put_u32(m, 300, 1);
		 }},
		{"unknown-command-99", 99, [](nl_msg *) {}},
		{"attach-char-device", RDBD_CMD_ATTACH,
		 [](nl_msg *m) {
			 put_minor(m, kProbeMinor);
			 put_string(m, RDBD_A_BACKING_PATH, "/dev/null");
		 }},
		{"attach-relative-path", RDBD_CMD_ATTACH,
		 [](nl_msg *m) {
			 put_minor(m, kProbeMinor);
			 put_string(m, RDBD_A_BACKING_PATH, "vdb");
		 }},
		{"attach-missing-path", RDBD_CMD_ATTACH,
		 [](nl_msg *m) {
			 put_minor(m, kProbeMinor);
			 put_string(m, RDBD_A_BACKING_PATH, "/dev/nonexistent");
		 }},
		{"primary-diskless", RDBD_CMD_PRIMARY,
		 [](nl_msg *m) {
			 put_minor(m, kProbeMinor);
			 put_u32(m, RDBD_A_FLAGS, RDBD_F_FORCE);
		 }},
		{"new-minor-taken", RDBD_CMD_NEW_MINOR,
		 [](nl_msg *m) {
			 put_minor(m, kProbeMinor);
			 put_name(m, "other");
		 }},
		{"new-minor-name-taken", RDBD_CMD_NEW_MINOR,
		 [](nl_msg *m) {
			 put_minor(m);
			 put_name(m, "nlprobe");
		 }},
		{"attach-missing-minor", RDBD_CMD_ATTACH,
		 [](nl_msg *m) {
			 put_minor(m);
			 put_string(m, RDBD_A_BACKING_PATH, "/dev/null");
		 }},
		// Valid attributes only, so it is the size under test: the
		// kernel must parse all of it and still find no device.
		{"huge-message", RDBD_CMD_GET_STATUS,
		 [](nl_msg *m) {
			 for (size_t n = 0; n < kPadBytes; n += NLA_HDRLEN + 4)
				 put_minor(m);
		 },
		 kPadBytes + 4096},
	};
}

std::vector<ProbeCase> probe_cases()
{
	std::vector<ProbeCase> cases = commands_without_attributes();
	for (const std::vector<ProbeCase> &group :
	     {malformed_attributes(), malformed_net(), unknown_and_oversized()})
		cases.insert(cases.end(), group.begin(), group.end());
	return cases;
}

// "EINVAL message", with "SUCCEEDED" for a request that was accepted.
std::string describe(const NlResult &r)
{
	if (r.error == 0)
		return "SUCCEEDED -";
	const char *name = strerrorname_np(-r.error);
	return std::string(name ? name : std::to_string(r.error).c_str()) +
	       " " + (r.extack.empty() ? "-" : r.extack);
}

// Runs one case; true if the kernel refused it as it should.
bool probe(GenlClient &kernel, const ProbeCase &c)
{
	NlMessage m;
	std::string outcome;
	bool refused = false;
	try {
		m = kernel.new_request(c.cmd, 0, c.payload_bytes);
		c.attributes(m.get());
	} catch (const Error &e) {
		// A bug in this list, not in the kernel.
		outcome = "NOT-SENT " + std::string(e.what());
	}
	if (outcome.empty()) {
		try {
			const NlResult r = kernel.transact(m.get());
			outcome = describe(r);
			refused = r.error != 0;
		} catch (const Error &e) {
			outcome = "NO-ANSWER " + std::string(e.what());
		}
	}
	std::cout << c.name << ": " << outcome << std::endl;
	return refused;
}

// Sends a request that must succeed (setting up or removing the probe's
// own device); throws if it does not.
void must_succeed(GenlClient &kernel, uint8_t cmd, const std::string &what)
{
	NlMessage m = kernel.new_request(cmd);
	put_minor(m.get(), kProbeMinor);
	if (cmd == RDBD_CMD_NEW_MINOR)
		put_name(m.get());
	const NlResult r = kernel.transact(m.get());
	if (r.error != 0)
		throw Error(kExitFailure, "cannot " + what + ": " + describe(r));
}

int run()
{
	GenlClient kernel;
	bool all_refused = true;
	must_succeed(kernel, RDBD_CMD_NEW_MINOR, "create the probe device");
	for (const ProbeCase &c : probe_cases())
		all_refused &= probe(kernel, c);
	must_succeed(kernel, RDBD_CMD_DEL_MINOR, "remove the probe device");
	return all_refused ? kExitOk : kExitFailure;
}

} // namespace
} // namespace rdbd

int main()
{
	try {
		return rdbd::run();
	} catch (const rdbd::Error &e) {
		std::cerr << "rdbd-nlprobe: " << e.what() << '\n';
		return e.exit_code();
	}
}
