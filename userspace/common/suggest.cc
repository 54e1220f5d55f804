#include "suggest.h"

#include <algorithm>

namespace rdbd {

size_t edit_distance(std::string_view a, std::string_view b)
{
	// One row of the dynamic-programming table at a time.
	std::vector<size_t> row(b.size() + 1);
	for (size_t j = 0; j <= b.size(); ++j)
		row[j] = j;
	for (size_t i = 1; i <= a.size(); ++i) {
		size_t diagonal = row[0];
		row[0] = i;
		for (size_t j = 1; j <= b.size(); ++j) {
			const size_t substitute =
				diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
			diagonal = row[j];
			row[j] = std::min(
				{row[j] + 1, row[j - 1] + 1, substitute});
		}
	}
	return row[b.size()];
}

std::optional<std::string>
nearest_name(std::string_view typed, const std::vector<std::string> &candidates)
{
	const std::string *best = nullptr;
	size_t best_distance = 0;
	for (const std::string &c : candidates) {
		const size_t d = edit_distance(typed, c);
		if (!best || d < best_distance) {
			best = &c;
			best_distance = d;
		}
	}
	// Replacing every letter is no longer a typo.
	const size_t allowed = std::max<size_t>(2, typed.size() / 3);
	if (!best || best_distance > allowed || best_distance >= typed.size())
		return std::nullopt;
	return *best;
}

} // namespace rdbd
