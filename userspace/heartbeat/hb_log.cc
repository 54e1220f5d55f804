#include "hb_log.h"

#include <syslog.h>
#include <time.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

namespace rdbd::hb {

namespace {

LogTargets g_targets;
bool g_syslog_open = false;

const char *level_name(Level l)
{
	switch (l) {
	case Level::kDebug:
		return "debug";
	case Level::kInfo:
		return "info";
	case Level::kWarn:
		return "WARN";
	case Level::kError:
		return "ERROR";
	}
	return "?";
}

int syslog_priority(Level l)
{
	switch (l) {
	case Level::kDebug:
		return LOG_DEBUG;
	case Level::kInfo:
		return LOG_INFO;
	case Level::kWarn:
		return LOG_WARNING;
	case Level::kError:
		return LOG_ERR;
	}
	return LOG_INFO;
}

const std::map<std::string, int> &facilities()
{
	static const std::map<std::string, int> table = {
		{"daemon", LOG_DAEMON}, {"user", LOG_USER},
		{"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},
		{"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},
		{"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
		{"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
		{"authpriv", LOG_AUTHPRIV}};
	return table;
}

int facility_by_name(const std::string &name)
{
	const auto it = facilities().find(name);
	return it == facilities().end() ? LOG_DAEMON : it->second;
}

std::string timestamp()
{
	timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	tm t;
	localtime_r(&ts.tv_sec, &t);
	char buf[40];
	const size_t n = strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &t);
	snprintf(buf + n, sizeof(buf) - n, ".%03ld", ts.tv_nsec / 1000000);
	return buf;
}

void append(const std::string &file, const std::string &line)
{
	std::ofstream out(file, std::ios::app);
	out << line << '\n';
}

} // namespace

bool is_log_facility(const std::string &name)
{
	return name == "none" || facilities().count(name) > 0;
}

void log_setup(const LogTargets &targets)
{
	g_targets = targets;
	if (!targets.facility.empty() && targets.facility != "none") {
		openlog("rdbd-heartbeat", LOG_PID,
			facility_by_name(targets.facility));
		g_syslog_open = true;
	}
}

void log(Level level, const std::string &message)
{
	const std::string line = timestamp() + " rdbd-heartbeat " +
				 level_name(level) + ": " + message;
	if (!g_targets.debugfile.empty())
		append(g_targets.debugfile, line);
	if (level == Level::kDebug) {
		if (g_targets.to_stderr && g_targets.verbose)
			std::cerr << line << std::endl;
		return;
	}
	if (g_targets.to_stderr)
		std::cerr << line << std::endl;
	if (!g_targets.logfile.empty())
		append(g_targets.logfile, line);
	if (g_syslog_open)
		syslog(syslog_priority(level), "%s", message.c_str());
}

bool RateLimiter::allow(const std::string &key,
			std::chrono::steady_clock::time_point now,
			unsigned &suppressed)
{
	auto [it, fresh] = slots_.try_emplace(key);
	Slot &s = it->second;
	if (!fresh && now - s.last < interval_) {
		s.held++;
		return false;
	}
	suppressed = s.held;
	s.held = 0;
	s.last = now;
	return true;
}

} // namespace rdbd::hb
