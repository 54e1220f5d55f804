// One event loop, keepalived style: timers and read callbacks on epoll,
// signals through a signalfd.  Everything in the daemon runs from here, so
// nothing needs a lock; resource scripts are child processes whose exit
// arrives as SIGCHLD, which keeps keepalives going out while they run.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>

#include "fd.h"

namespace rdbd::hb {

using Clock = std::chrono::steady_clock;

class EventLoop {
public:
	using TimerId = uint64_t;
	using Callback = std::function<void()>;

	EventLoop();
	TimerId after(std::chrono::milliseconds delay, Callback cb);
	void cancel(TimerId id);
	void watch(int fd, Callback on_readable);
	void unwatch(int fd);
	// Blocks `signo` and calls `cb` from the loop when it arrives.
	void on_signal(int signo, Callback cb);
	void run();
	void stop() { running_ = false; }

private:
	void dispatch_signals();
	int next_timeout_ms() const;
	void run_due_timers();

	UniqueFd epoll_;
	UniqueFd signal_fd_;
	bool running_ = false;
	TimerId next_id_ = 1;
	std::multimap<Clock::time_point, TimerId> deadlines_;
	std::map<TimerId, Callback> timers_;
	std::map<int, Callback> readers_;
	std::map<int, Callback> signal_handlers_;
};

} // namespace rdbd::hb
