#include "hb_control.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "error.h"
#include "hb_daemon.h"
#include "hb_text.h"

namespace rdbd::hb {

namespace {

constexpr size_t kMaxRequest = 256;
// A local client writes its line at once; one that does not is dropped.
constexpr auto kRequestTimeout = std::chrono::seconds(1);
// An answer the client does not read (full socket buffer) is retried
// this often, and given up after kWriteTimeout.
constexpr auto kWriteRetry = std::chrono::milliseconds(20);
constexpr auto kWriteTimeout = std::chrono::seconds(2);

sockaddr_un socket_address(const std::string &path)
{
	sockaddr_un a{};
	a.sun_family = AF_UNIX;
	if (path.size() >= sizeof(a.sun_path))
		throw Error(kExitUsage, "socket path too long: " + path);
	memcpy(a.sun_path, path.c_str(), path.size() + 1);
	return a;
}

} // namespace

struct ControlServer::Client {
	UniqueFd fd;
	bool root = false;	// SO_PEERCRED: the client runs as uid 0
	uint64_t serial = 0;	// tells a reused fd from this client
	std::string request;
	bool answering = false; // the request is complete
	std::string out;	// answer not yet written
	Clock::time_point deadline;
	std::optional<EventLoop::TimerId> timer;
	std::optional<uint64_t> subscription; // `events`: open until it closes
};

ControlServer::ControlServer(EventLoop &loop, std::string path, Daemon &daemon,
			     const std::string &group_name)
	: loop_(loop), path_(std::move(path)), daemon_(daemon)
{
	const sockaddr_un a = socket_address(path_);
	listener_ = UniqueFd(
		socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
	unlink(path_.c_str());
	const mode_t old = umask(077);
	const int rc = bind(listener_.get(), reinterpret_cast<const sockaddr *>(&a),
			    sizeof(a));
	umask(old);
	if (rc != 0 || listen(listener_.get(), 8) != 0)
		throw Error(kExitFailure, "control socket " + path_ + ": " +
						  strerror(errno));
	// Monitoring may look: the group reads status and events.
	if (const struct group *gr = group_name.empty()
					     ? nullptr
					     : getgrnam(group_name.c_str())) {
		if (chown(path_.c_str(), 0, gr->gr_gid) != 0 ||
		    chmod(path_.c_str(), 0660) != 0)
			throw Error(kExitFailure, "control socket " + path_ +
							  ": cannot give it to group " +
							  group_name + ": " +
							  strerror(errno));
	}
	loop_.watch(listener_.get(), [this] { accept_one(); });
}

ControlServer::~ControlServer()
{
	while (!clients_.empty())
		drop(clients_.begin()->first);
	loop_.unwatch(listener_.get());
	unlink(path_.c_str());
}

void ControlServer::accept_one()
{
	static uint64_t serial = 0;
	UniqueFd fd(accept4(listener_.get(), nullptr, nullptr,
			    SOCK_CLOEXEC | SOCK_NONBLOCK));
	if (!fd)
		return;
	const int raw = fd.get();
	auto c = std::make_unique<Client>();
	ucred cred{};
	socklen_t len = sizeof(cred);
	c->root = getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
		  cred.uid == 0;
	c->fd = std::move(fd);
	c->serial = ++serial;
	c->deadline = Clock::now() + kRequestTimeout;
	c->timer = loop_.after(kRequestTimeout, [this, raw, serial = c->serial] {
		const auto it = clients_.find(raw);
		if (it != clients_.end() && it->second->serial == serial &&
		    !it->second->answering) {
			it->second->timer.reset(); // this very timer
			drop(raw); // silent client: never answered
		}
	});
	clients_[raw] = std::move(c);
	loop_.watch(raw, [this, raw] { read_request(raw); });
}

void ControlServer::read_request(int fd)
{
	Client &c = *clients_.at(fd);
	char buf[kMaxRequest];
	const ssize_t n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || c.answering) {
		// Gone (or talking past its line): an answer in progress
		// finds no client and is dropped; a subscriber unsubscribed.
		drop(fd);
		return;
	}
	c.request.append(buf, static_cast<size_t>(n));
	const size_t nl = c.request.find('\n');
	if (nl == std::string::npos) {
		if (c.request.size() >= kMaxRequest)
			drop(fd);
		return;
	}
	c.request.resize(nl);
	c.answering = true;
	if (c.timer)
		loop_.cancel(*c.timer);
	c.timer.reset();
	const uint64_t serial = c.serial;
	if (c.request == "events" || c.request == "events --json") {
		subscribe(fd, c.request != "events");
		return;
	}
	const std::string request = c.request; // c may go during answer()
	answer(request, c.root, [this, fd, serial](const std::string &text) {
		const auto it = clients_.find(fd);
		if (it == clients_.end() || it->second->serial != serial)
			return; // the client went away meanwhile
		it->second->out = text;
		it->second->deadline = Clock::now() + kWriteTimeout;
		write_out(fd);
	});
}

// The client stays connected and gets each event as a line.  A client
// whose socket buffer is full is dropped (later, from the loop: the event
// being sent may be about the very state this call is changing).
void ControlServer::subscribe(int fd, bool json)
{
	Client &c = *clients_.at(fd);
	const uint64_t serial = c.serial;
	c.subscription = daemon_.subscribe_events(
		json, [this, fd, serial](const std::string &line) {
			const ssize_t n = send(fd, line.data(), line.size(),
					       MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n == static_cast<ssize_t>(line.size()))
				return true;
			loop_.after(std::chrono::milliseconds(0),
				    [this, fd, serial] {
					    const auto it = clients_.find(fd);
					    if (it != clients_.end() &&
						it->second->serial == serial)
						drop(fd);
				    });
			return false;
		});
}

void ControlServer::write_out(int fd)
{
	Client &c = *clients_.at(fd);
	while (!c.out.empty()) {
		const ssize_t n =
			send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
		if (n > 0) {
			c.out.erase(0, static_cast<size_t>(n));
			continue;
		}
		if (n < 0 && errno == EAGAIN && Clock::now() < c.deadline) {
			loop_.after(kWriteRetry, [this, fd, serial = c.serial] {
				const auto it = clients_.find(fd);
				if (it != clients_.end() &&
				    it->second->serial == serial)
					write_out(fd);
			});
			return;
		}
		break; // gone, or not reading: give up
	}
	drop(fd);
}

void ControlServer::drop(int fd)
{
	const auto it = clients_.find(fd);
	if (it == clients_.end())
		return;
	if (it->second->timer)
		loop_.cancel(*it->second->timer);
	if (it->second->subscription)
		daemon_.unsubscribe_events(*it->second->subscription);
	loop_.unwatch(fd);
	clients_.erase(it); // closes fd
}

void ControlServer::answer(const std::string &request, bool root, Reply reply)
{
	if (request == "status")
		return reply(daemon_.status_text());
	if (request == "status --json")
		return reply(daemon_.status_json());
	if (!root)
		return reply("error: '" + request.substr(0, request.find(' ')) +
			     "' needs root; the monitoring group may only "
			     "run status and events\n");
	if (request == "standby")
		return reply(daemon_.request_standby());
	if (request == "takeover")
		return reply(daemon_.request_takeover());
	if (request == "maintenance on" || request == "maintenance off")
		return reply(daemon_.request_maintenance(request ==
							 "maintenance on"));
	if (request == "cleanup")
		return reply(daemon_.request_cleanup(""));
	if (request.rfind("cleanup ", 0) == 0)
		return reply(daemon_.request_cleanup(request.substr(8)));
	const auto words = split(request, ' ');
	if (words.size() == 3 && words[0] == "fence-peer") {
		const auto ms = parse_unsigned(words[2]);
		if (ms)
			return daemon_.request_fence_peer(
				words[1], std::chrono::milliseconds(*ms),
				std::move(reply));
	}
	reply("error: unknown request '" + request + "'\n");
}

namespace {

UniqueFd connect_control(const std::string &path)
{
	const sockaddr_un a = socket_address(path);
	UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (connect(fd.get(), reinterpret_cast<const sockaddr *>(&a), sizeof(a)) != 0)
		throw Error(kExitFailure, "no rdbd-heartbeat daemon at " + path +
						  ": " + strerror(errno));
	return fd;
}

} // namespace

void control_stream(const std::string &path, const std::string &request)
{
	UniqueFd fd = connect_control(path);
	const std::string line = request + "\n";
	if (send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL) !=
	    static_cast<ssize_t>(line.size()))
		throw Error(kExitFailure, "cannot talk to rdbd-heartbeat at " +
						  path + ": " + strerror(errno));
	char buf[4096];
	ssize_t n;
	while ((n = read(fd.get(), buf, sizeof(buf))) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0 && fwrite(buf, 1, static_cast<size_t>(n), stdout) !=
				     static_cast<size_t>(n))
			return; // the reader went away
		else
			fflush(stdout);
}

std::string control_request(const std::string &path, const std::string &request,
			    unsigned timeout_s)
{
	UniqueFd fd = connect_control(path);
	timeval tv{static_cast<time_t>(timeout_s), 0};
	setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	const std::string line = request + "\n";
	if (send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL) !=
	    static_cast<ssize_t>(line.size()))
		throw Error(kExitFailure, "cannot talk to rdbd-heartbeat at " +
						  path + ": " + strerror(errno));
	std::string answer;
	char buf[4096];
	ssize_t n;
	while ((n = read(fd.get(), buf, sizeof(buf))) > 0)
		answer.append(buf, static_cast<size_t>(n));
	if (answer.empty())
		throw Error(kExitFailure, "rdbd-heartbeat at " + path +
						  " gave no answer" +
						  (n < 0 ? std::string(": ") +
								   strerror(errno)
							 : ""));
	return answer;
}

} // namespace rdbd::hb
