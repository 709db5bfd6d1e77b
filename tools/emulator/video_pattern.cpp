#include "video_pattern.h"

#include <gst/gst.h>

namespace emulator {
namespace {

// The enum class behind videotestsrc's "pattern" property, or nullptr
// when the element is missing (the caller then reports every name unknown).
GEnumClass *pattern_enum() {
  g_autoptr(GstElementFactory) factory = gst_element_factory_find("videotestsrc");
  if (factory == nullptr) return nullptr;
  g_autoptr(GstPluginFeature) loaded = gst_plugin_feature_load(GST_PLUGIN_FEATURE(factory));
  if (loaded == nullptr) return nullptr;
  GType element_type = gst_element_factory_get_element_type(GST_ELEMENT_FACTORY(loaded));
  if (element_type == G_TYPE_INVALID) return nullptr;
  g_autoptr(GTypeClass) element_class = static_cast<GTypeClass *>(g_type_class_ref(element_type));
  GParamSpec *spec = g_object_class_find_property(G_OBJECT_CLASS(element_class), "pattern");
  if (spec == nullptr || !G_IS_PARAM_SPEC_ENUM(spec)) return nullptr;
  // Enum classes stay alive once referenced, so the pointer outlives the
  // element class reference dropped here.
  return G_PARAM_SPEC_ENUM(spec)->enum_class;
}

// "snow" and its relatives are left out of the defaults: random noise
// compresses badly and would change from run to run.
constexpr const char *kCameraPatterns[] = {"ball", "pinwheel", "circular", "spokes",
                                           "zone-plate", "gradient", "colors", "checkers-8"};

}  // namespace

bool is_video_pattern(const std::string &name) {
  GEnumClass *patterns = pattern_enum();
  return patterns != nullptr && g_enum_get_value_by_nick(patterns, name.c_str()) != nullptr;
}

std::string video_pattern_list() {
  GEnumClass *patterns = pattern_enum();
  if (patterns == nullptr) return "none: videotestsrc is not installed";
  std::string list;
  for (guint i = 0; i < patterns->n_values; ++i)
    list += (list.empty() ? "" : ", ") + std::string(patterns->values[i].value_nick);
  return list;
}

std::string default_camera_pattern(size_t index) {
  return kCameraPatterns[index % (sizeof(kCameraPatterns) / sizeof(kCameraPatterns[0]))];
}

}  // namespace emulator
