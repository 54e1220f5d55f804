// Child processes run from the event loop: resource scripts and rdbdadm
// queries.  Their stdout and stderr come back through a pipe the loop
// watches; their exit arrives as SIGCHLD.  The callback runs once both are
// in, so a script's last words are never lost.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hb_loop.h"

namespace rdbd::hb {

struct Command {
	std::vector<std::string> argv;	// argv[0] is the program's path
	std::vector<std::string> env;	// NAME=value added to our own
	std::string display() const;	// for logs: "IPaddr2 ... start"
};

struct ProcessResult {
	int exit_code = -1; // -1: killed by a signal or could not run
	std::string output; // stdout and stderr, capped at 64 KiB
	bool timed_out = false; // killed because it ran past its time limit
};

class ProcessRunner {
public:
	using Done = std::function<void(const ProcessResult &)>;
	explicit ProcessRunner(EventLoop &loop);
	~ProcessRunner();
	void run(const Command &command, Done done);
	// As run(), but the script's whole process group is killed (SIGKILL)
	// once it has run for `limit`; the result then says timed_out.
	void run(const Command &command, Done done,
		 std::chrono::milliseconds limit);
	size_t running() const { return children_.size(); }

private:
	struct Child;
	void reap();
	void read_output(pid_t pid);
	void finish_if_done(pid_t pid);

	EventLoop &loop_;
	std::map<pid_t, std::unique_ptr<Child>> children_;
	std::optional<pid_t> last_started_; // by the latest run(), if it forked
};

} // namespace rdbd::hb
