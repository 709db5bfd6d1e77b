// rtms::GRef<T> (gst/rtms/common/gref.h, gst_gref.h): adopt takes no
// reference, share, copies and copy assignment take one each, moves none,
// and every reference is dropped exactly once. Counted through the types'
// own refcounts and checked with weak references and free functions; the
// ASan build adds leak and use-after-free checks on top.
#include <gst/check/gstcheck.h>

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/gst_gref.h"

using rtms::GRef;

static_assert(std::is_copy_constructible_v<GRef<GObject>> && std::is_copy_assignable_v<GRef<GObject>>);
static_assert(std::is_copy_constructible_v<GRef<GstCaps>> && std::is_copy_constructible_v<GRef<JsonNode>>);
static_assert(std::is_nothrow_move_constructible_v<GRef<GObject>> && std::is_nothrow_move_assignable_v<GRef<GObject>>);
// One owner: moved, never copied.
static_assert(!std::is_copy_constructible_v<GRef<GError>> && !std::is_copy_assignable_v<GRef<GError>>);
static_assert(!std::is_copy_constructible_v<GRef<char>> && !std::is_copy_constructible_v<GRef<GstStructure>>);
static_assert(!std::is_copy_constructible_v<rtms::PipelineRef> && std::is_move_constructible_v<rtms::PipelineRef>);
static_assert(std::is_nothrow_move_constructible_v<GRef<GError>> && std::is_nothrow_move_assignable_v<GRef<char>>);
static_assert(!std::is_copy_constructible_v<rtms::SourceId>);
// The deducing helpers give the holder of the pointer's type.
static_assert(std::is_same_v<decltype(rtms::adopt(static_cast<GstCaps *>(nullptr))), GRef<GstCaps>>);
static_assert(std::is_same_v<decltype(rtms::adopt(static_cast<gchar *>(nullptr))), GRef<char>>);

static guint refs(gpointer object) { return G_OBJECT(object)->ref_count; }

// A weak reference that notes when its object is finalized.
struct Gone {
  bool gone = false;
  explicit Gone(GObject *object) {
    g_object_weak_ref(object, [](gpointer self, GObject *) { static_cast<Gone *>(self)->gone = true; }, this);
  }
};

GST_START_TEST(adopt_takes_over_share_adds) {
  GObject *object = G_OBJECT(g_object_new(G_TYPE_OBJECT, nullptr));
  Gone watch(object);
  {
    GRef<GObject> owner = GRef<GObject>::adopt(object);
    fail_unless_equals_int(refs(object), 1);
    fail_unless(owner.get() == object && owner);
    {
      GRef<GObject> other = rtms::share(object);
      fail_unless_equals_int(refs(object), 2);
    }
    fail_unless_equals_int(refs(object), 1);
    fail_if(watch.gone);
  }
  fail_unless(watch.gone, "the adopted reference was not dropped");

  GRef<GObject> none = GRef<GObject>::share(nullptr);
  fail_if(none);
  fail_if(GRef<GObject>(nullptr));
}
GST_END_TEST;

