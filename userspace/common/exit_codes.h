// Exit codes of rdbdadm and the rdbd tools.  Scripts and the VM tests rely
// on them, so a value never changes meaning; new ones are appended.
#pragma once

namespace rdbd {

enum ExitCode : int {
	kExitOk = 0,
	kExitFailure = 1,	 // anything not listed below
	kExitUsage = 2,		 // bad command line
	kExitConfig = 3,	 // configuration file missing or invalid
	kExitNetlink = 4,	 // module not loaded, or netlink itself failed
	kExitTimeout = 5,	 // the kernel did not answer in time
	kExitKernelRefused = 10, // the kernel answered with an error
};

// The table printed by `rdbdadm --help`, kept next to the values.
inline constexpr const char *kExitCodeHelp =
	"Exit codes:\n"
	"  0   success\n"
	"  1   generic failure\n"
	"  2   usage error\n"
	"  3   configuration error\n"
	"  4   rdbd kernel module not loaded, or netlink failure\n"
	"  5   timeout\n"
	"  10  the kernel refused the request (its message is printed)\n";

} // namespace rdbd
