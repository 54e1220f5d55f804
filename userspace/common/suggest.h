// "did you mean ...?" for mistyped command names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rdbd {

// Levenshtein distance: insertions, deletions and substitutions.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `typed`, if it is near enough to be what was
// meant: at most 2 edits (a third of the word for long names), and fewer
// edits than the word has letters.
std::optional<std::string>
nearest_name(std::string_view typed,
	     const std::vector<std::string> &candidates);

} // namespace rdbd