GST_START_TEST(copy_refs_move_does_not) {
  auto owner = rtms::adopt(G_OBJECT(g_object_new(G_TYPE_OBJECT, nullptr)));
  GObject *object = owner.get();
  Gone watch(object);
  {
    GRef<GObject> copy = owner;
    fail_unless_equals_int(refs(object), 2);
    GRef<GObject> moved = std::move(copy);
    fail_unless_equals_int(refs(object), 2);
    fail_if(copy);  // NOLINT: a moved-from holder is empty
    fail_unless(moved.get() == object);

    std::vector<GRef<GObject>> many(3, owner);
    fail_unless_equals_int(refs(object), 5);
    many.reserve(64);  // reallocation moves
    fail_unless_equals_int(refs(object), 5);
  }
  fail_unless_equals_int(refs(object), 1);

  // Assignment: the old reference is dropped, the new one taken once.
  auto second = rtms::adopt(G_OBJECT(g_object_new(G_TYPE_OBJECT, nullptr)));
  Gone second_watch(second.get());
  GRef<GObject> target = second;
  fail_unless_equals_int(refs(second.get()), 2);
  target = owner;
  fail_unless_equals_int(refs(object), 2);
  fail_unless_equals_int(refs(second.get()), 1);
  const GRef<GObject> &alias = target;
  target = alias;  // self-assignment keeps the one reference
  fail_unless_equals_int(refs(object), 2);
  target = std::move(second);
  fail_unless(second_watch.gone == false && refs(target.get()) == 1);
  fail_unless_equals_int(refs(object), 1);
  GRef<GObject> &self = target;
  target = std::move(self);  // self-move keeps it too
  fail_unless_equals_int(refs(target.get()), 1);
  target = nullptr;
  fail_unless(second_watch.gone);
  owner.reset();
  fail_unless(watch.gone && !owner);
}
GST_END_TEST;

GST_START_TEST(release_hands_the_reference_back) {
  auto owner = rtms::adopt(G_OBJECT(g_object_new(G_TYPE_OBJECT, nullptr)));
  GObject *raw = owner.release();
  fail_if(owner);
  fail_unless_equals_int(refs(raw), 1);
  Gone watch(raw);
  g_object_unref(raw);
  fail_unless(watch.gone);

  GRef<GObject> a = rtms::adopt(G_OBJECT(g_object_new(G_TYPE_OBJECT, nullptr)));
  GRef<GObject> b;
  GObject *object = a.get();
  a.swap(b);
  fail_unless(!a && b.get() == object);
}
GST_END_TEST;

GST_START_TEST(out_parameters) {
  rtms::GRef<GError> error;
  g_set_error(error.out(), G_IO_ERROR, G_IO_ERROR_FAILED, "first");
  fail_unless(error && g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_FAILED));
  // out() drops what was held, so a second call cannot leak the first.
  g_set_error(error.out(), G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "second");
  fail_unless_equals_string(error->message, "second");

  rtms::GRef<char> text;
  fail_unless(g_file_get_contents("/nonexistent/gref", text.out(), nullptr, error.out()) == FALSE);
  fail_unless(!text && error);

  GRef<char> moved = rtms::adopt(g_strdup("owned"));
  GRef<char> to = std::move(moved);
  fail_unless_equals_string(to.get(), "owned");
  GRef<char *> strv = rtms::adopt(g_strsplit("a,b,c", ",", -1));
  fail_unless_equals_int(g_strv_length(strv.get()), 3);
  auto checksum = rtms::adopt(g_checksum_new(G_CHECKSUM_SHA256));
  fail_unless(checksum);
}
GST_END_TEST;

// Boxed types count through their own ref and unref.
GST_START_TEST(boxed_types) {
  static int freed = 0;
  freed = 0;
  gchar *data = g_strdup("payload");
  GBytes *raw = g_bytes_new_with_free_func(data, 7, [](gpointer p) { g_free(p), freed++; }, data);
  {
    auto bytes = rtms::adopt(raw);
    GRef<GBytes> copy = bytes;
    bytes.reset();
    fail_unless_equals_int(freed, 0);
    fail_unless_equals_int(g_bytes_get_size(copy.get()), 7);
  }
  fail_unless_equals_int(freed, 1);

  auto node = rtms::adopt(json_from_string("{\"a\":[1,2]}", nullptr));
  GRef<JsonNode> same = node;
  node.reset();
  fail_unless(JSON_NODE_HOLDS_OBJECT(same.get()));
  GRef<JsonObject> object = rtms::share(json_node_get_object(same.get()));
  same.reset();
  fail_unless(json_object_has_member(object.get(), "a"));

  auto context = rtms::adopt(g_main_context_new());
  auto loop = rtms::adopt(g_main_loop_new(context.get(), FALSE));
  GRef<GMainContext> shared = rtms::share(g_main_loop_get_context(loop.get()));
  fail_unless(shared.get() == context.get());
}
GST_END_TEST;

