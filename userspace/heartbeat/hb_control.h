// The control socket: a unix stream socket.  A client writes one line
// ("status", "status --json", "events", "standby", "takeover", "cleanup",
// "maintenance on", "fence-peer RES MS", ...), the daemon answers and
// closes (`events` stays open).
//
// Who may do what: the socket is mode 660, group `group` (Heartbeat's
// haclient) when that group exists, else 600.  Members of the group may
// look (status, events); everything that changes something needs root,
// checked on each connection with SO_PEERCRED.
//
// Nothing here blocks the event loop: clients are non-blocking, a client
// that has not sent its line within a second is dropped, and an answer
// may come later (fence-peer waits for the peer) while the loop goes on.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "fd.h"
#include "hb_loop.h"

namespace rdbd::hb {

class Daemon;

class ControlServer {
public:
	using Reply = std::function<void(const std::string &)>;
	ControlServer(EventLoop &loop, std::string path, Daemon &daemon,
		      const std::string &group_name = "haclient");
	~ControlServer();

private:
	struct Client;
	void accept_one();
	void read_request(int fd);
	void answer(const std::string &request, bool root, Reply reply);
	void write_out(int fd);
	void subscribe(int fd, bool json);
	void drop(int fd);

	EventLoop &loop_;
	std::string path_;
	Daemon &daemon_;
	UniqueFd listener_;
	std::map<int, std::unique_ptr<Client>> clients_;
};

// Sends `request` to the daemon at `path` and returns its answer; throws
// Error if no daemon listens there.  `timeout_s` bounds the wait for the
// answer.
std::string control_request(const std::string &path, const std::string &request,
			    unsigned timeout_s = 5);
// Sends `request` and copies what comes back to standard output as it
// arrives, until the daemon closes the connection (`events`).
void control_stream(const std::string &path, const std::string &request);

} // namespace rdbd::hb
