// rdbdadm get-gi RES / show-gi RES: the generation identifiers (DRBD's
// data generation UUIDs) of this node's disk, raw or explained.
//
// get-gi prints one line, as drbdadm get-gi does:
//   CURRENT:BITMAP:HISTORY0:HISTORY1:OUT_OF_SYNC_KIB:MD_FLAGS
// (UUIDs as 16 hex digits, md flags in hex).
#include <rdbd/meta.h>

#include <cinttypes>
#include <cstdio>
#include <iostream>

#include "command.h"
#include "exit_codes.h"

namespace rdbd::adm {
namespace {

std::string hex16(uint64_t v)
{
	char buf[20];
	std::snprintf(buf, sizeof(buf), "%016" PRIX64, v);
	return buf;
}

std::string gi_line(const DeviceStatus &s)
{
	char flags[12];
	std::snprintf(flags, sizeof(flags), "%x", s.md_flags);
	return hex16(s.uuid_current) + ":" + hex16(s.uuid_bitmap) + ":" +
	       hex16(s.uuid_history0) + ":" + hex16(s.uuid_history1) + ":" +
	       std::to_string(s.out_of_sync_kib) + ":" + flags;
}

// The kernel's view of one named resource that is up with a disk.
const DeviceStatus &attached(const ResourceState &state)
{
	if (!state.kernel)
		throw Error(kExitFailure, state.config.name() + ": not up");
	if (state.kernel->disk_state == RDBD_DISK_DISKLESS)
		throw Error(kExitFailure,
			    state.config.name() +
				    ": Diskless: no generation identifiers");
	return *state.kernel;
}

int get_gi(Session &session, const po::variables_map &args)
{
	for (const ResourceState &state :
	     session.states(resource_argument(args)))
		std::cout << gi_line(attached(state)) << "\n";
	return kExitOk;
}

std::string uuid_words(uint64_t current)
{
	if (current == RDBD_UUID_JUST_CREATED)
		return " (fresh metadata: no data generation yet, the first "
		       "connect decides by disk states)";
	return (current & 1) ? " (bit 0 set: written while Primary)" : "";
}

std::string flag_words(uint32_t f)
{
	std::string w;
	w += (f & RDBD_MDF_CONSISTENT) ? "  consistent: the data is not "
					 "mid-sync\n"
				       : "  inconsistent: a sync into this disk "
					 "did not finish\n";
	if (f & RDBD_MDF_WAS_UP_TO_DATE)
		w += "  was UpToDate when last written\n";
	if (f & RDBD_MDF_PRIMARY_IND)
		w += "  Primary (a crash now would be a crashed primary)\n";
	if (f & RDBD_MDF_CRASHED_PRIMARY)
		w += "  crashed primary: it was Primary when it went down; "
		     "it is the sync source if the UUIDs are otherwise equal\n";
	return w;
}

std::string explain(const std::string &name, const DeviceStatus &s)
{
	std::string t = name + ": " + gi_line(s) + "\n";
	t += "current UUID " + hex16(s.uuid_current) +
	     ": the generation of the data on this disk" +
	     uuid_words(s.uuid_current & ~1ULL) + "\n";
	if (s.uuid_bitmap)
		t += "bitmap UUID  " + hex16(s.uuid_bitmap) +
		     ": the generation the peer was last seen with; the "
		     "bitmap holds every block changed since (" +
		     std::to_string(s.out_of_sync_kib) +
		     " KiB), so a peer still at it gets a bitmap resync from "
		     "this node\n";
	else
		t += "bitmap UUID  0: no changes tracked against an older "
		     "generation (" +
		     std::to_string(s.out_of_sync_kib) +
		     " KiB marked out of sync)\n";
	t += "history      " + hex16(s.uuid_history0) + " " +
	     hex16(s.uuid_history1) +
	     ": earlier generations; a peer at one of them gets a full "
	     "sync, two nodes that share only history are a split brain\n";
	t += "on connect: equal current UUIDs: no sync; the peer's current "
	     "= this bitmap UUID: bitmap resync to the peer; this current = "
	     "the peer's bitmap UUID: bitmap resync from it; equal bitmap "
	     "UUIDs with different currents: split brain; nothing shared: "
	     "unrelated data, refused\n";
	t += "flags " + std::to_string(s.md_flags) + ":\n" +
	     flag_words(s.md_flags);
	if (s.split_brain)
		t += "last connection: split-brain (both nodes changed the "
		     "data); resolve with 'rdbdadm connect --discard-my-data' "
		     "on the node whose changes are to be lost\n";
	if (!s.last_error.empty())
		t += "last error: " + s.last_error + "\n";
	return t;
}

int show_gi(Session &session, const po::variables_map &args)
{
	for (const ResourceState &state :
	     session.states(resource_argument(args)))
		std::cout << explain(state.config.name(), attached(state));
	return kExitOk;
}

const CommandRegistration registrations[] = {
	CommandRegistration({"get-gi", "RES|all",
			     "print this node's generation UUIDs, raw",
			     resource_arguments, get_gi}),
	CommandRegistration({"show-gi", "RES|all",
			     "explain this node's generation UUIDs and what "
			     "a connect would decide",
			     resource_arguments, show_gi}),
};

} // namespace
} // namespace rdbd::adm
