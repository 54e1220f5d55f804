#include "fuzz.h"

#include <endian.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rdbd/genl.h>
#include <rdbd/wire.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "endpoint.h"
#include "error.h"
#include "fd.h"
#include "fuzz_packets.h"

namespace rdbd::fakepeer {
namespace {

using namespace fuzz;
using Clock = std::chrono::steady_clock;

// Longer than the node's ping-int + timeout in the tests: a node that
// neither answers our PING nor closes by then is stuck.
constexpr int kStallSeconds = 8;
// A node that refused us for good (StandAlone) listens again only when
// its admin reconnects it: the VM test does, on an event.
constexpr int kConnectSeconds = 60;
constexpr int kStepSeconds = 5; // a handshake packet the node owes us
constexpr uint64_t kMaxStream = 48; // packets on one connection
constexpr uint64_t kProbeEvery = 8; // honest packets between two PINGs

Clock::time_point after(int seconds)
{
	return Clock::now() + std::chrono::seconds(seconds);
}

int ms_until(Clock::time_point t)
{
	const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
		t - Clock::now());
	return ms.count() > 0 ? static_cast<int>(ms.count()) : 0;
}

struct Received {
	uint16_t cmd;
	Bytes payload;
};

// One TCP connection to the node, non-blocking so that a large send never
// waits on a node that is itself blocked sending to us.  The node's PINGs
// are answered between our packets.
class Link {
public:
	explicit Link(UniqueFd fd) : fd_(std::move(fd))
	{
		fcntl(fd_.get(), F_SETFL, O_NONBLOCK);
	}
	// False once the node has closed the connection.
	bool send(const Bytes &b);
	// The next packet that is no PING; nullopt if the node closed the
	// connection or `deadline` passed (then timed_out()).
	std::optional<Received> receive(Clock::time_point deadline);
	void hang_up() { shutdown(fd_.get(), SHUT_WR); }
	bool closed() const { return closed_; }
	bool timed_out() const { return timed_out_; }
	uint64_t packets_sent = 0;

private:
	bool wait(short events, Clock::time_point deadline);
	void read_available();
	std::optional<Received> take();
	bool answer_pings();

