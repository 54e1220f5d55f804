// rdbd-fakepeer: a hostile peer for rdbd.ko's replication link.  It
// connects to (or accepts a connection from) a node in WFConnection,
// misbehaves in one chosen way, and checks that the kernel drops the
// connection instead of trusting it:
//
//   rdbd-fakepeer --listen ADDR:PORT | --connect ADDR:PORT
//                 --name NODE --resource RES --mode MODE
//
// MODE is garbage, oversized, unknown-packet or hangup-mid-payload, or
// handshake-then-MODE to first complete the HELLO exchange honestly (the
// resource must then be configured without authentication).  Output is
// one line per step and never depends on timing, so a VM test can diff it.
// Exit status: 0 if the kernel closed the connection (EOF or reset)
// within kCloseSeconds of the misbehaviour, 1 if it did not or something
// else failed, 2 for a bad command line.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/program_options.hpp>

#include <rdbd/wire.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <sstream>

#include "endpoint.h"
#include "error.h"
#include "fd.h"
#include "packets.h"

namespace rdbd::fakepeer {
namespace {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

constexpr int kAcceptSeconds = 60;    // the kernel retries every connect-int
constexpr int kHandshakeSeconds = 10; // its HELLO comes at once
constexpr int kCloseSeconds = 5;      // "a few seconds" to notice

struct Options {
	std::string listen, connect, name, resource, mode;
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

UniqueFd connect_to(const Endpoint &e)
{
	UniqueFd fd = tcp_socket(e);
	const std::vector<uint8_t> sa = e.sockaddr_bytes();
	if (connect(fd.get(), reinterpret_cast<const sockaddr *>(sa.data()),
		    static_cast<socklen_t>(sa.size())) < 0)
		throw failure("connect to " + e.str());
	step("connected to " + e.str());
	return fd;
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

Bytes read_exact(int fd, size_t len, Clock::time_point deadline)
{
	Bytes b(len);
	size_t done = 0;
	while (done < len) {
		if (!readable_before(fd, deadline))
			throw Error(kExitFailure, "the peer sent no HELLO");
		const ssize_t n = read(fd, b.data() + done, len - done);
		if (n == 0 || (n < 0 && errno != EINTR))
			throw Error(kExitFailure, "the peer closed the "
						  "connection during the "
						  "handshake");
		done += n > 0 ? static_cast<size_t>(n) : 0;
	}
	return b;
}

// Our honest HELLO, then the kernel's, which must not ask for
// authentication: we cannot answer a challenge.
void handshake(int fd, const Options &o)
{
	send_all(fd, hello(o.name, o.resource));
	step("sent HELLO (node " + o.name + ", resource " + o.resource + ")");
	const auto deadline =
		Clock::now() + std::chrono::seconds(kHandshakeSeconds);
	const auto h =
		parse_header(read_exact(fd, sizeof(rdbd_wire_hdr), deadline));
	if (!h || h->cmd != RDBD_P_HELLO || h->length != sizeof(rdbd_p_hello))
		throw Error(kExitFailure,
			    "the peer's first packet is no HELLO");
	const auto peer = parse_hello(read_exact(fd, h->length, deadline));
	step("received HELLO (node " + peer->node + ", resource " +
	     peer->resource + ")");
	if (peer->wants_auth)
		throw Error(kExitFailure, "the peer requires authentication; "
					  "configure the resource without "
					  "cram-hmac-alg for this test");
}

// Reads and drops what the kernel still sends until it closes the
// connection or the time is up.
bool closed_by_peer(int fd)
{
	const auto deadline =
		Clock::now() + std::chrono::seconds(kCloseSeconds);
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

int run(const Options &o)
{
	const std::optional<Mode> mode = parse_mode(o.mode);
	if (!mode)
		throw UsageError("unknown mode '" + o.mode + "' (expected " +
				 mode_names() + ")");
	const UniqueFd fd = o.listen.empty() ? connect_to(endpoint(o.connect))
					     : accept_one(endpoint(o.listen));
	if (mode->after_handshake)
		handshake(fd.get(), o);
	const Attack a = attack(*mode, o.name, o.resource);
	const bool sent = send_all(fd.get(), a.bytes);
	step("sent " + a.description);
	if (a.hang_up)
		shutdown(fd.get(), SHUT_WR);
	if (!sent || closed_by_peer(fd.get())) {
		step("the peer closed the connection: PASS");
		return kExitOk;
	}
	step("the peer kept the connection open for " +
	     std::to_string(kCloseSeconds) + " s: FAIL");
	return kExitFailure;
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
		"mode", po::value(&o.mode)->required(), mode_names().c_str());
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
		return fakepeer::run(fakepeer::parse_options(argc, argv));
	} catch (const Error &e) {
		std::cerr << "rdbd-fakepeer: " << e.what() << '\n';
		return e.exit_code();
	}
}