GST_START_TEST(gstreamer_mini_objects) {
  auto caps = rtms::adopt(gst_caps_new_empty_simple("text/x-raw"));
  fail_unless_equals_int(GST_MINI_OBJECT_REFCOUNT_VALUE(caps.get()), 1);
  {
    GRef<GstCaps> copy = caps;
    fail_unless_equals_int(GST_MINI_OBJECT_REFCOUNT_VALUE(caps.get()), 2);
    fail_if(gst_caps_is_writable(caps.get()));
    GRef<GstCaps> moved = std::move(copy);
    fail_unless_equals_int(GST_MINI_OBJECT_REFCOUNT_VALUE(caps.get()), 2);
  }
  fail_unless_equals_int(GST_MINI_OBJECT_REFCOUNT_VALUE(caps.get()), 1);
  fail_unless(gst_caps_is_writable(caps.get()));

  auto buffer = rtms::adopt(gst_buffer_new_allocate(nullptr, 16, nullptr));
  GRef<GstBuffer> shared = rtms::share(buffer.get());
  fail_unless_equals_int(GST_MINI_OBJECT_REFCOUNT_VALUE(buffer.get()), 2);
  // A reference handed on ("transfer full") leaves the holder empty.
  auto event = rtms::adopt(gst_event_new_eos());
  GstEvent *handed = event.release();
  fail_unless(!event);
  gst_event_unref(handed);

  auto structure = rtms::adopt(gst_structure_new_empty("s"));
  GRef<GstStructure> owner = std::move(structure);
  fail_unless_equals_string(gst_structure_get_name(owner.get()), "s");
  auto message = rtms::adopt(gst_message_new_eos(nullptr));
  auto sample = rtms::adopt(gst_sample_new(buffer.get(), caps.get(), nullptr, nullptr));
  fail_unless_equals_int(GST_MINI_OBJECT_REFCOUNT_VALUE(buffer.get()), 3);
  sample.reset();
  fail_unless_equals_int(GST_MINI_OBJECT_REFCOUNT_VALUE(buffer.get()), 2);
}
GST_END_TEST;

