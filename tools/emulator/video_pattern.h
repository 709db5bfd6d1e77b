// videotestsrc pattern names, as the script spells them ("smpte", "ball").
// The names come from the installed videotestsrc itself, so the script
// accepts exactly what the encoder will be able to draw.
#pragma once

#include <cstddef>
#include <string>

namespace emulator {

// True when videotestsrc knows the pattern nick. Needs gst_init.
bool is_video_pattern(const std::string &name);
// The known nicks, comma-separated, for error messages.
std::string video_pattern_list();
// A moving, deterministic pattern for the participant at `index`, distinct
// for the first few participants so an active-speaker switch is visible.
std::string default_camera_pattern(size_t index);
// The pattern of a screen share the script does not give one.
constexpr const char *kDefaultSharePattern = "smpte";

}  // namespace emulator
