// The loop behind wait-connect and wait-sync.
#pragma once

#include "command.h"
#include "status_watch.h"
#include "wait_goal.h"

namespace rdbd::adm {

// RES and --timeout S, as both commands take them.
void wait_arguments(po::options_description &options,
		    po::positional_options_description &positional);

// RES or all.  Returns 0 once the goal is reached; throws TimeoutError (exit 5) at the
// deadline, Error (exit 1) if the resource is not up or can no longer get
// there without the administrator (went down, StandAlone, Diskless).
int wait_for(Session &session, const po::variables_map &args, WaitGoal goal);

// What is left of `timeout` seconds (0: forever) counted from `started`:
// at least 1, so that a spent timeout still looks once, and never
// turns into 0 (forever).
unsigned seconds_left(unsigned timeout, Deadline started);

// The same for resource `name`, given `timeout` seconds (0: forever).
int wait_until(Session &session, const std::string &name, WaitGoal goal,
	       unsigned timeout);

} // namespace rdbd::adm
