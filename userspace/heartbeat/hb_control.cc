#include "hb_control.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "error.h"
#include "hb_daemon.h"

namespace rdbd::hb {

namespace {

sockaddr_un socket_address(const std::string &path)
{
	sockaddr_un a{};
	a.sun_family = AF_UNIX;
	if (path.size() >= sizeof(a.sun_path))
		throw Error(kExitUsage, "socket path too long: " + path);
	memcpy(a.sun_path, path.c_str(), path.size() + 1);
	return a;
}

// Clients are local and write their line at once; a silent one is cut
// off after a second rather than stalling the heartbeat.
void set_timeouts(int fd)
{
	timeval tv{1, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

void write_all(int fd, const std::string &text)
{
	size_t done = 0;
	while (done < text.size()) {
		const ssize_t n = write(fd, text.data() + done, text.size() - done);
		if (n <= 0)
			return;
		done += static_cast<size_t>(n);
	}
}

} // namespace

ControlServer::ControlServer(EventLoop &loop, std::string path, Daemon &daemon)
	: loop_(loop), path_(std::move(path)), daemon_(daemon)
{
	const sockaddr_un a = socket_address(path_);
	listener_ = UniqueFd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	unlink(path_.c_str());
	const mode_t old = umask(077);
	const int rc = bind(listener_.get(), reinterpret_cast<const sockaddr *>(&a),
			    sizeof(a));
	umask(old);
	if (rc != 0 || listen(listener_.get(), 8) != 0)
		throw Error(kExitFailure, "control socket " + path_ + ": " +
						  strerror(errno));
	loop_.watch(listener_.get(), [this] { accept_one(); });
}

ControlServer::~ControlServer()
{
	loop_.unwatch(listener_.get());
	unlink(path_.c_str());
}

void ControlServer::accept_one()
{
	UniqueFd client(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
	if (!client)
		return;
	set_timeouts(client.get());
	std::string request;
	char c;
	while (request.size() < 256 && read(client.get(), &c, 1) == 1 && c != '\n')
		request += c;
	write_all(client.get(), answer(request));
}

std::string ControlServer::answer(const std::string &request)
{
	if (request == "status")
		return daemon_.status_text();
	if (request == "status --json")
		return daemon_.status_json();
	if (request == "standby")
		return daemon_.request_standby();
	if (request == "takeover")
		return daemon_.request_takeover();
	return "error: unknown request '" + request + "'\n";
}

std::string control_request(const std::string &path, const std::string &request)
{
	const sockaddr_un a = socket_address(path);
	UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (connect(fd.get(), reinterpret_cast<const sockaddr *>(&a), sizeof(a)) != 0)
		throw Error(kExitFailure, "no rdbd-heartbeat daemon at " + path +
						  ": " + strerror(errno));
	set_timeouts(fd.get());
	write_all(fd.get(), request + "\n");
	std::string answer;
	char buf[4096];
	ssize_t n;
	while ((n = read(fd.get(), buf, sizeof(buf))) > 0)
		answer.append(buf, static_cast<size_t>(n));
	if (answer.empty())
		throw Error(kExitFailure, "rdbd-heartbeat at " + path +
						  " gave no answer");
	return answer;
}

} // namespace rdbd::hb
