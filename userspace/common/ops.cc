#include "ops.h"

#include <cstdlib>

#include <rdbd/genl.h>

#include "config_error.h"
#include "status.h"

namespace rdbd {

namespace {

// "name minor": how every operation's text starts.
std::string head(const char *name, unsigned minor)
{
	return std::string(name) + " " + std::to_string(minor);
}

std::string with_force(const std::string &text, bool force)
{
	return force ? text + " --force" : text;
}

std::string option(const char *key, const std::string &value)
{
	return std::string(" ") + key + "=" + value;
}

std::string op_text(const CreateMdOp &o)
{
	return with_force(head("create-md", o.minor) + " " + o.disk, o.force);
}

std::string op_text(const NewMinorOp &o)
{
	return head("new-minor", o.minor) + " " + o.resource;
}

std::string op_text(const AttachOp &o)
{
	return head("attach", o.minor) + " " + o.disk;
}

std::string op_text(const DetachOp &o)
{
	return head("detach", o.minor);
}

std::string op_text(const DisconnectOp &o)
{
	return head("disconnect", o.minor);
}

std::string authentication_text(const ConnectOp &o)
{
	if (o.cram_hmac_alg.empty())
		return "";
	return option("cram-hmac-alg", o.cram_hmac_alg) +
	       option("shared-secret", "<hidden>");
}

std::string op_text(const DiskOptsOp &o)
{
	std::string text = head("disk-options", o.minor);
	for (const DiskOptField &f : kDiskOptFields)
		if (const std::optional<uint32_t> &v = o.*f.field)
			text += option(f.name, disk_opt_text(f, *v));
	return text;
}

std::string op_text(const PauseSyncOp &o)
{
	return head("pause-sync", o.minor);
}

std::string op_text(const ResumeSyncOp &o)
{
	return head("resume-sync", o.minor);
}

std::string op_text(const OutdateOp &o)
{
	return head("outdate", o.minor);
}

std::string op_text(const InvalidateOp &o)
{
	return head("invalidate", o.minor);
}

std::string op_text(const InvalidateRemoteOp &o)
{
	return head("invalidate-remote", o.minor);
}

std::string op_text(const VerifyOp &o)
{
	return head("verify", o.minor);
}

std::string op_text(const ResumeIoOp &o)
{
	return head("resume-io", o.minor);
}

std::string after_sb_text(const ConnectOp &o)
{
	std::string text;
	for (int i = 0; i < 3; ++i)
		if (o.after_sb[i] != RDBD_ASB_DISCONNECT)
			text += option(
				("after-sb-" + std::to_string(i) + "pri").c_str(),
				after_sb_name(o.after_sb[i]));
	return text;
}

std::string op_text(const ConnectOp &o)
{
	return head("connect", o.minor) + " " + o.local.str() + " " +
	       o.peer.str() + option("peer", o.peer_name) +
	       option("protocol", std::string(1, o.protocol)) +
	       option("connect-int-ms", std::to_string(o.connect_int_ms)) +
	       option("ping-int-ms", std::to_string(o.ping_int_ms)) +
	       option("ping-timeout-ms", std::to_string(o.ping_timeout_ms)) +
	       option("timeout-ms", std::to_string(o.timeout_ms)) +
	       authentication_text(o) + after_sb_text(o) +
	       (o.verify_alg.empty() ? "" : option("verify-alg", o.verify_alg)) +
	       (o.discard_my_data ? " --discard-my-data" : "");
}

std::string op_text(const PrimaryOp &o)
{
	return with_force(head("primary", o.minor), o.force);
}

std::string op_text(const SecondaryOp &o)
{
	return head("secondary", o.minor);
}

std::string op_text(const DelMinorOp &o)
{
	return head("del-minor", o.minor);
}

ConnectOp connect_op(const NodeResource &r)
{
	const NetOptions &net = r.resource->net;
	// drbd.conf units: connect-int and ping-int in seconds, ping-timeout
	// and timeout in tenths of a second.
	ConnectOp op{r.minor(),
		r.self->address,
		r.peer->address,
		r.peer->name,
		net.protocol,
		net.connect_int_s * 1000,
		net.ping_int_s * 1000,
		net.ping_timeout_ds * 100,
		net.timeout_ds * 100,
		net.cram_hmac_alg,
		net.shared_secret};
	op.after_sb = {after_sb_value(0, net.after_sb_0pri),
		       after_sb_value(1, net.after_sb_1pri),
		       after_sb_value(2, net.after_sb_2pri)};
	op.verify_alg = net.verify_alg;
	return op;
}

struct AfterSbName {
	const char *name;
	uint8_t value;
};

const AfterSbName kAfterSbNames[] = {
	{"disconnect", RDBD_ASB_DISCONNECT},
	{"discard-younger-primary", RDBD_ASB_DISCARD_YOUNGER_PRIMARY},
	{"discard-older-primary", RDBD_ASB_DISCARD_OLDER_PRIMARY},
	{"discard-zero-changes", RDBD_ASB_DISCARD_ZERO_CHANGES},
	{"discard-least-changes", RDBD_ASB_DISCARD_LEAST_CHANGES},
	{"discard-secondary", RDBD_ASB_DISCARD_SECONDARY},
	{"consensus", RDBD_ASB_CONSENSUS},
};

// What rdbd.ko implements for after-sb-Npri (DRBD's other values, such
// as discard-local or call-pri-lost-after-sb, are refused).
bool after_sb_allowed(int primaries, uint8_t v)
{
	if (v == RDBD_ASB_DISCONNECT)
		return true;
	if (primaries == 0)
		return v <= RDBD_ASB_DISCARD_LEAST_CHANGES;
	if (primaries == 1)
		return v == RDBD_ASB_DISCARD_SECONDARY ||
		       v == RDBD_ASB_CONSENSUS;
	return false;
}

} // namespace

const DiskOptField kDiskOptFields[7] = {
	{"resync-rate", &DiskOptsOp::resync_rate_kib, {}},
	{"c-plan-ahead", &DiskOptsOp::c_plan_ahead_ds, {}},
	{"c-min-rate", &DiskOptsOp::c_min_rate_kib, {}},
	{"c-max-rate", &DiskOptsOp::c_max_rate_kib, {}},
	{"al-extents", &DiskOptsOp::al_extents, {}},
	// enum rdbd_on_io_error
	{"on-io-error", &DiskOptsOp::on_io_error, {"detach", "pass_on"}},
	// enum rdbd_fencing
	{"fencing",
	 &DiskOptsOp::fencing,
	 {"dont-care", "resource-only", "resource-and-stonith"}},
};

std::string disk_opt_text(const DiskOptField &f, uint32_t value)
{
	if (value < f.value_names.size())
		return f.value_names[value];
	return std::to_string(value);
}

std::optional<uint32_t> parse_disk_opt(const DiskOptField &f,
				       const std::string &text)
{
	for (size_t i = 0; i < f.value_names.size(); ++i)
		if (text == f.value_names[i])
			return static_cast<uint32_t>(i);
	if (text.empty() || text.find_first_not_of("0123456789") !=
				    std::string::npos)
		return std::nullopt;
	return static_cast<uint32_t>(std::strtoul(text.c_str(), nullptr, 10));
}

const char *after_sb_name(uint8_t value)
{
	for (const AfterSbName &n : kAfterSbNames)
		if (n.value == value)
			return n.name;
	return "?";
}

uint8_t after_sb_value(int primaries, const std::string &policy)
{
	const std::string key = "after-sb-" + std::to_string(primaries) + "pri";
	for (const AfterSbName &n : kAfterSbNames)
		if (policy == n.name && after_sb_allowed(primaries, n.value))
			return n.value;
	std::string allowed;
	for (const AfterSbName &n : kAfterSbNames)
		if (after_sb_allowed(primaries, n.value))
			allowed += std::string(allowed.empty() ? "" : ", ") +
				   n.name;
	throw ConfigError(key + " " + policy +
			  ": not supported by rdbd; use one of: " + allowed);
}

std::string format_op(const Op &op)
{
	return std::visit([](const auto &o) { return op_text(o); }, op);
}

unsigned op_minor(const Op &op)
{
	return std::visit([](const auto &o) { return o.minor; }, op);
}

Plan plan_create_md(const NodeResource &r, bool force)
{
	return {{CreateMdOp{r.minor(), r.self->disk, r.name(), force}, {}}};
}

// DEL_MINOR also detaches and disconnects, so it alone undoes the steps
// that follow new-minor.
// The kernel starts with DRBD's defaults, as DiskOptions does: a plan
// only sets the controller when the configuration changes it.
static bool disk_opts_configured(const NodeResource &r)
{
	const DiskOptions &d = r.resource->disk, dflt;
	return d.resync_rate_kib != dflt.resync_rate_kib ||
	       d.c_plan_ahead_ds != dflt.c_plan_ahead_ds ||
	       d.c_min_rate_kib != dflt.c_min_rate_kib ||
	       d.c_max_rate_kib != dflt.c_max_rate_kib ||
	       d.al_extents != dflt.al_extents ||
	       d.on_io_error != dflt.on_io_error || d.fencing != dflt.fencing;
}

Plan plan_up(const NodeResource &r)
{
	Plan plan = {
		{NewMinorOp{r.minor(), r.name()}, DelMinorOp{r.minor()}},
		{AttachOp{r.minor(), r.self->disk}, {}},
		{connect_op(r), {}},
	};
	// before attach: al-extents is read when the disk is attached
	if (disk_opts_configured(r))
		plan.insert(plan.begin() + 1, {disk_opts_op(r), {}});
	return plan;
}

Plan plan_down(const NodeResource &r)
{
	return {{DelMinorOp{r.minor()}, {}}};
}

Plan plan_primary(const NodeResource &r, bool force)
{
	return {{PrimaryOp{r.minor(), force}, {}}};
}

Plan plan_attach(const NodeResource &r)
{
	return {{AttachOp{r.minor(), r.self->disk}, {}}};
}

Plan plan_detach(const NodeResource &r)
{
	return {{DetachOp{r.minor()}, {}}};
}

Plan plan_connect(const NodeResource &r)
{
	return {{connect_op(r), {}}};
}

Plan plan_disconnect(const NodeResource &r)
{
	return {{DisconnectOp{r.minor()}, {}}};
}

Plan plan_secondary(const NodeResource &r)
{
	return {{SecondaryOp{r.minor()}, {}}};
}

Plan plan_connect(const NodeResource &r, bool discard_my_data,
		  const std::array<std::string, 3> &after_sb)
{
	ConnectOp op = connect_op(r);
	op.discard_my_data = discard_my_data;
	for (int i = 0; i < 3; ++i)
		if (!after_sb[i].empty())
			op.after_sb[i] = after_sb_value(i, after_sb[i]);
	return {{op, {}}};
}

DiskOptsOp disk_opts_op(const NodeResource &r)
{
	const DiskOptions &d = r.resource->disk;
	const uint32_t on_io_error =
		d.on_io_error == DiskOptions::OnIoError::PassOn
			? RDBD_ON_IO_ERROR_PASS_ON
			: RDBD_ON_IO_ERROR_DETACH;
	return {r.minor(),	   d.resync_rate_kib, d.c_plan_ahead_ds,
		d.c_min_rate_kib, d.c_max_rate_kib,  d.al_extents,
		on_io_error,	   static_cast<uint32_t>(d.fencing)};
}

Plan plan_disk_options(const NodeResource &r)
{
	return {{disk_opts_op(r), {}}};
}

Plan plan_pause_sync(const NodeResource &r)
{
	return {{PauseSyncOp{r.minor()}, {}}};
}

Plan plan_resume_sync(const NodeResource &r)
{
	return {{ResumeSyncOp{r.minor()}, {}}};
}

Plan plan_outdate(const NodeResource &r)
{
	return {{OutdateOp{r.minor()}, {}}};
}

Plan plan_invalidate(const NodeResource &r)
{
	return {{InvalidateOp{r.minor()}, {}}};
}

Plan plan_invalidate_remote(const NodeResource &r)
{
	return {{InvalidateRemoteOp{r.minor()}, {}}};
}

Plan plan_verify(const NodeResource &r)
{
	return {{VerifyOp{r.minor()}, {}}};
}

Plan plan_resume_io(const NodeResource &r)
{
	return {{ResumeIoOp{r.minor()}, {}}};
}

std::string format_plan(const Plan &plan)
{
	std::string text;
	for (const Step &s : plan)
		text += format_op(s.op) + "\n";
	return text;
}

} // namespace rdbd
