#include "hb_ops.h"

#include "hb_config.h"
#include "hb_text.h"

namespace rdbd::hb {

namespace {

// A resource an rsc_options line names: its full token, or its script.
bool names(const std::string &name, const ResourceSpec &spec)
{
	return name == spec.text || name == spec.name;
}

} // namespace

const std::vector<std::string> &ops_keys()
{
	static const std::vector<std::string> keys = {
		"start_timeout",    "stop_timeout", "status_timeout",
		"monitor_interval", "max_restarts", "failure_timeout"};
	return keys;
}

void OpsOverride::apply_to(ResourceOps &ops) const
{
	if (start_timeout)
		ops.start_timeout = *start_timeout;
	if (stop_timeout)
		ops.stop_timeout = *stop_timeout;
	if (status_timeout)
		ops.status_timeout = *status_timeout;
	if (monitor_interval)
		ops.monitor_interval = *monitor_interval;
	if (max_restarts)
		ops.max_restarts = *max_restarts;
	if (failure_timeout)
		ops.failure_timeout = *failure_timeout;
}

ResourceOps OpsConfig::for_resource(const ResourceSpec &spec) const
{
	ResourceOps ops;
	defaults.apply_to(ops);
	for (const auto &[name, o] : resources)
		if (names(name, spec))
			o.apply_to(ops);
	return ops;
}

void OpsConfig::check(const Haresources &haresources) const
{
	for (const auto &[name, o] : resources) {
		size_t found = 0;
		bool exact = false;
		for (const auto &g : haresources.groups)
			for (const auto &r : g.resources)
				if (names(name, r)) {
					found++;
					exact |= name == r.text;
				}
		if (!found)
			throw ConfigError(o.where + ": rsc_options names '" +
					  name + "', which is not in haresources");
		if (found > 1 && !exact)
			throw ConfigError(o.where + ": rsc_options '" + name +
					  "' names " + std::to_string(found) +
					  " resources of haresources; use the "
					  "full name (e.g. " + name + "::ARG)");
	}
}

void parse_ops_words(const std::vector<std::string> &words, size_t first,
		     const std::string &where, OpsOverride &out)
{
	auto fail = [&where](const std::string &m) {
		throw ConfigError(where + ": " + m);
	};
	if (first >= words.size())
		fail("'" + words[0] + "' needs KEY=VALUE settings (" +
		     join(ops_keys(), ", ") + ")");
	out.where = where;
	for (size_t i = first; i < words.size(); i++) {
		const std::string &w = words[i];
		const size_t eq = w.find('=');
		if (eq == std::string::npos)
			fail("'" + w + "' is not KEY=VALUE (keys: " +
			     join(ops_keys(), ", ") + ")");
		const std::string key = w.substr(0, eq), value = w.substr(eq + 1);
		if (key == "max_restarts") {
			const auto n = parse_unsigned(value);
			if (!n || *n > 1000)
				fail("bad max_restarts '" + value +
				     "' (a count, 0-1000)");
			out.max_restarts = static_cast<unsigned>(*n);
			continue;
		}
		std::optional<Millis> *field =
			key == "start_timeout"	    ? &out.start_timeout
			: key == "stop_timeout"	    ? &out.stop_timeout
			: key == "status_timeout"   ? &out.status_timeout
			: key == "monitor_interval" ? &out.monitor_interval
			: key == "failure_timeout"  ? &out.failure_timeout
						    : nullptr;
		if (!field)
			fail("unknown key '" + key + "' (keys: " +
			     join(ops_keys(), ", ") + ")");
		const auto d = parse_duration(value);
		if (!d)
			fail("bad time '" + value + "' for " + key +
			     " (seconds like 20, or 500ms)");
		// 0 means "off" for these two; a timeout must be positive.
		if (d->count() == 0 && key != "monitor_interval" &&
		    key != "failure_timeout")
			fail(key + " must be more than 0");
		*field = *d;
	}
}

} // namespace rdbd::hb
