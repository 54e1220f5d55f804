// std::visit with one lambda per alternative of a variant.
#pragma once

namespace rdbd {

template <class... F> struct Overloaded : F... {
	using F::operator()...;
};
template <class... F> Overloaded(F...) -> Overloaded<F...>;

} // namespace rdbd