	UniqueFd fd_;
	Bytes in_;
	unsigned pings_owed_ = 0;
	bool closed_ = false, timed_out_ = false;
};

bool Link::wait(short events, Clock::time_point deadline)
{
	pollfd p{fd_.get(), events, 0};
	int n;
	while ((n = poll(&p, 1, ms_until(deadline))) < 0 && errno == EINTR)
		;
	if (n < 0)
		throw Error(kExitFailure, std::string("poll: ") + strerror(errno));
	return n > 0;
}

void Link::read_available()
{
	uint8_t buf[65536];
	for (;;) {
		const ssize_t n = read(fd_.get(), buf, sizeof(buf));
		if (n > 0) {
			in_.insert(in_.end(), buf, buf + n);
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			closed_ = true;
		if (n == 0 || errno != EINTR)
			return;
	}
}

// A whole packet from the input buffer; a PING is counted and skipped.
std::optional<Received> Link::take()
{
	while (in_.size() >= sizeof(rdbd_wire_hdr)) {
		const auto h = parse_header(
			Bytes(in_.begin(), in_.begin() + sizeof(rdbd_wire_hdr)));
		if (!h)
			throw Error(kExitFailure, "the node sent a bad header");
		const size_t total = sizeof(rdbd_wire_hdr) + h->length;
		if (in_.size() < total)
			return std::nullopt;
		Received r{h->cmd, Bytes(in_.begin() + sizeof(rdbd_wire_hdr),
					 in_.begin() + total)};
		in_.erase(in_.begin(), in_.begin() + total);
		if (r.cmd != RDBD_P_PING)
			return r;
		pings_owed_++;
	}
	return std::nullopt;
}

bool Link::answer_pings()
{
	while (pings_owed_) {
		pings_owed_--;
		if (!send(header(RDBD_P_PING_ACK, 0)))
			return false;
	}
	return true;
}

bool Link::send(const Bytes &b)
{
	size_t done = 0;
	const auto deadline = after(kStallSeconds);
	while (!closed_ && done < b.size()) {
		const ssize_t n = ::send(fd_.get(), b.data() + done,
					 b.size() - done, MSG_NOSIGNAL);
		if (n > 0) {
			done += static_cast<size_t>(n);
			continue;
		}
		if (errno == EPIPE || errno == ECONNRESET) {
			closed_ = true;
			break;
		}
		if (errno != EAGAIN && errno != EINTR)
			throw Error(kExitFailure,
				    std::string("send: ") + strerror(errno));
		// Full: take what the node sends meanwhile, it may be waiting
		// for room itself.
		if (!wait(POLLOUT | POLLIN, deadline)) {
			timed_out_ = true;
			return false;
		}
		read_available();
	}
	if (closed_)
		return false;
	packets_sent++;
	return true;
}

std::optional<Received> Link::receive(Clock::time_point deadline)
{
	for (;;) {
		std::optional<Received> r = take();
		if (!answer_pings())
			return std::nullopt;
		if (r)
			return r;
		if (closed_)
			return std::nullopt;
		if (!wait(POLLIN, deadline)) {
			timed_out_ = true;
			return std::nullopt;
		}
		read_available();
	}
}

UniqueFd connect_to(const Endpoint &e)
{
	const std::vector<uint8_t> sa = e.sockaddr_bytes();
	const auto deadline = after(kConnectSeconds);
	for (;;) {
		UniqueFd fd(socket(e.family, SOCK_STREAM | SOCK_CLOEXEC, 0));
		if (!fd)
			throw Error(kExitFailure, "socket failed");
		if (connect(fd.get(), reinterpret_cast<const sockaddr *>(sa.data()),
			    static_cast<socklen_t>(sa.size())) == 0)
			return fd;
		if (Clock::now() > deadline)
			throw Error(kExitFailure,
				    "the node at " + e.str() +
					    " accepted no connection for " +
					    std::to_string(kConnectSeconds) +
					    " s: " + strerror(errno));
		usleep(20 * 1000);
	}
}

// Where a connection's one handshake mutation goes, or none: the stream.
enum class Stage { Hello, Auth, Params, Uuids, Bitmap, Stream };
const char *const kStageNames[] = {"hello", "auth", "params", "uuids",
				   "bitmap", "stream"};

enum Outcome { kHandled, kDropped, kStalled, kOutcomes };

struct Counts {
	uint64_t mutated = 0, connections = 0, node_drops = 0, hangups = 0;
	uint64_t by_kind[kMutationKinds][kOutcomes] = {};
	uint64_t by_stage[6][kOutcomes] = {};
	uint64_t honest[kOutcomes] = {};
	std::map<std::string, uint64_t> by_type; // mutated packets per type
	uint64_t findings = 0;
};

class Fuzzer {
public:
	Fuzzer(const FuzzOptions &o, const Endpoint &node)
		: o_(o), node_(node), rng_(o.seed)
	{
	}
	void connection();
	const Counts &counts() const { return c_; }
	uint64_t packets_sent() const { return sent_; }

private:
	bool send(const WirePacket &p, bool mutate_it);
	bool settle();
	bool probe();
	bool handshake();
	bool auth();
	bool facts();
	bool bitmap_exchange();
	void stream();
	void finding(const std::string &what);

	const FuzzOptions &o_;
	Endpoint node_;
	Rng rng_;
	Counts c_;
	uint64_t sent_ = 0;
	std::optional<Link> link_;
	Stage stage_ = Stage::Stream;
	Knowledge k_;
	bool sync_expected_ = false;
	// The mutated packet whose fate the next probe tells, if any.
	std::optional<MutationKind> pending_;
	std::string pending_text_;
};

void Fuzzer::finding(const std::string &what)
{
	c_.findings++;
	std::cout << "finding: connection " << c_.connections << " ("
		  << kStageNames[static_cast<int>(stage_)] << "): " << what
		  << std::endl;
}

// Sends `p`, mutated if asked; false if the node has closed.
bool Fuzzer::send(const WirePacket &p, bool mutate_it)
{
	if (!mutate_it)
		return link_->send(frame(p));
	const Mutation m = mutate(p, k_, rng_);
	c_.mutated++;
	c_.by_type[packet_name(p.cmd)]++;
	pending_ = m.kind;
	pending_text_ = packet_name(p.cmd) + " " + mutation_name(m.kind) +
			(m.detail.empty() ? "" : " (" + m.detail + ")");
	return link_->send(m.bytes);
}

// Counts the outcome of the pending mutation (or of the honest packets
// since the last probe) from the link's state; false if it is over.
bool Fuzzer::settle()
{
	const Outcome o = link_->timed_out() ? kStalled
			  : link_->closed()  ? kDropped
					     : kHandled;
	if (pending_) {
		c_.by_kind[static_cast<int>(*pending_)][o]++;
		c_.by_stage[static_cast<int>(stage_)][o]++;
	} else {
		c_.honest[o]++;
	}
	if (o == kStalled)
		finding("the node neither went on nor closed the "
			"connection in time after " +
			(pending_ ? pending_text_ : std::string("honest packets")));
	if (o == kDropped)
		c_.node_drops++;
	pending_.reset();
	return o == kHandled;
}

// A PING; true once its PING_ACK is back.
bool Fuzzer::probe()
{
	if (link_->send(header(RDBD_P_PING, 0))) {
		const auto deadline = after(kStallSeconds);
		while (const auto r = link_->receive(deadline))
			if (r->cmd == RDBD_P_PING_ACK)
				return settle();
	}
	return settle();
}

// The node's next packet of type `cmd`, skipping others; nullopt (and the
// outcome settled) if it closes or falls silent first.
std::optional<Bytes> expect(Link &l, uint16_t cmd)
{
	const auto deadline = after(kStepSeconds);
	while (const auto r = l.receive(deadline))
		if (r->cmd == cmd)
			return r->payload;
	return std::nullopt;
}

// HMAC(secret, challenge || our name), as wire.h describes.
Bytes auth_response(const FuzzOptions &o, const Bytes &challenge)
{
	const EVP_MD *md = EVP_get_digestbyname(o.hmac_alg.c_str());
	if (!md)
		throw UsageError("unknown --hmac-alg '" + o.hmac_alg + "'");
	Bytes msg = challenge;
	msg.insert(msg.end(), o.name.begin(), o.name.end());
	rdbd_p_auth_response r{};
	unsigned len = 0;
	HMAC(md, o.secret.data(), static_cast<int>(o.secret.size()), msg.data(),
	     msg.size(), r.digest, &len);
	r.digest_len = htobe32(len);
	const auto *p = reinterpret_cast<const uint8_t *>(&r);
	return Bytes(p, p + sizeof(r));
}

bool Fuzzer::auth()
{
	if (o_.hmac_alg.empty())
		throw UsageError("the node requires authentication: give "
				 "--hmac-alg and --secret");
	const int target = stage_ == Stage::Auth ? static_cast<int>(rng_.below(3))
						 : -1;
	Knowledge none;
	if (!send(valid_packet(RDBD_P_AUTH_CHALLENGE, none, rng_), target == 0))
		return false;
	const auto challenge = expect(*link_, RDBD_P_AUTH_CHALLENGE);
	if (!challenge || challenge->size() < RDBD_WIRE_CHALLENGE_LEN)
		return false;
	const Bytes mine(challenge->begin(),
			 challenge->begin() + RDBD_WIRE_CHALLENGE_LEN);
	if (!send({RDBD_P_AUTH_RESPONSE, auth_response(o_, mine)}, target == 1))
		return false;
	if (!expect(*link_, RDBD_P_AUTH_RESPONSE))
		return false;
	if (!send(valid_packet(RDBD_P_AUTH_RESULT, none, rng_), target == 2))
		return false;
	return expect(*link_, RDBD_P_AUTH_RESULT).has_value();
}

// PARAMS and UUIDS both ways: an UpToDate twin of the node, with blocks
// marked on the bitmap stage so that a bitmap exchange follows.
bool Fuzzer::facts()
{
	const auto p = expect(*link_, RDBD_P_PARAMS);
	const auto pp = p ? parse_params(*p) : std::nullopt;
	const auto u = pp ? expect(*link_, RDBD_P_UUIDS) : std::nullopt;
	if (!u || u->size() != sizeof(rdbd_p_uuids))
		return false;
	rdbd_p_uuids theirs;
	std::memcpy(&theirs, u->data(), sizeof(theirs));
	for (int i = 0; i < 4; i++)
		k_.node_uuids[i] = be64toh(theirs.uuid[i]);
	k_.sectors = std::min(pp->data_bytes, kFakeDataBytes) / 512;
	const Bytes framed = params(pp->protocol);
	if (!send({RDBD_P_PARAMS,
		   Bytes(framed.begin() + sizeof(rdbd_wire_hdr), framed.end())},
		  stage_ == Stage::Params))
		return false;
	WirePacket ours = valid_packet(RDBD_P_UUIDS, k_, rng_);
	const uint64_t bits = stage_ == Stage::Bitmap ? 1 + rng_.below(8) : 0;
	reinterpret_cast<rdbd_p_uuids *>(ours.payload.data())->bits_set =
		htobe64(bits);
	sync_expected_ = theirs.disk_state <= RDBD_DISK_INCONSISTENT ||
			 theirs.bits_set || bits;
	return send(ours, stage_ == Stage::Uuids);
}

// The node does not dial (it accepts), so it receives our bitmap first,
// then sends its own; we are the sync source and send SYNC_UUID.
bool Fuzzer::bitmap_exchange()
{
	const bool mutating = stage_ == Stage::Bitmap;
	const int target = mutating ? static_cast<int>(rng_.below(2)) : -1;
	if (mutating && !send(fuzz::bitmap_block((rng_.next() & rng_.next()) | 1),
			  target == 0))
		return false;
	if (!send(fuzz::bitmap_done(0), target == 1))
		return false;
	if (!expect(*link_, RDBD_P_BITMAP_DONE))
		return false;
	return send(fuzz::sync_uuid(rng_.next()), false);
}

bool Fuzzer::handshake()
{
	const uint64_t features = RDBD_FEAT_VERIFY | RDBD_FEAT_RS_BATCH;
	Bytes h = hello(o_.name, o_.resource, features);
	if (!o_.hmac_alg.empty())
		reinterpret_cast<rdbd_p_hello *>(h.data() + sizeof(rdbd_wire_hdr))
			->flags = htobe32(RDBD_HELLO_F_AUTH);
	if (!send({RDBD_P_HELLO, Bytes(h.begin() + sizeof(rdbd_wire_hdr), h.end())},
		  stage_ == Stage::Hello))
		return false;
	const auto theirs = expect(*link_, RDBD_P_HELLO);
	if (!theirs)
		return false;
	const auto peer = parse_hello(*theirs);
	if (peer && peer->wants_auth && !auth())
		return false;
	if (!facts())
		return false;
	return !sync_expected_ || bitmap_exchange();
}

// Honest packets a Connected Secondary takes without a word: between two
// mutations the stream sends these, so that a connection lives long
// enough for several mutations.  (Every other type is valid in some
// state only: an ack for a request never made ends the connection.)
const std::vector<uint16_t> kBenignIds = {
	RDBD_P_PING,	      RDBD_P_PING_ACK,	  RDBD_P_STATE,
	RDBD_P_STATE_CHG_REPLY, RDBD_P_DATA,	  RDBD_P_READ_REQ,
	RDBD_P_OUT_OF_SYNC,   RDBD_P_SYNC_PAUSE,
};

void Fuzzer::stream()
{
	const auto &ids = stream_packet_ids();
	const uint64_t n = 1 + rng_.below(kMaxStream);
	uint64_t unprobed = 0;
	for (uint64_t i = 0; i < n && c_.mutated < o_.packets; i++) {
		// Mutated: any type.  Honest: one the node takes, and
		// now and then any type, to reach other states.
		const bool mutate_it = rng_.one_in(2);
		if (mutate_it && unprobed && !probe())
			return;
		if (mutate_it)
			unprobed = 0;
		const uint16_t cmd =
			mutate_it || rng_.one_in(16)
				? ids[rng_.below(ids.size())]
				: kBenignIds[rng_.below(kBenignIds.size())];
		const WirePacket p = valid_packet(cmd, k_, rng_);
		if (!send(p, mutate_it))
			break;
		if (mutate_it || ++unprobed == kProbeEvery) {
			unprobed = 0;
			if (!probe())
				return;
		}
	}
	if (unprobed && !probe())
		return;
	if (!link_->closed()) {
		link_->hang_up();
		c_.hangups++;
		const auto deadline = after(kStallSeconds);
		while (link_->receive(deadline))
			;
		if (link_->timed_out())
			finding("the node kept the connection for " +
				std::to_string(kStallSeconds) +
				" s after we hung up");
	}
}

void Fuzzer::connection()
{
	c_.connections++;
	const uint64_t pick = rng_.below(20);
	stage_ = pick < 10 ? Stage::Stream : static_cast<Stage>(pick % 5);
	if (stage_ == Stage::Auth && o_.hmac_alg.empty())
		stage_ = Stage::Stream;
	link_.emplace(connect_to(node_));
	if (!handshake()) {
		if (!link_->closed() && !link_->timed_out())
			finding("the handshake went wrong on our side");
		settle();
	} else if (probe()) {
		stream();
	}
	sent_ += link_->packets_sent;
	link_.reset();
}

void print_counts(const Counts &c, uint64_t sent, long seconds)
{
	std::cout << "fuzz: sent " << sent << " packets (" << c.mutated
		  << " mutated) on " << c.connections << " connections in "
		  << seconds << " s" << std::endl;
	std::cout << "fuzz: disconnects: " << c.node_drops
		  << " by the node, " << c.hangups << " by us" << std::endl;
	std::cout << "fuzz: outcomes (handled/dropped/stalled) per mutation:";
	for (int k = 0; k < kMutationKinds; k++)
		std::cout << " " << mutation_name(static_cast<MutationKind>(k))
			  << " " << c.by_kind[k][kHandled] << "/"
			  << c.by_kind[k][kDropped] << "/"
			  << c.by_kind[k][kStalled];
	std::cout << std::endl << "fuzz: outcomes per stage:";
	for (int s = 0; s < 6; s++)
		std::cout << " " << kStageNames[s] << " "
			  << c.by_stage[s][kHandled] << "/"
			  << c.by_stage[s][kDropped] << "/"
			  << c.by_stage[s][kStalled];
	std::cout << std::endl
		  << "fuzz: honest packets' probes: " << c.honest[kHandled] << "/"
		  << c.honest[kDropped] << "/" << c.honest[kStalled] << std::endl;
	std::cout << "fuzz: packet types mutated: " << c.by_type.size() << " of "
		  << stream_packet_ids().size() << std::endl;
}

} // namespace

int run_fuzz(const FuzzOptions &o)
{
	Endpoint node;
	try {
		node = parse_endpoint({o.connect});
	} catch (const ValueError &) {
		throw UsageError("bad address '" + o.connect + "'");
	}
	std::cout << "fuzz: seed " << o.seed << ", " << o.packets
		  << " mutated packets or " << o.max_seconds << " s, node "
		  << node.str() << std::endl;
	Fuzzer f(o, node);
	const auto start = Clock::now();
	const auto stop = start + std::chrono::seconds(o.max_seconds);
	while (f.counts().mutated < o.packets && Clock::now() < stop)
		f.connection();
	const long seconds = static_cast<long>(
		std::chrono::duration_cast<std::chrono::seconds>(Clock::now() -
								 start)
			.count());
	print_counts(f.counts(), f.packets_sent(), seconds);
	const bool enough = f.counts().mutated >= o.packets;
	if (!enough)
		std::cout << "fuzz: only " << f.counts().mutated
			  << " mutated packets within " << o.max_seconds << " s"
			  << std::endl;
	const bool pass = enough && !f.counts().findings;
	std::cout << "result fuzz: " << (pass ? "PASS" : "FAIL") << std::endl;
	return pass ? kExitOk : kExitFailure;
}

} // namespace rdbd::fakepeer
