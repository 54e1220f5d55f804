// rdbd-fakepeer: a hostile peer for rdbd.ko's replication link.  It
// connects to (or accepts a connection from) a node in WFConnection,
// misbehaves in one chosen way, and checks that the kernel drops the
// connection (or refuses, where the protocol answers) instead of trusting
// it:
//
//   rdbd-fakepeer --listen ADDR:PORT | --connect ADDR:PORT
//                 --name NODE --resource RES --mode MODE[,MODE...]
//                 [--verify-alg ALG]
//   rdbd-fakepeer --connect ADDR:PORT --name NODE --resource RES --mode fuzz
//                 [--seed N] [--packets N] [--max-seconds N]
//                 [--hmac-alg ALG --secret SECRET]
//
// --mode fuzz is the wire fuzzer of fuzz.h: many connections, mutated
// packets of every type, counted outcomes.
// Framing modes: garbage, oversized, unknown-packet or hangup-mid-payload,
// or handshake-then-MODE to first complete the HELLO exchange honestly.
// Impostor modes (bad-version, bad-auth-response, silent-after-hello)
// pretend to be the peer without being able to prove it; bitmap modes
// (bitmap-trickle, -disorder, -miscount) make the node exchange bitmaps
// and then send theirs too slowly, out of order or miscounted.
// The other modes (packets.h lists them) first complete the whole
// handshake as an UpToDate Secondary with the node's own UUIDs, so the
// node is Connected, then send one bad verify, remote-read or OUT_OF_SYNC
// packet; verify-digests-* first start a verify the node agrees to (the
// node must be UpToDate with verify-alg ALG, default crc32c), the
// verify-start-* with a bad alg must be refused by VERIFY_REPLY, and
// no-verify-feature connects without offering online verify and passes
// if the node sends no VERIFY_* packet before it closes the connection.
// Every mode needs the resource configured without authentication.
//
// Several modes run one after the other, each on a new connection.
// Output is one line per step, and a line "result MODE: ..." per mode,
// never depending on timing, so a VM test can diff it.  Exit status: 0 if
// every mode passed (the kernel closed the connection within
// kCloseSeconds of the misbehaviour, or refused as expected), 1 if one did
// not or something else failed, 2 for a bad command line.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/program_options.hpp>

#include <rdbd/wire.h>

#include <cerrno>
#include <algorithm>
#include <chrono>
#include <thread>
#include <cstring>
#include <iostream>
#include <sstream>

#include "endpoint.h"
#include "error.h"
#include "fd.h"
#include "fuzz.h"
#include "packets.h"

