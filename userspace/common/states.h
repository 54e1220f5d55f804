// Names of the kernel's states, spelled as DRBD 8.4 spells them
// (linux/drbd.h), so that scripts written for drbdadm keep working.
#pragma once

#include <optional>
#include <string>

namespace rdbd {

// A value the table does not know (a newer kernel) reads "Invalid(N)".
std::string role_name(unsigned role);	     // enum rdbd_role
std::string disk_state_name(unsigned state); // enum rdbd_disk_state
std::string conn_state_name(unsigned state); // enum rdbd_conn_state

// "A", "B", "C"; nullopt for 0 (not configured) or an unknown value.
std::optional<char> protocol_letter(unsigned protocol);

} // namespace rdbd
