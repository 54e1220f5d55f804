#include "error.h"

#include <iostream>

namespace rdbd {

void report_error(const std::string &message)
{
	std::cerr << "rdbdadm: " << message << '\n';
}

} // namespace rdbd
