#include "status_watch.h"

#include <poll.h>

#include <cerrno>
#include <cstring>

#include "error.h"

namespace rdbd {

namespace {

// poll()'s timeout for `deadline`: -1 for none, else the milliseconds
// left, rounded up so the wait does not end just before the deadline.
int poll_timeout(const std::optional<Deadline> &deadline)
{
	if (!deadline)
		return -1;
	const auto left = *deadline - std::chrono::steady_clock::now();
	if (left <= left.zero())
		return 0;
	const auto ms =
		std::chrono::ceil<std::chrono::milliseconds>(left).count();
	return ms > INT32_MAX ? INT32_MAX : static_cast<int>(ms);
}

EventBatch snapshot()
{
	EventBatch batch;
	batch.snapshot = true;
	GenlClient kernel;
	for (DeviceStatus &s : query_all_status(kernel))
		batch.events.push_back({s.minor, s.resource, std::move(s)});
	return batch;
}

} // namespace

StatusWatch::StatusWatch() : events_(RDBD_GENL_MCAST_EVENTS) {}

Wake StatusWatch::wait(std::optional<Deadline> deadline, int signal_fd,
		       int output_fd) const
{
	// poll() skips entries with a negative fd.
	pollfd fds[3] = {{events_.fd(), POLLIN, 0},
			 {signal_fd, POLLIN, 0},
			 {output_fd, 0, 0}};
	for (;;) {
		const int n = poll(fds, 3, poll_timeout(deadline));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			throw Error(kExitFailure, std::string("poll: ") +
							  std::strerror(errno));
		if (n == 0)
			return Wake::Timeout;
		if (fds[1].revents)
			return Wake::Signal;
		if (fds[2].revents)
			return Wake::OutputGone;
		return Wake::Events;
	}
}

EventBatch StatusWatch::take()
{
	EventBatch batch;
	const bool complete = events_.receive([&batch](nl_msg *msg) {
		if (genlmsg_hdr(nlmsg_hdr(msg))->cmd == RDBD_CMD_EVENT)
			batch.events.push_back(parse_event(msg));
	});
	// Whatever was read before the overflow is older than the fresh
	// read, which replaces it.
	return complete ? batch : snapshot();
}

std::optional<DeviceStatus> latest_status(const EventBatch &batch,
					  unsigned minor,
					  std::optional<DeviceStatus> before)
{
	std::optional<DeviceStatus> now =
		batch.snapshot ? std::nullopt : std::move(before);
	for (const DeviceEvent &e : batch.events)
		if (e.minor == minor)
			now = e.status;
	return now;
}

std::optional<Deadline> deadline_after(unsigned seconds)
{
	if (seconds == 0)
		return std::nullopt;
	return std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
}

} // namespace rdbd
