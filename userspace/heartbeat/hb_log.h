// Logging to stderr (foreground), logfile, debugfile and syslog, as ha.cf
// asks.  Debug lines go only to the debugfile (and stderr with -v).
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace rdbd::hb {

enum class Level { kDebug, kInfo, kWarn, kError };

struct LogTargets {
	bool to_stderr = true;
	bool verbose = false; // debug lines on stderr too
	std::string logfile;
	std::string debugfile;
	std::string facility; // syslog facility name; "" or "none": no syslog
};

void log_setup(const LogTargets &targets);
// A name ha.cf's logfacility may give: a syslog facility or "none".
bool is_log_facility(const std::string &name);
void log(Level level, const std::string &message);
inline void log_debug(const std::string &m) { log(Level::kDebug, m); }
inline void log_info(const std::string &m) { log(Level::kInfo, m); }
inline void log_warn(const std::string &m) { log(Level::kWarn, m); }
inline void log_error(const std::string &m) { log(Level::kError, m); }

// At most one line per key per interval: a flood of forged packets must
// not flood the log.  The next line that passes says how many were held.
class RateLimiter {
public:
	explicit RateLimiter(std::chrono::milliseconds interval)
		: interval_(interval)
	{
	}
	// Returns true if a line may go out; `suppressed` is how many were
	// held back since the last one.
	bool allow(const std::string &key, std::chrono::steady_clock::time_point now,
		   unsigned &suppressed);

private:
	struct Slot {
		std::chrono::steady_clock::time_point last;
		unsigned held = 0;
	};
	std::chrono::milliseconds interval_;
	std::map<std::string, Slot> slots_;
};

} // namespace rdbd::hb
