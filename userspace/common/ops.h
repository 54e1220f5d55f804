// Low-level operations: what every rdbdadm command turns into.
//
// A command builds a Plan (an ordered list of operations) from the
// configuration, then either executes it (op_executor.h) or, with
// --dry-run, prints it with format_op(), one operation per line.  The
// printed form is stable, like `drbdadm -d`:
//
//   create-md MINOR DISK [--force]
//   new-minor MINOR RESOURCE
//   attach MINOR DISK
//   detach MINOR
//   connect MINOR LOCAL PEER peer=NAME protocol=A|B|C connect-int-ms=N
//           ping-int-ms=N ping-timeout-ms=N timeout-ms=N
//           [cram-hmac-alg=ALG shared-secret=<hidden>]       (one line)
//   disconnect MINOR
//   primary MINOR [--force]
//   secondary MINOR
//   del-minor MINOR
//   disk-options MINOR [resync-rate=N] [c-plan-ahead=N] [c-min-rate=N]
//                [c-max-rate=N] [al-extents=N]                   (one line)
//   pause-sync MINOR
//   resume-sync MINOR
//   outdate MINOR
//   invalidate MINOR
//   invalidate-remote MINOR
//   verify MINOR
//
// connect ends in " after-sb-Npri=POLICY" for each policy that is not
// disconnect, " verify-alg=ALG" when one is configured, and
// " --discard-my-data" when that flag is set.
//
// LOCAL and PEER are IPv4:PORT or [IPv6]:PORT.  The shared secret is never
// printed: dry-run output ends up in logs and bug reports.  A new operation is
// a new struct in the Op variant plus its op_text() (ops.cc) and request()
// (op_executor.cc) overloads; the compiler points at any that is missing.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config.h"
#include "endpoint.h"

namespace rdbd {

struct CreateMdOp {
	unsigned minor;
	std::string disk;
	std::string resource; // for messages only
	bool force;
};

struct NewMinorOp {
	unsigned minor;
	std::string resource;
};

struct AttachOp {
	unsigned minor;
	std::string disk;
};

// Timers in milliseconds, as RDBD_NET_*_MS carries them.
struct ConnectOp {
	unsigned minor;
	Endpoint local;
	Endpoint peer;
	std::string peer_name;
	char protocol;
	uint32_t connect_int_ms;
	uint32_t ping_int_ms;
	uint32_t ping_timeout_ms;
	uint32_t timeout_ms;
	std::string cram_hmac_alg; // both empty: no peer authentication
	std::string shared_secret;
	bool discard_my_data = false; // after a split brain: I am the victim
	// after-sb-0pri/1pri/2pri, enum rdbd_after_sb (0 = disconnect)
	std::array<uint8_t, 3> after_sb{};
	std::string verify_alg{}; // empty: online verify refused
};

// "disconnect", "discard-zero-changes", ... as enum rdbd_after_sb for
// after-sb-`primaries`pri; throws ConfigError naming what rdbd supports.
uint8_t after_sb_value(int primaries, const std::string &policy);
const char *after_sb_name(uint8_t value);

struct DetachOp {
	unsigned minor;
};

struct DisconnectOp {
	unsigned minor;
};

struct PrimaryOp {
	unsigned minor;
	bool force;
};

struct SecondaryOp {
	unsigned minor;
};

struct DelMinorOp {
	unsigned minor;
};

// The resync controller (drbd.conf units: KiB/s, tenths of a second).
// An option left empty is not sent: the kernel keeps its value.
struct DiskOptsOp {
	unsigned minor;
	std::optional<uint32_t> resync_rate_kib;
	std::optional<uint32_t> c_plan_ahead_ds;
	std::optional<uint32_t> c_min_rate_kib;
	std::optional<uint32_t> c_max_rate_kib;
	std::optional<uint32_t> al_extents; // applies at the next attach
	std::optional<uint32_t> on_io_error; // enum rdbd_on_io_error
	std::optional<uint32_t> fencing;     // enum rdbd_fencing
};

// Each disk option: its drbd.conf / dry-run name and its field.  A
// field with value names (on-io-error) is written and read by name.
struct DiskOptField {
	const char *name;
	std::optional<uint32_t> DiskOptsOp::*field;
	std::vector<const char *> value_names; // index = value; empty: a number
};
extern const DiskOptField kDiskOptFields[7];

// A disk option's value as text (its name, or the number) and back;
// nullopt for text that is neither.
std::string disk_opt_text(const DiskOptField &f, uint32_t value);
std::optional<uint32_t> parse_disk_opt(const DiskOptField &f,
				       const std::string &text);

struct PauseSyncOp {
	unsigned minor;
};

struct ResumeSyncOp {
	unsigned minor;
};

struct OutdateOp {
	unsigned minor;
};

struct InvalidateOp {
	unsigned minor;
};

struct InvalidateRemoteOp {
	unsigned minor;
};

struct VerifyOp {
	unsigned minor;
};

// End a freeze of application I/O by fencing (resource-and-stonith).
struct ResumeIoOp {
	unsigned minor;
};

using Op = std::variant<CreateMdOp, NewMinorOp, AttachOp, DetachOp, ConnectOp,
			DisconnectOp, PrimaryOp, SecondaryOp, DelMinorOp,
			DiskOptsOp, PauseSyncOp, ResumeSyncOp, OutdateOp,
			InvalidateOp, InvalidateRemoteOp, VerifyOp, ResumeIoOp>;

std::string format_op(const Op &op);
unsigned op_minor(const Op &op);

// One step of a plan, with what takes it back if a later step fails.
struct Step {
	Op op;
	std::optional<Op> undo;
};
using Plan = std::vector<Step>;

Plan plan_create_md(const NodeResource &r, bool force);
Plan plan_up(const NodeResource &r);
Plan plan_down(const NodeResource &r);
Plan plan_attach(const NodeResource &r);
Plan plan_detach(const NodeResource &r);
Plan plan_connect(const NodeResource &r);
Plan plan_disconnect(const NodeResource &r);
Plan plan_primary(const NodeResource &r, bool force);
Plan plan_secondary(const NodeResource &r);
// connect, optionally as the split-brain victim (--discard-my-data), and
// with after-sb policies overriding the configuration's (empty: keep).
Plan plan_connect(const NodeResource &r, bool discard_my_data,
		  const std::array<std::string, 3> &after_sb = {});
// The resync controller from the configuration's disk section.
DiskOptsOp disk_opts_op(const NodeResource &r);
Plan plan_disk_options(const NodeResource &r);
Plan plan_pause_sync(const NodeResource &r);
Plan plan_resume_sync(const NodeResource &r);
Plan plan_outdate(const NodeResource &r);
Plan plan_invalidate(const NodeResource &r);
Plan plan_invalidate_remote(const NodeResource &r);
Plan plan_verify(const NodeResource &r);
Plan plan_resume_io(const NodeResource &r);

// The dry-run text: format_op() of each step, one per line.
std::string format_plan(const Plan &plan);

} // namespace rdbd
