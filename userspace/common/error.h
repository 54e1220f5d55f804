// Errors carry the exit code they end the program with, so every layer can
// throw and only main() (or a per-resource loop) decides what to print.
#pragma once

#include <stdexcept>
#include <string>

#include "exit_codes.h"

namespace rdbd {

class Error : public std::runtime_error {
public:
	Error(int exit_code, const std::string &message)
		: std::runtime_error(message), exit_code_(exit_code)
	{
	}
	int exit_code() const { return exit_code_; }

private:
	int exit_code_;
};

struct UsageError : Error {
	explicit UsageError(const std::string &m) : Error(kExitUsage, m) {}
};

struct NetlinkError : Error {
	explicit NetlinkError(const std::string &m) : Error(kExitNetlink, m) {}
};

struct TimeoutError : Error {
	explicit TimeoutError(const std::string &m) : Error(kExitTimeout, m) {}
};

// The kernel answered a request with a negative errno.  `message` is what
// the user sees; errno and the raw extack text stay available to callers.
class KernelError : public Error {
public:
	KernelError(const std::string &message, int error, std::string extack)
		: Error(kExitKernelRefused, message), errno_(error),
		  extack_(std::move(extack))
	{
	}
	int error_number() const { return errno_; }
	const std::string &extack() const { return extack_; }

private:
	int errno_;
	std::string extack_;
};

// "rdbdadm: <message>" on stderr: the one place that knows the prefix.
void report_error(const std::string &message);

} // namespace rdbd
