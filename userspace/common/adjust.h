// What `rdbdadm adjust` sends to bring a running device in line with the
// configuration, and why.
//
// The kernel's status says whether the device is up, attached (and to
// which disk), connected and with which protocol.  It does not report the
// other net options (timers, authentication), so every successful connect
// leaves a record of the options it sent in /run/rdbd/RES.net; adjust
// compares the configuration with that record, and the protocol with the
// kernel's too (the only net option a connection without a record, made
// by an older rdbdadm, can be checked on).
//
// The kernel cannot change net options on a live connection: a change is
// applied as disconnect + connect, and the notes say so.
//
// Disk options (the resync controller) can be set at any time: adjust
// sends just the ones that differ.  It compares with the kernel's report
// of them; with a kernel that does not report them, with the record in
// /run/rdbd/RES.disk that every disk-options operation updates, or else
// with the defaults a new device starts with.  al-extents is only read
// when a disk is attached: a change is sent for the next attach, and the
// notes say so.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ops.h"

namespace rdbd {

struct DeviceStatus;

struct Adjustment {
	Plan plan;
	std::vector<std::string> notes; // one line each, for the operator
};

// `kernel` null: the device is not up.  `applied_net` is the record of
// the last connect (applied_net_text()), `applied_disk` the one of the
// disk options (applied_disk_text()), if there is one.
Adjustment
plan_adjustment(const NodeResource &r, const DeviceStatus *kernel,
		const std::optional<std::string> &applied_net,
		const std::optional<std::string> &applied_disk = std::nullopt);

// The connect options as recorded: the dry-run text of the connect, with
// a fingerprint of the secret in place of "<hidden>" so that a new secret
// counts as a change without the secret being written anywhere.
std::string applied_net_text(const ConnectOp &op);

// Where the record of resource `name` lives, under `dir`.
std::string applied_net_path(const std::string &dir, const std::string &name);

inline constexpr const char *kAppliedNetDir = "/run/rdbd";

// Best effort: a record that cannot be written only makes the next adjust
// compare less.  Read gives nullopt when there is none.
void write_applied_net(const std::string &dir, const ConnectOp &op,
		       const std::string &resource);
std::optional<std::string> read_applied_net(const std::string &dir,
					    const std::string &resource);
void forget_applied_net(const std::string &dir, const std::string &resource);

// The disk options in force once `op` (which may set only some) is
// applied on top of `before` (a record, or nothing: the defaults), as a
// record: the dry-run text of a disk-options setting them all.
std::string applied_disk_text(const std::optional<std::string> &before,
			      const DiskOptsOp &op);
std::string applied_disk_path(const std::string &dir, const std::string &name);
void write_applied_disk(const std::string &dir, const DiskOptsOp &op,
			const std::string &resource);
std::optional<std::string> read_applied_disk(const std::string &dir,
					     const std::string &resource);
void forget_applied_disk(const std::string &dir, const std::string &resource);

} // namespace rdbd
