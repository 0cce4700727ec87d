#pragma once

#include <string>
#include <string_view>

#include "tests/synth/rng.hpp"

namespace hearth::synth {

/// Names drawn with a Zipf-like skew, so that common names collide as they do in real data
/// (the term-frequency adjustment in linkage needs that).
std::string drawForename(Rng& rng, bool female);
std::string drawSurname(Rng& rng);
/// A familiar form of a forename ("William" -> "Bill"), or an empty string when there is none.
std::string_view nicknameOf(std::string_view forename);
/// One keyboard-style typo: a transposition, a dropped, doubled or substituted letter.
std::string typo(Rng& rng, std::string_view name);

}  // namespace hearth::synth
