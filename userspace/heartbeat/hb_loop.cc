#include "hb_loop.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace rdbd::hb {

namespace {

[[noreturn]] void throw_errno(const char *what)
{
	throw std::system_error(errno, std::generic_category(), what);
}

} // namespace

EventLoop::EventLoop() : epoll_(epoll_create1(EPOLL_CLOEXEC))
{
	if (!epoll_)
		throw_errno("epoll_create1");
}

EventLoop::TimerId EventLoop::after(std::chrono::milliseconds delay,
				    Callback cb)
{
	const TimerId id = next_id_++;
	deadlines_.emplace(Clock::now() + delay, id);
	timers_[id] = std::move(cb);
	return id;
}

void EventLoop::cancel(TimerId id)
{
	// The deadline stays queued; run_due_timers skips ids it cannot find.
	timers_.erase(id);
}

void EventLoop::watch(int fd, Callback on_readable)
{
	epoll_event ev{};
	ev.events = EPOLLIN;
	ev.data.fd = fd;
	if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
		throw_errno("epoll_ctl add");
	readers_[fd] = std::move(on_readable);
}

void EventLoop::unwatch(int fd)
{
	epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
	readers_.erase(fd);
}

void EventLoop::on_signal(int signo, Callback cb)
{
	signal_handlers_[signo] = std::move(cb);
	sigset_t set;
	sigemptyset(&set);
	for (const auto &[s, handler] : signal_handlers_)
		sigaddset(&set, s);
	if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0)
		throw_errno("sigprocmask");
	const bool first = !signal_fd_;
	const int fd = signalfd(first ? -1 : signal_fd_.get(), &set,
				SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		throw_errno("signalfd");
	if (first) {
		signal_fd_ = UniqueFd(fd);
		watch(fd, [this] { dispatch_signals(); });
	}
}

void EventLoop::dispatch_signals()
{
	signalfd_siginfo info;
	while (read(signal_fd_.get(), &info, sizeof(info)) ==
	       static_cast<ssize_t>(sizeof(info))) {
		const auto it = signal_handlers_.find(
			static_cast<int>(info.ssi_signo));
		if (it != signal_handlers_.end())
			it->second();
	}
}

int EventLoop::next_timeout_ms() const
{
	if (deadlines_.empty())
		return -1;
	const auto left = std::chrono::ceil<std::chrono::milliseconds>(
		deadlines_.begin()->first - Clock::now());
	return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

void EventLoop::run_due_timers()
{
	const auto now = Clock::now();
	while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
		const TimerId id = deadlines_.begin()->second;
		deadlines_.erase(deadlines_.begin());
		const auto it = timers_.find(id);
		if (it == timers_.end())
			continue;
		Callback cb = std::move(it->second);
		timers_.erase(it);
		cb();
	}
}

void EventLoop::run()
{
	running_ = true;
	while (running_) {
		epoll_event events[16];
		const int n = epoll_wait(epoll_.get(), events, 16,
					 next_timeout_ms());
		if (n < 0 && errno != EINTR)
			throw_errno("epoll_wait");
		for (int i = 0; i < n; i++) {
			// A callback may unwatch a later fd of this batch.
			const auto it = readers_.find(events[i].data.fd);
			if (it != readers_.end()) {
				Callback cb = it->second;
				cb();
			}
		}
		run_due_timers();
	}
}

} // namespace rdbd::hb
