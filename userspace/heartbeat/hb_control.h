// The control socket: a unix stream socket, root only (mode 600).  A
// client writes one line ("status", "status --json", "standby",
// "takeover"), the daemon answers and closes.
#pragma once

#include <string>

#include "fd.h"
#include "hb_loop.h"

namespace rdbd::hb {

class Daemon;

class ControlServer {
public:
	ControlServer(EventLoop &loop, std::string path, Daemon &daemon);
	~ControlServer();

private:
	void accept_one();
	std::string answer(const std::string &request);

	EventLoop &loop_;
	std::string path_;
	Daemon &daemon_;
	UniqueFd listener_;
};

// Sends `request` to the daemon at `path` and returns its answer; throws
// Error if no daemon listens there.
std::string control_request(const std::string &path, const std::string &request);

} // namespace rdbd::hb
