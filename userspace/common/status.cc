#include "status.h"

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "error.h"
#include "states.h"

namespace rdbd {

namespace {

// Which RDBD_STATUS_* attribute fills which field.  The same tables give
// libnl its validation policy, so a field cannot be read unchecked.
template <typename T> struct StatusField {
	int attr;
	T DeviceStatus::*field;
};

const StatusField<uint8_t> kU8Fields[] = {
	{RDBD_STATUS_ROLE, &DeviceStatus::role},
	{RDBD_STATUS_DISK_STATE, &DeviceStatus::disk_state},
	{RDBD_STATUS_CONN_STATE, &DeviceStatus::conn_state},
	{RDBD_STATUS_PEER_ROLE, &DeviceStatus::peer_role},
	{RDBD_STATUS_PEER_DISK_STATE, &DeviceStatus::peer_disk_state},
	{RDBD_STATUS_PROTOCOL, &DeviceStatus::protocol},
	{RDBD_STATUS_SPLIT_BRAIN, &DeviceStatus::split_brain},
	{RDBD_STATUS_FENCING, &DeviceStatus::fencing},
	{RDBD_STATUS_SUSPENDED, &DeviceStatus::suspended},
	{RDBD_STATUS_FENCING_PEER, &DeviceStatus::fencing_peer},
};

const StatusField<uint32_t> kU32Fields[] = {
	{RDBD_STATUS_OPEN_COUNT, &DeviceStatus::open_count},
	{RDBD_STATUS_MD_FLAGS, &DeviceStatus::md_flags},
	{RDBD_STATUS_RESYNC_RATE_KIB, &DeviceStatus::resync_rate_kib},
	{RDBD_STATUS_C_PLAN_AHEAD_DS, &DeviceStatus::c_plan_ahead_ds},
	{RDBD_STATUS_C_MIN_RATE_KIB, &DeviceStatus::c_min_rate_kib},
	{RDBD_STATUS_C_MAX_RATE_KIB, &DeviceStatus::c_max_rate_kib},
	{RDBD_STATUS_AL_EXTENTS, &DeviceStatus::al_extents},
};

const StatusField<uint64_t> kU64Fields[] = {
	{RDBD_STATUS_SIZE_SECTORS, &DeviceStatus::size_sectors},
	{RDBD_STATUS_UUID_CURRENT, &DeviceStatus::uuid_current},
	{RDBD_STATUS_UUID_BITMAP, &DeviceStatus::uuid_bitmap},
	{RDBD_STATUS_UUID_HISTORY0, &DeviceStatus::uuid_history0},
	{RDBD_STATUS_UUID_HISTORY1, &DeviceStatus::uuid_history1},
	{RDBD_STATUS_DISK_WRITTEN_KIB, &DeviceStatus::disk_written_kib},
	{RDBD_STATUS_DISK_READ_KIB, &DeviceStatus::disk_read_kib},
	{RDBD_STATUS_NET_SENT_KIB, &DeviceStatus::net_sent_kib},
	{RDBD_STATUS_NET_RECEIVED_KIB, &DeviceStatus::net_received_kib},
	{RDBD_STATUS_OUT_OF_SYNC_KIB, &DeviceStatus::out_of_sync_kib},
	{RDBD_STATUS_RESYNC_SENT_KIB, &DeviceStatus::resync_sent_kib},
	{RDBD_STATUS_RESYNC_RECEIVED_KIB, &DeviceStatus::resync_received_kib},
	{RDBD_STATUS_SYNC_TOTAL_KIB, &DeviceStatus::sync_total_kib},
	{RDBD_STATUS_SYNC_ELAPSED_MS, &DeviceStatus::sync_elapsed_ms},
	{RDBD_STATUS_BM_WRITES, &DeviceStatus::bitmap_writes},
	{RDBD_STATUS_AL_WRITES, &DeviceStatus::al_writes},
	{RDBD_STATUS_IO_ERRORS, &DeviceStatus::io_errors},
	{RDBD_STATUS_PEER_READ_KIB, &DeviceStatus::peer_read_kib},
	{RDBD_STATUS_VERIFY_DONE_KIB, &DeviceStatus::verify_done_kib},
	{RDBD_STATUS_VERIFY_TOTAL_KIB, &DeviceStatus::verify_total_kib},
	{RDBD_STATUS_VERIFY_OOS_KIB, &DeviceStatus::verify_oos_kib},
};

const StatusField<std::string> kStringFields[] = {
	{RDBD_STATUS_BACKING_PATH, &DeviceStatus::backing_path},
	{RDBD_STATUS_LAST_ERROR, &DeviceStatus::last_error},
};

using StatusPolicy = std::array<nla_policy, RDBD_STATUS_MAX + 1>;
using StatusAttrs = std::array<nlattr *, RDBD_STATUS_MAX + 1>;

StatusPolicy status_policy()
{
	StatusPolicy p{};
	for (const auto &f : kU8Fields)
		p[f.attr].type = NLA_U8;
	for (const auto &f : kU32Fields)
		p[f.attr].type = NLA_U32;
	for (const auto &f : kU64Fields)
		p[f.attr].type = NLA_U64;
	for (const auto &f : kStringFields)
		p[f.attr].type = NLA_STRING;
	return p;
}

std::array<nla_policy, RDBD_A_MAX + 1> top_policy()
{
	std::array<nla_policy, RDBD_A_MAX + 1> p{};
	p[RDBD_A_MINOR].type = NLA_U32;
	p[RDBD_A_RES_NAME].type = NLA_STRING;
	p[RDBD_A_STATUS].type = NLA_NESTED;
	return p;
}

void read_fields(const StatusAttrs &a, DeviceStatus &s)
{
	for (const auto &f : kU8Fields)
		if (a[f.attr])
			s.*f.field = nla_get_u8(a[f.attr]);
	for (const auto &f : kU32Fields)
		if (a[f.attr])
			s.*f.field = nla_get_u32(a[f.attr]);
	for (const auto &f : kU64Fields)
		if (a[f.attr])
			s.*f.field = nla_get_u64(a[f.attr]);
	for (const auto &f : kStringFields)
		if (a[f.attr])
			s.*f.field = nla_get_string(a[f.attr]);
	s.disk_options_reported = a[RDBD_STATUS_RESYNC_RATE_KIB] != nullptr;
	s.fencing_reported = a[RDBD_STATUS_FENCING] != nullptr;
}

NetlinkError malformed(int rc)
{
	return NetlinkError(std::string("malformed status from the kernel: ") +
			    nl_geterror(rc));
}

// Width of the progress bar between its brackets, as /proc/drbd's.
constexpr size_t kProgressCells = 20;

std::string progress_bar(double percent)
{
	const auto filled =
		std::min(kProgressCells,
			 static_cast<size_t>(percent / 100.0 * kProgressCells));
	if (filled == kProgressCells)
		return "[" + std::string(kProgressCells, '=') + "]";
	return "[" + std::string(filled, '=') + ">" +
	       std::string(kProgressCells - filled - 1, '.') + "]";
}

// "  rabius connection:WFConnection", or role and disk once connected.
std::string peer_text(const std::string &peer, const DeviceStatus &s)
{
	if (s.conn_state < RDBD_CONN_CONNECTED)
		return "  " + peer +
		       " connection:" + conn_state_name(s.conn_state) +
		       (s.split_brain ? " split-brain" : "") +
		       // fenced while disconnected (fence-peer said so)
		       (s.peer_disk_state == RDBD_DISK_OUTDATED
				? " peer-disk:Outdated"
				: "") +
		       (s.fencing_peer ? " fencing-peer" : "") + "\n";
	std::string text =
		"  " + peer + " role:" + role_name(s.peer_role) + "\n    ";
	if (s.conn_state > RDBD_CONN_CONNECTED)
		text += "replication:" + conn_state_name(s.conn_state) + " ";
	text += "peer-disk:" + disk_state_name(s.peer_disk_state);
	if (const auto percent = s.sync_percent())
		text += " done:" + percent_text(*percent) + "\n        " +
			sync_progress_text(s);
	return text + "\n";
}

std::optional<std::string> protocol_json(uint8_t protocol)
{
	const std::optional<char> letter = protocol_letter(protocol);
	if (!letter)
		return std::nullopt;
	return std::string(1, *letter);
}

void add_states(JsonObject &o, const std::optional<DeviceStatus> &k)
{
	// A state's name, or null for a resource that is not up.
	const auto name = [&k](std::string (*name_of)(unsigned),
			       uint8_t DeviceStatus::*field) {
		return k ? std::optional<std::string>(name_of((*k).*field))
			 : std::nullopt;
	};
	o.add_string_or_null("role", name(role_name, &DeviceStatus::role));
	o.add_string_or_null("disk_state",
			     name(disk_state_name, &DeviceStatus::disk_state));
	o.add_string_or_null("connection_state",
			     name(conn_state_name, &DeviceStatus::conn_state));
	o.add_string_or_null("peer_role",
			     name(role_name, &DeviceStatus::peer_role));
	o.add_string_or_null(
		"peer_disk_state",
		name(disk_state_name, &DeviceStatus::peer_disk_state));
	o.add_string_or_null("protocol",
			     k ? protocol_json(k->protocol) : std::nullopt);
}

// The resync controller; null when not up or not reported by the kernel.
void add_disk_options(JsonObject &o, const DeviceStatus &s)
{
	static const std::pair<const char *, uint32_t DeviceStatus::*>
		kOptions[] = {
			{"resync_rate_kib", &DeviceStatus::resync_rate_kib},
			{"c_plan_ahead_ds", &DeviceStatus::c_plan_ahead_ds},
			{"c_min_rate_kib", &DeviceStatus::c_min_rate_kib},
			{"c_max_rate_kib", &DeviceStatus::c_max_rate_kib},
			{"al_extents", &DeviceStatus::al_extents},
		};
	for (const auto &[key, field] : kOptions) {
		if (s.disk_options_reported)
			o.add_number(key, s.*field);
		else
			o.add_null(key);
	}
}

} // namespace

bool DeviceStatus::resyncing() const
{
	return conn_state == RDBD_CONN_SYNC_SOURCE ||
	       conn_state == RDBD_CONN_SYNC_TARGET ||
	       conn_state == RDBD_CONN_PAUSED_SYNC_S ||
	       conn_state == RDBD_CONN_PAUSED_SYNC_T;
}

bool DeviceStatus::verifying() const
{
	return conn_state == RDBD_CONN_VERIFY_S ||
	       conn_state == RDBD_CONN_VERIFY_T;
}

// Rounded down to a tenth, so that 100.0 is only ever shown when done.
static double percent_floor(uint64_t done, uint64_t total)
{
	return std::floor(1000.0 * static_cast<double>(done) /
			  static_cast<double>(total)) /
	       10.0;
}

std::optional<double> DeviceStatus::sync_percent() const
{
	if (verifying())
		return verify_total_kib == 0
			       ? 0.0
			       : percent_floor(std::min(verify_done_kib,
							verify_total_kib),
					       verify_total_kib);
	if (!resyncing())
		return std::nullopt;
	// Until the kernel has sized the sync (total 0), nothing is done.
	if (sync_total_kib == 0 || out_of_sync_kib >= sync_total_kib)
		return 0.0;
	return percent_floor(sync_total_kib - out_of_sync_kib, sync_total_kib);
}

std::optional<uint64_t> DeviceStatus::sync_eta_seconds() const
{
	if (!resyncing() || out_of_sync_kib >= sync_total_kib)
		return std::nullopt;
	const double done_kib =
		static_cast<double>(sync_total_kib - out_of_sync_kib);
	// left / (done / elapsed), in double: left * elapsed can overflow
	// 64 bits for a large disk and a long sync.
	return static_cast<uint64_t>(static_cast<double>(out_of_sync_kib) *
				     static_cast<double>(sync_elapsed_ms) /
				     done_kib / 1000.0);
}

DeviceEvent parse_event(nl_msg *msg)
{
	static auto policy = top_policy();
	static auto nested_policy = status_policy();
	std::array<nlattr *, RDBD_A_MAX + 1> top{};
	int rc = genlmsg_parse(nlmsg_hdr(msg), 0, top.data(), RDBD_A_MAX,
			       policy.data());
	if (rc < 0)
		throw malformed(rc);
	if (!top[RDBD_A_MINOR])
		throw NetlinkError(
			"malformed status from the kernel: no minor");

	DeviceEvent e;
	e.minor = nla_get_u32(top[RDBD_A_MINOR]);
	if (top[RDBD_A_RES_NAME])
		e.resource = nla_get_string(top[RDBD_A_RES_NAME]);
	if (!top[RDBD_A_STATUS])
		return e;
	StatusAttrs attrs{};
	rc = nla_parse_nested(attrs.data(), RDBD_STATUS_MAX, top[RDBD_A_STATUS],
			      nested_policy.data());
	if (rc < 0)
		throw malformed(rc);
	e.status.emplace();
	e.status->minor = e.minor;
	e.status->resource = e.resource;
	read_fields(attrs, *e.status);
	return e;
}

// A reply without STATUS reads as a device with every field at its
// default, as before events existed.
DeviceStatus parse_status(nl_msg *msg)
{
	DeviceEvent e = parse_event(msg);
	if (e.status)
		return *e.status;
	DeviceStatus s;
	s.minor = e.minor;
	s.resource = e.resource;
	return s;
}

std::vector<DeviceStatus> query_all_status(GenlClient &kernel)
{
	std::vector<DeviceStatus> devices;
	const NlMessage request =
		kernel.new_request(RDBD_CMD_GET_STATUS, NLM_F_DUMP);
	const NlResult r = kernel.transact(request.get(), [&](nl_msg *m) {
		devices.push_back(parse_status(m));
	});
	if (r.error)
		throw KernelError("cannot read the status of rdbd devices: " +
					  (r.extack.empty()
						   ? nl_geterror(-r.error)
						   : r.extack),
				  -r.error, r.extack);
	return devices;
}

std::vector<ResourceState>
match_status(const std::vector<NodeResource> &resources,
	     const std::vector<DeviceStatus> &devices)
{
	std::vector<ResourceState> states;
	for (const NodeResource &r : resources) {
		ResourceState state{r, std::nullopt};
		for (const DeviceStatus &d : devices)
			if (d.minor == r.minor() && d.resource == r.name())
				state.kernel = d;
		states.push_back(std::move(state));
	}
	return states;
}

std::string percent_text(double percent)
{
	char text[16];
	std::snprintf(text, sizeof(text), "%.1f", percent);
	return text;
}

std::string duration_text(std::optional<uint64_t> seconds)
{
	if (!seconds)
		return "-:--:--";
	char text[32];
	std::snprintf(text, sizeof(text), "%llu:%02u:%02u",
		      static_cast<unsigned long long>(*seconds / 3600),
		      static_cast<unsigned>(*seconds / 60 % 60),
		      static_cast<unsigned>(*seconds % 60));
	return text;
}

std::string sync_progress_text(const DeviceStatus &s)
{
	const std::optional<double> percent = s.sync_percent();
	if (!percent)
		return "";
	return progress_bar(*percent) + " " + percent_text(*percent) +
	       "% eta " + duration_text(s.sync_eta_seconds());
}

std::string status_text(const ResourceState &state)
{
	const std::string &name = state.config.name();
	if (!state.kernel)
		return name + ": not up\n";
	const DeviceStatus &s = *state.kernel;
	return name + " role:" + role_name(s.role) +
	       (s.suspended ? " suspended:fencing" : "") +
	       "\n  disk:" + disk_state_name(s.disk_state) + "\n" +
	       peer_text(state.config.peer->name, s);
}

JsonObject status_json(const ResourceState &state)
{
	return status_json(state.config.name(), state.config.minor(),
			   state.kernel);
}

JsonObject status_json(const std::string &name, unsigned minor,
		       const std::optional<DeviceStatus> &k)
{
	const DeviceStatus none;
	const DeviceStatus &s = k ? *k : none;
	JsonObject o;
	o.add_string("name", name);
	o.add_number("minor", minor);
	add_states(o, k);
	o.add_number("out_of_sync_kib", s.out_of_sync_kib);
	o.add_number_or_null("sync_percent", s.sync_percent(), 1);
	o.add_number("net_sent_kib", s.net_sent_kib);
	o.add_number("net_received_kib", s.net_received_kib);
	o.add_number("resync_sent_kib", s.resync_sent_kib);
	o.add_number("resync_received_kib", s.resync_received_kib);
	o.add_number("disk_written_kib", s.disk_written_kib);
	o.add_number("disk_read_kib", s.disk_read_kib);
	o.add_number("bitmap_writes", s.bitmap_writes);
	o.add_number("al_writes", s.al_writes);
	o.add_number("io_errors", s.io_errors);
	o.add_number("peer_read_kib", s.peer_read_kib);
	o.add_number("split_brain", s.split_brain);
	o.add_number("verify_done_kib", s.verify_done_kib);
	o.add_number("verify_total_kib", s.verify_total_kib);
	o.add_number("verify_oos_kib", s.verify_oos_kib);
	add_disk_options(o, s);
	static const char *const kFencing[] = {"dont-care", "resource-only",
					       "resource-and-stonith"};
	if (s.fencing_reported && s.fencing < std::size(kFencing))
		o.add_string("fencing", kFencing[s.fencing]);
	else
		o.add_null("fencing");
	o.add_number("suspended", s.suspended);
	o.add_number("fencing_peer", s.fencing_peer);
	return o;
}

} // namespace rdbd
