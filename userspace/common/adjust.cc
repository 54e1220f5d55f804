#include "adjust.h"

#include <rdbd/genl.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "states.h"
#include "status.h"

namespace rdbd {

namespace {

// FNV-1a: enough to notice that the secret changed; the record is no
// place for the secret itself, nor for anything that helps guess it.
std::string fingerprint(const std::string &secret)
{
	uint64_t h = 14695981039346656037ULL;
	for (unsigned char c : secret) {
		h ^= c;
		h *= 1099511628211ULL;
	}
	char text[17];
	std::snprintf(text, sizeof(text), "%016llx",
		      static_cast<unsigned long long>(h));
	return text;
}

std::vector<std::string> words(const std::string &text)
{
	std::istringstream in(text);
	std::vector<std::string> list;
	for (std::string w; in >> w;)
		list.push_back(w);
	return list;
}

// "protocol=C -> protocol=A, timeout-ms=6000 -> timeout-ms=5000": the
// words of two connect texts that differ, pairwise.
std::string changed_words(const std::string &before, const std::string &after)
{
	const std::vector<std::string> a = words(before), b = words(after);
	std::string list;
	for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
		const std::string x = i < a.size() ? a[i] : "(none)";
		const std::string y = i < b.size() ? b[i] : "(none)";
		if (x != y)
			list += (list.empty() ? "" : ", ") + x + " -> " + y;
	}
	return list;
}

ConnectOp configured_connect(const NodeResource &r)
{
	return std::get<ConnectOp>(plan_connect(r).front().op);
}

// What differs between the running connection and the configuration, or
// "" when nothing the kernel or the record shows does.  The kernel's own
// protocol is checked even with a record: a connect made by other means
// than rdbdadm leaves the record behind.
std::string net_change(const NodeResource &r, const DeviceStatus &k,
		       const std::optional<std::string> &applied)
{
	const ConnectOp want = configured_connect(r);
	if (applied) {
		const std::string changed =
			changed_words(*applied, applied_net_text(want));
		if (!changed.empty())
			return changed;
	}
	const std::optional<char> running = protocol_letter(k.protocol);
	if (running && *running != want.protocol)
		return std::string("protocol=") + *running +
		       " -> protocol=" + want.protocol;
	return "";
}

// The options a device starts with: the kernel's defaults, DRBD's.
DiskOptsOp default_disk_opts(unsigned minor)
{
	const DiskOptions d;
	return {minor,		   d.resync_rate_kib, d.c_plan_ahead_ds,
		d.c_min_rate_kib, d.c_max_rate_kib,  d.al_extents,
		RDBD_ON_IO_ERROR_DETACH, RDBD_FENCING_DONT_CARE};
}

// Sets the fields that `text` (a record) names, ignoring anything else.
void read_disk_record(const std::string &text, DiskOptsOp &op)
{
	for (const std::string &w : words(text)) {
		const size_t eq = w.find('=');
		if (eq == std::string::npos)
			continue;
		for (const DiskOptField &f : kDiskOptFields)
			if (w.compare(0, eq, f.name) == 0 &&
			    std::string(f.name).size() == eq)
				if (auto v = parse_disk_opt(f, w.substr(eq + 1)))
					op.*f.field = v;
	}
}

DiskOptsOp running_disk_opts(const NodeResource &r, const DeviceStatus &k,
			     const std::optional<std::string> &applied)
{
	DiskOptsOp op = default_disk_opts(r.minor());
	if (applied)
		read_disk_record(*applied, op);
	if (k.disk_options_reported) { // all but on-io-error
		op.resync_rate_kib = k.resync_rate_kib;
		op.c_plan_ahead_ds = k.c_plan_ahead_ds;
		op.c_min_rate_kib = k.c_min_rate_kib;
		op.c_max_rate_kib = k.c_max_rate_kib;
		op.al_extents = k.al_extents;
	}
	if (k.fencing_reported)
		op.fencing = k.fencing;
	return op;
}

void append(Plan &plan, const Plan &more)
{
	plan.insert(plan.end(), more.begin(), more.end());
}

void adjust_disk(const NodeResource &r, const DeviceStatus &k,
		 Adjustment &a)
{
	if (k.disk_state == RDBD_DISK_DISKLESS) {
		append(a.plan, plan_attach(r));
		return;
	}
	if (k.backing_path.empty() || k.backing_path == r.self->disk)
		return;
	a.notes.push_back("disk changed from " + k.backing_path + " to " +
			  r.self->disk + ": detaching and attaching");
	append(a.plan, plan_detach(r));
	append(a.plan, plan_attach(r));
}

// Sends only the disk options that differ; before any attach, which is
// when al-extents is read.
void adjust_disk_options(const NodeResource &r, const DeviceStatus &k,
			 const std::optional<std::string> &applied,
			 Adjustment &a)
{
	const DiskOptsOp have = running_disk_opts(r, k, applied);
	const DiskOptsOp want = disk_opts_op(r);
	DiskOptsOp change{r.minor(), {}, {}, {}, {}, {}, {}, {}};
	std::string list;
	for (const DiskOptField &f : kDiskOptFields) {
		if (have.*f.field == want.*f.field)
			continue;
		change.*f.field = want.*f.field;
		list += std::string(list.empty() ? "" : ", ") + f.name + "=" +
			disk_opt_text(f, *(have.*f.field)) + " -> " + f.name +
			"=" + disk_opt_text(f, *(want.*f.field));
	}
	if (list.empty())
		return;
	std::string note = "disk options changed (" + list + "): applied live";
	if (change.al_extents)
		note += "; al-extents takes effect at the next attach "
			"(detach and attach, or down and up)";
	a.notes.push_back(note);
	a.plan.push_back({change, {}});
}

void adjust_net(const NodeResource &r, const DeviceStatus &k,
		const std::optional<std::string> &applied, Adjustment &a)
{
	if (k.conn_state == RDBD_CONN_STANDALONE) {
		append(a.plan, plan_connect(r));
		return;
	}
	const std::string change = net_change(r, k, applied);
	if (change.empty())
		return;
	a.notes.push_back("net options changed (" + change +
			  "); the kernel cannot change them on a live "
			  "connection: disconnecting and connecting again");
	append(a.plan, plan_disconnect(r));
	append(a.plan, plan_connect(r));
}

} // namespace

