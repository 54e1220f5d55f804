// Writes a resource back as configuration text: canonical indentation, one
// key per line, inherited values and defaults written out in every `on`
// section.  parse_config() of the text gives the same ResourceConfig.
#pragma once

#include <string>

#include "config.h"

namespace rdbd {

std::string dump_resource(const ResourceConfig &resource);

// A word as the lexer reads it back: quoted only when it has to be.
std::string config_word(const std::string &word);

} // namespace rdbd