GST_START_TEST(gstreamer_objects_and_pipelines) {
  GstElement *sink = gst_element_factory_make("fakesink", nullptr);
  fail_unless(sink != nullptr);
  // Floating: the owner sinks it before adopting.
  auto element = rtms::adopt(GST_ELEMENT(gst_object_ref_sink(sink)));
  Gone sink_watch(G_OBJECT(sink));
  {
    GRef<GstElement> copy = element;
    fail_unless_equals_int(GST_OBJECT_REFCOUNT_VALUE(sink), 2);
  }
  fail_unless_equals_int(GST_OBJECT_REFCOUNT_VALUE(sink), 1);
  element.reset();
  fail_unless(sink_watch.gone);

  // A pipeline dropped while PLAYING is brought to NULL first (else
  // GStreamer complains about disposing a running element, and its
  // streaming thread would outlive it).
  GstElement *raw = gst_parse_launch("fakesrc ! fakesink", nullptr);
  fail_unless(raw != nullptr);
  Gone pipeline_watch(G_OBJECT(raw));
  {
    auto pipeline = rtms::PipelineRef::adopt(GST_ELEMENT(gst_object_ref_sink(raw)));
    fail_unless(gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
    fail_unless(gst_element_get_state(pipeline.get(), nullptr, nullptr, 5 * GST_SECOND) == GST_STATE_CHANGE_SUCCESS);
    rtms::PipelineRef moved = std::move(pipeline);
    fail_if(pipeline);
  }
  fail_unless(pipeline_watch.gone);
}
GST_END_TEST;

GST_START_TEST(source_ids_are_removed) {
  bool fired = false;
  guint raw;
  {
    rtms::SourceId id(g_timeout_add(1, [](gpointer flag) -> gboolean {
      *static_cast<bool *>(flag) = true;
      return G_SOURCE_REMOVE;
    }, &fired));
    raw = id.get();
    fail_unless(g_main_context_find_source_by_id(nullptr, raw) != nullptr);
    rtms::SourceId moved = std::move(id);
    fail_unless(!id && moved.get() == raw);
  }
  fail_unless(g_main_context_find_source_by_id(nullptr, raw) == nullptr);
  g_usleep(5000);
  while (g_main_context_iteration(nullptr, FALSE)) {
  }
  fail_if(fired, "a removed source fired");

  // release(): the callback removes its own source, the holder must not.
  rtms::SourceId own(g_idle_add([](gpointer) -> gboolean { return G_SOURCE_REMOVE; }, nullptr));
  guint kept = own.release();
  fail_unless(!own && g_main_context_find_source_by_id(nullptr, kept) != nullptr);
  while (g_main_context_iteration(nullptr, FALSE)) {
  }
  fail_unless(g_main_context_find_source_by_id(nullptr, kept) == nullptr);
}
GST_END_TEST;

// CallbackData: what a signal holds is freed with its handler, whatever
// the callback did; a shared_ptr in it keeps its object exactly that long.
GST_START_TEST(callback_data_freed_with_the_handler) {
  auto held = std::make_shared<int>(7);
  GstElement *element = gst_element_factory_make("identity", nullptr);
  fail_unless(element != nullptr);
  gst_object_ref_sink(element);
  using Data = rtms::CallbackData<std::shared_ptr<int>>;
  gulong id = g_signal_connect_data(element, "notify::name", G_CALLBACK(+[](GObject *, GParamSpec *, gpointer data) {
                                      (*Data::of(data))++;
                                    }),
                                    Data::give(held), Data::free_closure, GConnectFlags(0));
  fail_unless_equals_int(held.use_count(), 2);
  g_object_set(element, "name", "renamed", nullptr);
  fail_unless_equals_int(*held, 8);
  g_signal_handler_disconnect(element, id);
  fail_unless_equals_int(held.use_count(), 1);
  g_object_set_data_full(G_OBJECT(element), "x", Data::give(held), Data::free);
  fail_unless_equals_int(held.use_count(), 2);
  gst_object_unref(element);
  fail_unless_equals_int(held.use_count(), 1);
}
GST_END_TEST;

// for_each_element: every element once, stops when told, frees the iterator.
GST_START_TEST(for_each_element_walks_a_bin) {
  auto pipeline = rtms::PipelineRef::adopt(
      GST_ELEMENT(gst_object_ref_sink(gst_parse_launch("fakesrc name=a ! identity name=b ! fakesink name=c", nullptr))));
  fail_unless(pipeline);
  std::vector<std::string> names;
  rtms::for_each_element(gst_bin_iterate_elements(GST_BIN(pipeline.get())), [&](GstElement *e) {
    names.push_back(GST_OBJECT_NAME(e));
    return true;
  });
  fail_unless_equals_int(names.size(), 3);
  int seen = 0;
  rtms::for_each_element(gst_bin_iterate_elements(GST_BIN(pipeline.get())), [&](GstElement *) { return ++seen < 2; });
  fail_unless_equals_int(seen, 2);
}
GST_END_TEST;

static Suite *gref_suite() {
  Suite *s = suite_create("gref");
  TCase *tc = tcase_create("holders");
  tcase_add_test(tc, adopt_takes_over_share_adds);
  tcase_add_test(tc, copy_refs_move_does_not);
  tcase_add_test(tc, release_hands_the_reference_back);
  tcase_add_test(tc, out_parameters);
  tcase_add_test(tc, boxed_types);
  tcase_add_test(tc, gstreamer_mini_objects);
  tcase_add_test(tc, gstreamer_objects_and_pipelines);
  tcase_add_test(tc, source_ids_are_removed);
  tcase_add_test(tc, callback_data_freed_with_the_handler);
  tcase_add_test(tc, for_each_element_walks_a_bin);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(gref);