namespace rdbd::fakepeer {
namespace {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

constexpr int kAcceptSeconds = 60;    // the kernel retries every connect-int
constexpr int kHandshakeSeconds = 10; // its HELLO comes at once
constexpr int kCloseSeconds = 5;      // "a few seconds" to notice
constexpr int kConnectSeconds = 10;   // the node may still tear down
constexpr int kHoldSeconds = 60;      // no-verify-feature: the test ends it

struct Options {
	std::string listen, connect, name, resource, mode;
	std::string verify_alg = "crc32c";
	FuzzOptions fuzz; // --mode fuzz (fuzz.h)
};

void step(const std::string &line)
{
	std::cout << line << std::endl;
}

Error failure(const std::string &what)
{
	return Error(kExitFailure, what + ": " + std::strerror(errno));
}

Endpoint endpoint(const std::string &text)
{
	try {
		if (!text.empty() && text[0] == '[')
			return parse_endpoint({"ipv6", text});
		return parse_endpoint({text});
	} catch (const ValueError &e) {
		throw UsageError("bad address '" + text + "' (expected " +
				 kEndpointSyntax + ")");
	}
}

// Milliseconds to `deadline` for poll(), never negative.
int ms_until(Clock::time_point deadline)
{
	const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
		deadline - Clock::now());
	return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool readable_before(int fd, Clock::time_point deadline)
{
	pollfd p{fd, POLLIN, 0};
	int n;
	while ((n = poll(&p, 1, ms_until(deadline))) < 0 && errno == EINTR)
		;
	if (n < 0)
		throw failure("poll");
	return n > 0;
}

UniqueFd tcp_socket(const Endpoint &e)
{
	UniqueFd fd(socket(e.family, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!fd)
		throw failure("socket");
	return fd;
}

UniqueFd accept_one(const Endpoint &e)
{
	UniqueFd listener = tcp_socket(e);
	const int one = 1;
	setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	const std::vector<uint8_t> sa = e.sockaddr_bytes();
	if (bind(listener.get(), reinterpret_cast<const sockaddr *>(sa.data()),
		 static_cast<socklen_t>(sa.size())) < 0 ||
	    listen(listener.get(), 1) < 0)
		throw failure("listen on " + e.str());
	step("listening on " + e.str());
	const auto deadline =
		Clock::now() + std::chrono::seconds(kAcceptSeconds);
	if (!readable_before(listener.get(), deadline))
		throw Error(kExitFailure,
			    "nobody connected within " +
				    std::to_string(kAcceptSeconds) + " s");
	UniqueFd fd(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
	if (!fd)
		throw failure("accept");
	step("accepted a connection");
	return fd;
}

// Retried while refused: a node that just dropped a connection listens
// again only once it is back in WFConnection.
UniqueFd connect_to(const Endpoint &e)
{
	const std::vector<uint8_t> sa = e.sockaddr_bytes();
	const auto deadline =
		Clock::now() + std::chrono::seconds(kConnectSeconds);
	for (;;) {
		UniqueFd fd = tcp_socket(e);
		if (connect(fd.get(),
			    reinterpret_cast<const sockaddr *>(sa.data()),
			    static_cast<socklen_t>(sa.size())) == 0) {
			step("connected to " + e.str());
			return fd;
		}
		if (errno != ECONNREFUSED || Clock::now() > deadline)
			throw failure("connect to " + e.str());
		usleep(100 * 1000);
	}
}

// False if the peer has already closed: that is what we wait for anyway.
bool send_all(int fd, const Bytes &bytes)
{
	size_t done = 0;
	while (done < bytes.size()) {
		const ssize_t n = send(fd, bytes.data() + done,
				       bytes.size() - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			return false;
		if (n < 0)
			throw failure("send");
		done += static_cast<size_t>(n);
	}
	return true;
}

// `len` bytes; false if the peer closed the connection first.
bool read_exact(int fd, Bytes &b, size_t len, Clock::time_point deadline)
{
	b.resize(len);
	size_t done = 0;
	while (done < len) {
		if (!readable_before(fd, deadline))
			throw Error(kExitFailure, "the peer sent nothing "
						  "within the time limit");
		const ssize_t n = read(fd, b.data() + done, len - done);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return false;
		if (n < 0 && errno != EINTR)
			throw failure("read");
		done += n > 0 ? static_cast<size_t>(n) : 0;
	}
	return true;
}

struct Packet {
	uint16_t cmd;
	Bytes payload;
};

// The next packet; nullopt if the peer closed the connection.
std::optional<Packet> read_packet(int fd, Clock::time_point deadline)
{
	Bytes b;
	if (!read_exact(fd, b, sizeof(rdbd_wire_hdr), deadline))
		return std::nullopt;
	const auto h = parse_header(b);
	if (!h || h->length > RDBD_WIRE_MAX_PAYLOAD)
		throw Error(kExitFailure, "the peer sent a malformed header");
	if (!read_exact(fd, b, h->length, deadline))
		return std::nullopt;
	return Packet{h->cmd, b};
}

// The next packet of type `cmd`, answering PINGs and skipping the rest
// (state reports); an error if the peer closes or sends anything else
// that matters first.
Bytes expect_packet(int fd, uint16_t cmd, const char *name)
{
	const auto deadline =
		Clock::now() + std::chrono::seconds(kHandshakeSeconds);
	for (;;) {
		const auto p = read_packet(fd, deadline);
		if (!p)
			throw Error(kExitFailure,
				    std::string("the peer closed the connection "
						"instead of sending ") +
					name);
		if (p->cmd == cmd)
			return p->payload;
		if (p->cmd == RDBD_P_PING)
			send_all(fd, header(RDBD_P_PING_ACK, 0));
	}
}

// Our honest HELLO, then the kernel's, which must not ask for
// authentication: we cannot answer a challenge.
void handshake(int fd, const Options &o, const Mode &mode)
{
	const uint64_t features = mode.offers_verify ? RDBD_FEAT_VERIFY : 0;
	send_all(fd, hello(o.name, o.resource, features));
	step("sent HELLO (node " + o.name + ", resource " + o.resource +
	     (features ? ", offering online verify)" : ")"));
	const auto deadline =
		Clock::now() + std::chrono::seconds(kHandshakeSeconds);
	const auto p = read_packet(fd, deadline);
	if (!p || p->cmd != RDBD_P_HELLO)
		throw Error(kExitFailure,
			    "the peer's first packet is no HELLO");
	const auto peer = parse_hello(p->payload);
	if (!peer)
		throw Error(kExitFailure, "the peer's HELLO is malformed");
	step("received HELLO (node " + peer->node + ", resource " +
	     peer->resource + ")");
	if (peer->wants_auth)
		throw Error(kExitFailure, "the peer requires authentication; "
					  "configure the resource without "
					  "cram-hmac-alg for this test");
}

// PARAMS and UUIDS both ways: we are the node's UpToDate twin, with
// fewer blocks (kFakeDataBytes), so it is Connected with no sync.
Session exchange_facts(int fd, const Options &o, bool as_primary)
{
	const auto p = parse_params(expect_packet(fd, RDBD_P_PARAMS, "PARAMS"));
	if (!p)
		throw Error(kExitFailure, "the peer's PARAMS are malformed");
	const auto u = uuids_echo(expect_packet(fd, RDBD_P_UUIDS, "UUIDS"), 0,
				  as_primary);
	if (!u)
		throw Error(kExitFailure, "the peer's UUIDS are malformed");
	send_all(fd, params(p->protocol));
	send_all(fd, *u);
	Session s;
	s.sectors = std::min(p->data_bytes, kFakeDataBytes) / 512;
	s.verify_alg = o.verify_alg;
	step("exchanged PARAMS and UUIDS: an UpToDate twin of " +
	     std::to_string(kFakeDataBytes / 1024) + " KiB");
	return s;
}

// An honest VERIFY_START the node must agree to: it is VerifyT then.
void become_verify_source(int fd, const Session &s)
{
	send_all(fd, verify_start(s.verify_alg, s.sectors));
	const auto r = parse_verify_reply(
		expect_packet(fd, RDBD_P_VERIFY_REPLY, "VERIFY_REPLY"));
	if (!r || r->result)
		throw Error(kExitFailure,
			    "the peer refused an honest VERIFY_START (" +
				    (r ? errno_name(r->result) : "malformed") +
				    "): is it UpToDate with verify-alg " +
				    s.verify_alg + "?");
	step("sent VERIFY_START (" + s.verify_alg + ", " +
	     std::to_string(s.sectors) + " sectors): agreed");
}

// Reads and drops what the kernel still sends until it closes the
// connection (true) or `deadline` passes (false).
bool closed_before(int fd, Clock::time_point deadline)
{
	char buf[4096];
	while (readable_before(fd, deadline)) {
		const ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return true;
		if (n < 0 && errno != EINTR)
			throw failure("read");
	}
	return false;
}

bool closed_by_peer(int fd)
{
	return closed_before(fd, Clock::now() +
					 std::chrono::seconds(kCloseSeconds));
}

// Expect::VerifyRefusal: the node answers the bad VERIFY_START.
bool verify_refused(int fd, const std::string &name)
{
	const auto r = parse_verify_reply(
		expect_packet(fd, RDBD_P_VERIFY_REPLY, "VERIFY_REPLY"));
	if (!r || !r->result) {
		step("result " + name + ": the peer " +
		     (r ? "agreed" : "sent a malformed VERIFY_REPLY") +
		     ": FAIL");
		return false;
	}
	step("result " + name + ": refused with " + errno_name(r->result) +
	     " (its alg " + r->alg + ")");
	return true;
}

// Expect::NoVerify: hold the connection, answering PINGs, until the node
// closes it; it must not send a VERIFY_* packet meanwhile.
bool no_verify_until_closed(int fd, const std::string &name)
{
	const auto deadline =
		Clock::now() + std::chrono::seconds(kHoldSeconds);
	while (const auto p = read_packet(fd, deadline)) {
		if (p->cmd >= RDBD_P_VERIFY_START &&
		    p->cmd <= RDBD_P_VERIFY_DONE) {
			std::ostringstream what;
			what << "result " << name << ": the peer sent verify "
			     << "packet 0x" << std::hex << p->cmd << ": FAIL";
			step(what.str());
			return false;
		}
		if (p->cmd == RDBD_P_PING)
			send_all(fd, header(RDBD_P_PING_ACK, 0));
	}
	step("result " + name + ": no verify packet before the peer closed "
				"the connection");
	return true;
}

// The node closed the connection within `seconds`: the expected end.
bool dropped_within(int fd, const std::string &name, int seconds)
{
	if (closed_before(fd, Clock::now() + std::chrono::seconds(seconds))) {
		step("result " + name + ": dropped");
		return true;
	}
	step("result " + name + ": NOT dropped within " +
	     std::to_string(seconds) + " s");
	return false;
}

bool impostor(const Mode &mode)
{
	return mode.what == Misbehaviour::BadVersion ||
	       mode.what == Misbehaviour::BadAuthResponse ||
	       mode.what == Misbehaviour::SilentAfterHello;
}

// A peer that is not who it claims: the node must drop it (and, the test
// checks, neither freeze its writes nor give up on the real peer).
bool run_impostor(int fd, const Options &o, const Mode &mode)
{
	const bool auth = mode.what != Misbehaviour::BadVersion;
	const uint32_t version = auth ? RDBD_WIRE_PROTO_MAX : 1;

	send_all(fd, hello_claiming(o.name, o.resource, version, version, auth));
	if (mode.what == Misbehaviour::BadVersion) {
		step("sent HELLO claiming protocol version 1 only");
	} else if (mode.what == Misbehaviour::SilentAfterHello) {
		step("sent HELLO asking for authentication, then nothing");
	} else {
		expect_packet(fd, RDBD_P_HELLO, "HELLO");
		expect_packet(fd, RDBD_P_AUTH_CHALLENGE, "AUTH_CHALLENGE");
		send_all(fd, auth_challenge());
		send_all(fd, auth_response_wrong());
		step("sent HELLO asking for authentication, a challenge and "
		     "a wrong response to the node's");
	}
	return dropped_within(fd, mode.name, kHandshakeSeconds);
}

constexpr int kTrickleSeconds = 40;	// the node must give up before
constexpr int kTrickleMs = 500;		// between two bitmap blocks

// Valid bitmap blocks from `first` on, one every kTrickleMs, until the
// node closes the connection or kTrickleSeconds passed.
bool trickle(int fd, const std::string &name, uint64_t first)
{
	const auto end = Clock::now() + std::chrono::seconds(kTrickleSeconds);
	for (uint64_t i = first; Clock::now() < end; i++) {
		if (!send_all(fd, bitmap_block(i)) ||
		    closed_before(fd, Clock::now() + std::chrono::milliseconds(
							     kTrickleMs))) {
			step("result " + name + ": dropped");
			return true;
		}
	}
	step("result " + name + ": NOT dropped within " +
	     std::to_string(kTrickleSeconds) + " s");
	return false;
}

// The same data as the node with a block marked: it exchanges bitmaps,
// and ours misbehaves.  `node_dials`: it sends its bitmap first.
bool run_bitmap_attack(int fd, const Options &o, const Mode &mode,
		       bool node_dials)
{
	handshake(fd, o, mode);
	const auto p = parse_params(expect_packet(fd, RDBD_P_PARAMS, "PARAMS"));
	const auto u = uuids_echo(expect_packet(fd, RDBD_P_UUIDS, "UUIDS"), 1);
	if (!p || !u)
		throw Error(kExitFailure, "the peer's PARAMS or UUIDS are "
					  "malformed");
	send_all(fd, params(p->protocol, kBitmapAttackDataBytes));
	send_all(fd, *u);
	step("exchanged PARAMS and UUIDS: the same data, a block marked");
	if (node_dials) {
		expect_packet(fd, RDBD_P_BITMAP_DONE, "its BITMAP_DONE");
		step("received the node's bitmap");
	}
	switch (mode.what) {
	case Misbehaviour::BitmapTrickle:
		step("sending valid bitmap blocks, one every " +
		     std::to_string(kTrickleMs) + " ms");
		return trickle(fd, mode.name, 0);
	case Misbehaviour::BitmapDisorder:
		send_all(fd, bitmap_block(1));
		send_all(fd, bitmap_block(0));
		step("sent bitmap block 1, then block 0, then more, slowly");
		return trickle(fd, mode.name, 2);
	default:
		send_all(fd, bitmap_block(0));
		send_all(fd, bitmap_done(5));
		step("sent a bitmap block with 1 bit and BITMAP_DONE "
		     "counting 5");
		return dropped_within(fd, mode.name, kCloseSeconds);
	}
}

bool run_mode(const Options &o, const Mode &mode)
{
	const UniqueFd fd = o.listen.empty() ? connect_to(endpoint(o.connect))
					     : accept_one(endpoint(o.listen));
	Session session;
	if (mode.stage == Stage::Bitmap)
		return run_bitmap_attack(fd.get(), o, mode, !o.listen.empty());
	if (impostor(mode))
		return run_impostor(fd.get(), o, mode);
	if (mode.stage >= Stage::Hello)
		handshake(fd.get(), o, mode);
	if (mode.stage >= Stage::Connected)
		session = exchange_facts(fd.get(), o, mode.as_primary);
	if (mode.stage >= Stage::VerifyTarget)
		become_verify_source(fd.get(), session);
	const Attack a = attack(mode, o.name, o.resource, session);
	const bool sent = send_all(fd.get(), a.bytes);
	step("sent " + a.description);
	if (a.unread_seconds)
		std::this_thread::sleep_for(
			std::chrono::seconds(a.unread_seconds));
	if (a.hang_up)
		shutdown(fd.get(), SHUT_WR);
	if (mode.expect == Expect::VerifyRefusal)
		return verify_refused(fd.get(), mode.name);
	if (mode.expect == Expect::NoVerify)
		return no_verify_until_closed(fd.get(), mode.name);
	if (!sent || closed_by_peer(fd.get())) {
		step("the peer closed the connection: PASS");
		step("result " + mode.name + ": dropped");
		return true;
	}
	step("the peer kept the connection open for " +
	     std::to_string(kCloseSeconds) + " s: FAIL");
	step("result " + mode.name + ": NOT dropped");
	return false;
}

std::vector<Mode> parse_modes(const std::string &list)
{
	std::vector<Mode> modes;
	std::istringstream in(list);
	std::string name;
	while (std::getline(in, name, ',')) {
		const std::optional<Mode> mode = parse_mode(name);
		if (!mode)
			throw UsageError("unknown mode '" + name +
					 "' (expected " + mode_names() + ")");
		modes.push_back(*mode);
	}
	if (modes.empty())
		throw UsageError("no mode given (expected " + mode_names() +
				 ")");
	return modes;
}

int run(Options &o)
{
	if (o.mode == "fuzz") {
		if (o.connect.empty())
			throw UsageError("--mode fuzz needs --connect");
		o.fuzz.connect = o.connect;
		o.fuzz.name = o.name;
		o.fuzz.resource = o.resource;
		o.fuzz.verify_alg = o.verify_alg;
		return run_fuzz(o.fuzz);
	}
	const std::vector<Mode> modes = parse_modes(o.mode);
	if (!digest_size(o.verify_alg))
		throw UsageError("unknown verify-alg '" + o.verify_alg +
				 "' (expected crc32c or sha256)");
	bool ok = true;
	for (const Mode &mode : modes)
		ok = run_mode(o, mode) && ok;
	return ok ? kExitOk : kExitFailure;
}

Options parse_options(int argc, char **argv)
{
	Options o;
	po::options_description d("rdbd-fakepeer options");
	d.add_options()("listen", po::value(&o.listen),
			"wait for the node at ADDR:PORT")(
		"connect", po::value(&o.connect),
		"connect to the node at ADDR:PORT")(
		"name", po::value(&o.name)->required(),
		"this fake node's name")("resource",
					 po::value(&o.resource)->required(),
					 "resource name")(
		"mode", po::value(&o.mode)->required(),
		("one or more of, comma-separated: " + mode_names())
			.c_str())("verify-alg", po::value(&o.verify_alg),
				  "the node's verify-alg (default crc32c)");
	d.add_options()("seed", po::value(&o.fuzz.seed),
			"--mode fuzz: the generator's seed (default 1)")(
		"packets", po::value(&o.fuzz.packets),
		"--mode fuzz: mutated packets to send (default 10000)")(
		"max-seconds", po::value(&o.fuzz.max_seconds),
		"--mode fuzz: stop after this long (default 600)")(
		"hmac-alg", po::value(&o.fuzz.hmac_alg),
		"--mode fuzz: the node's cram-hmac-alg")(
		"secret", po::value(&o.fuzz.secret),
		"--mode fuzz: the node's shared-secret");
	po::variables_map vm;
	try {
		po::store(po::parse_command_line(argc, argv, d), vm);
		po::notify(vm);
	} catch (const po::error &e) {
		std::ostringstream usage;
		usage << e.what() << "\n" << d;
		throw UsageError(usage.str());
	}
	if (o.listen.empty() == o.connect.empty())
		throw UsageError("give exactly one of --listen and --connect");
	return o;
}

} // namespace
} // namespace rdbd::fakepeer

int main(int argc, char **argv)
{
	using namespace rdbd;
	try {
		fakepeer::Options o = fakepeer::parse_options(argc, argv);
		return fakepeer::run(o);
	} catch (const Error &e) {
		std::cerr << "rdbd-fakepeer: " << e.what() << '\n';
		return e.exit_code();
	}
}
