// The resync commands: connect (with --discard-my-data), disk-options,
// pause-sync, resume-sync, outdate, invalidate, invalidate-remote and
// verify.
#include "command.h"
#include "config_error.h"
#include "error.h"

namespace rdbd::adm {
namespace {

// connect RES|all [--discard-my-data]
void connect_arguments(po::options_description &options,
		       po::positional_options_description &positional)
{
	add_resource_argument(options, positional, false);
	options.add_options()(
		"discard-my-data",
		"after a split brain: this node's changes are the ones to "
		"lose; it becomes the sync target of its peer")(
		"after-sb-0pri", po::value<std::string>(),
		"split-brain policy with no Primary (overrides net { })")(
		"after-sb-1pri", po::value<std::string>(),
		"split-brain policy with one Primary")(
		"after-sb-2pri", po::value<std::string>(),
		"split-brain policy with two Primaries");
}

int connect_execute(Session &session, const po::variables_map &args)
{
	const bool discard = args.count("discard-my-data") > 0;
	std::array<std::string, 3> after_sb;
	for (int i = 0; i < 3; ++i) {
		const std::string key = "after-sb-" + std::to_string(i) + "pri";
		if (!args.count(key))
			continue;
		after_sb[i] = args[key].as<std::string>();
		// A bad word on the command line is a usage error, said
		// before any resource is looked at.
		try {
			after_sb_value(i, after_sb[i]);
		} catch (const ConfigError &e) {
			throw UsageError(std::string("--") + e.what());
		}
	}
	return session.run_plans(resource_argument(args),
				 [discard, after_sb](const NodeResource &r) {
					 return plan_connect(r, discard,
							     after_sb);
				 });
}

// disk-options RES|all [--resync-rate KIB] [--c-plan-ahead DS] ...
// Values not given come from the configuration's disk section.
void disk_options_arguments(po::options_description &options,
			    po::positional_options_description &positional)
{
	add_resource_argument(options, positional, false);
	options.add_options()("resync-rate", po::value<uint32_t>(),
			      "KiB/s of the fixed-rate controller")(
		"c-plan-ahead", po::value<uint32_t>(),
		"tenths of a second; 0 selects the fixed rate")(
		"c-min-rate", po::value<uint32_t>(),
		"KiB/s a resync keeps while applications write")(
		"c-max-rate", po::value<uint32_t>(),
		"KiB/s a resync never exceeds")(
		"al-extents", po::value<uint32_t>(),
		"hot 4 MiB extents of the activity log (next attach)")(
		"fencing", po::value<std::string>(),
		"dont-care, resource-only or resource-and-stonith");
}

uint32_t fencing_value(const std::string &word)
{
	for (const DiskOptField &f : kDiskOptFields)
		if (std::string(f.name) == "fencing")
			if (const auto v = parse_disk_opt(f, word);
			    v && *v < f.value_names.size())
				return *v;
	throw UsageError("--fencing " + word +
			 ": expected dont-care, resource-only or "
			 "resource-and-stonith");
}

void override_from(const po::variables_map &args, const char *name,
		   std::optional<uint32_t> &field)
{
	if (args.count(name))
		field = args[name].as<uint32_t>();
}

int disk_options_execute(Session &session, const po::variables_map &args)
{
	return session.run_plans(
		resource_argument(args), [&args](const NodeResource &r) {
			DiskOptsOp op = disk_opts_op(r);
			override_from(args, "resync-rate", op.resync_rate_kib);
			override_from(args, "c-plan-ahead", op.c_plan_ahead_ds);
			override_from(args, "c-min-rate", op.c_min_rate_kib);
			override_from(args, "c-max-rate", op.c_max_rate_kib);
			override_from(args, "al-extents", op.al_extents);
			if (args.count("fencing"))
				op.fencing = fencing_value(
					args["fencing"].as<std::string>());
			return Plan{{op, {}}};
		});
}

template <Plan (*plan_for)(const NodeResource &)>
int run_plan(Session &session, const po::variables_map &args)
{
	return session.run_plans(resource_argument(args), plan_for);
}

const CommandRegistration registrations[] = {
	CommandRegistration({"connect",
			     "RES|all [--discard-my-data] "
			     "[--after-sb-Npri POLICY]",
			     "start connecting to the peer (WFConnection)",
			     connect_arguments, connect_execute}),
	CommandRegistration(
		{"disk-options",
		 "RES|all [--resync-rate KIB] [--c-plan-ahead DS] "
		 "[--c-min-rate KIB] [--c-max-rate KIB] [--al-extents N] "
		 "[--fencing POLICY]",
		 "set the resync rate controller (default: the configuration)",
		 disk_options_arguments, disk_options_execute}),
	CommandRegistration({"pause-sync", "RES|all",
			     "hold the resync (on both nodes) until resume-sync",
			     resource_arguments, run_plan<plan_pause_sync>}),
	CommandRegistration({"outdate", "RES|all",
			     "mark this node's disk Outdated (not promoted "
			     "without --force); not while connected",
			     resource_arguments, run_plan<plan_outdate>}),
	CommandRegistration({"invalidate", "RES|all",
			     "discard this node's data: a full sync from the "
			     "peer follows",
			     resource_arguments, run_plan<plan_invalidate>}),
	CommandRegistration({"invalidate-remote", "RES|all",
			     "discard the peer's data: a full sync to it "
			     "follows (Connected only)",
			     resource_arguments,
			     run_plan<plan_invalidate_remote>}),
	CommandRegistration({"verify", "RES|all",
			     "compare both disks online and mark the blocks "
			     "that differ out of sync (needs verify-alg)",
			     resource_arguments, run_plan<plan_verify>}),
	CommandRegistration({"resume-io", "RES|all",
			     "end a freeze of application I/O by fencing "
			     "(resource-and-stonith) without fencing the peer",
			     resource_arguments, run_plan<plan_resume_io>}),
	CommandRegistration({"resume-sync", "RES|all",
			     "let a resync held by pause-sync on this node move",
			     resource_arguments, run_plan<plan_resume_sync>}),
};

} // namespace
} // namespace rdbd::adm
