// Maintenance mode: `rdbd-heartbeat maintenance on|off`, for upgrading
// the daemon (or working on a resource by hand) without moving the
// service, as Pacemaker's maintenance-mode.
//
// While either node is in maintenance, neither starts, stops, restarts or
// releases anything: resources keep running where they are, monitors run
// but only report, heartbeats and fence-peer go on.  The flag travels in
// every heartbeat (`mnt`) and is kept in STATEDIR/maintenance, so it
// survives a restart of the daemon; and a peer that dies or stops while
// in maintenance is not taken over from (it is being worked on) until it
// returns or `maintenance off` is run here.  A daemon stopped in
// maintenance leaves its resources running; the restarted one adopts
// them (its startup probe finds them running).
//
// An upgrade: `maintenance on` (either node), stop the daemon, install
// the new one, start it, `maintenance off`.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "hb_daemon.h"

namespace rdbd::hb {

namespace {

std::string flag_path(const std::string &state_dir)
{
	return state_dir + "/maintenance";
}

} // namespace

bool Daemon::read_maintenance_flag() const
{
	struct stat st;
	return stat(flag_path(opt_.state_dir).c_str(), &st) == 0;
}

bool Daemon::in_maintenance() const
{
	return maintenance_ || peer_.maintenance;
}

std::string Daemon::request_maintenance(bool on)
{
	const std::string path = flag_path(opt_.state_dir);
	if (on) {
		std::ofstream f(path);
		if (!(f << "on\n") || !f.flush())
			return "error: cannot write " + path + ": " +
			       strerror(errno) + "\n";
	} else if (unlink(path.c_str()) != 0 && errno != ENOENT) {
		return "error: cannot remove " + path + ": " + strerror(errno) +
		       "\n";
	}
	const bool peer_gone = membership_.state() != PeerState::kUp;
	maintenance_ = on;
	// The peer's last word was maintenance, but it is gone: the operator
	// here decides that it may be taken over from again.
	if (!on && peer_gone)
		peer_.maintenance = false;
	log_warn(std::string("maintenance ") + (on ? "on" : "off") +
		 (on ? ": no resource is started, stopped or moved on either "
		       "node until `maintenance off`"
		     : ""));
	events_.emit("maintenance", opt_.self, on ? "on" : "off");
	send_status();
	evaluate();
	if (on)
		return "maintenance on: resources stay where they are\n";
	return peer_.maintenance ? "maintenance off here; " + peer_name() +
					   " is still in maintenance\n"
				 : "maintenance off\n";
}

} // namespace rdbd::hb