Adjustment plan_adjustment(const NodeResource &r, const DeviceStatus *kernel,
			   const std::optional<std::string> &applied_net,
			   const std::optional<std::string> &applied_disk)
{
	Adjustment a;
	if (!kernel) {
		a.plan = plan_up(r);
		return a;
	}
	adjust_disk_options(r, *kernel, applied_disk, a);
	adjust_disk(r, *kernel, a);
	adjust_net(r, *kernel, applied_net, a);
	return a;
}

std::string applied_net_text(const ConnectOp &op)
{
	std::string text = format_op(op);
	if (!op.shared_secret.empty())
		text += " secret-fingerprint=" + fingerprint(op.shared_secret);
	return text;
}

std::string applied_net_path(const std::string &dir, const std::string &name)
{
	return dir + "/" + name + ".net";
}

std::string applied_disk_path(const std::string &dir, const std::string &name)
{
	return dir + "/" + name + ".disk";
}

namespace {

void write_record(const std::string &dir, const std::string &path,
		  const std::string &text)
{
	mkdir(dir.c_str(), 0700);
	std::ofstream(path) << text << '\n';
}

std::optional<std::string> read_record(const std::string &path)
{
	std::ifstream in(path);
	std::string line;
	if (!std::getline(in, line))
		return std::nullopt;
	return line;
}

} // namespace

void write_applied_net(const std::string &dir, const ConnectOp &op,
		       const std::string &resource)
{
	write_record(dir, applied_net_path(dir, resource),
		     applied_net_text(op));
}

std::optional<std::string> read_applied_net(const std::string &dir,
					    const std::string &resource)
{
	return read_record(applied_net_path(dir, resource));
}

void forget_applied_net(const std::string &dir, const std::string &resource)
{
	std::remove(applied_net_path(dir, resource).c_str());
}

std::string applied_disk_text(const std::optional<std::string> &before,
			      const DiskOptsOp &op)
{
	DiskOptsOp now = default_disk_opts(op.minor);
	if (before)
		read_disk_record(*before, now);
	for (const DiskOptField &f : kDiskOptFields)
		if (op.*f.field)
			now.*f.field = op.*f.field;
	return format_op(now);
}

void write_applied_disk(const std::string &dir, const DiskOptsOp &op,
			const std::string &resource)
{
	write_record(dir, applied_disk_path(dir, resource),
		     applied_disk_text(read_applied_disk(dir, resource), op));
}

std::optional<std::string> read_applied_disk(const std::string &dir,
					     const std::string &resource)
{
	return read_record(applied_disk_path(dir, resource));
}

void forget_applied_disk(const std::string &dir, const std::string &resource)
{
	std::remove(applied_disk_path(dir, resource).c_str());
}

} // namespace rdbd
