// The network thread's timers: one GSource for all of them. Run here on a
// private GMainContext, iterated by hand.
#include <gst/check/gstcheck.h>

#include <memory>
#include <string>

#include "session/timer_set.h"

using rtms::TimerSet;

// Iterates context until done() or timeout_ms passed; returns done().
template <typename Done>
static bool run_until(GMainContext *context, Done done, int timeout_ms = 2000) {
  gint64 end = g_get_monotonic_time() + gint64(timeout_ms) * 1000;
  while (!done() && g_get_monotonic_time() < end) g_main_context_iteration(context, FALSE), g_usleep(200);
  return done();
}

GST_START_TEST(timers_fire_in_deadline_order_then_in_order_added) {
  GMainContext *context = g_main_context_new();
  {
    TimerSet timers(context);
    std::string fired;
    timers.add(40, [&] { fired += "c"; });
    timers.add(0, [&] { fired += "a"; });
    timers.add(0, [&] { fired += "b"; });
    timers.add(20, [&] { fired += "B"; });
    fail_unless_equals_int(timers.pending(), 4);
    fail_unless(run_until(context, [&] { return fired.size() == 4; }));
    fail_unless_equals_string(fired.c_str(), "abBc");
    fail_unless_equals_int(timers.pending(), 0);
  }
  g_main_context_unref(context);
}
GST_END_TEST;

GST_START_TEST(timers_do_not_fire_early) {
  GMainContext *context = g_main_context_new();
  {
    TimerSet timers(context);
    gint64 start = g_get_monotonic_time();
    gint64 fired_at = 0;
    timers.add(50, [&] { fired_at = g_get_monotonic_time(); });
    fail_unless(run_until(context, [&] { return fired_at != 0; }));
    fail_unless(fired_at - start >= 50000, "fired after %" G_GINT64_FORMAT " us", fired_at - start);
  }
  g_main_context_unref(context);
}
GST_END_TEST;

GST_START_TEST(cancelled_timers_never_fire) {
  GMainContext *context = g_main_context_new();
  {
    TimerSet timers(context);
    int fired = 0;
    TimerSet::Id first = timers.add(10, [&] { fired += 1; });
    TimerSet::Id second = timers.add(10, [&] { fired += 10; });
    timers.add(30, [&] { fired += 100; });
    timers.cancel(first);
    timers.cancel(first);  // twice: nothing
    timers.cancel(0);      // "no timer": nothing
    fail_unless_equals_int(timers.pending(), 2);
    fail_unless(run_until(context, [&] { return fired >= 100; }));
    fail_unless_equals_int(fired, 110);
    timers.cancel(second);  // already fired: nothing
  }
  g_main_context_unref(context);
}
GST_END_TEST;

// What sessions do: a callback cancels another timer due at the same time,
// re-arms itself, or adds a 0 ms timer (which waits for the next iteration).
GST_START_TEST(callbacks_may_cancel_and_add_timers) {
  GMainContext *context = g_main_context_new();
  {
    TimerSet timers(context);
    std::string fired;
    TimerSet::Id victim = 0;
    timers.add(5, [&] {
      fired += "1";
      timers.cancel(victim);
      timers.add(0, [&] {
        fired += "3";
        timers.add(10, [&] { fired += "4"; });
      });
    });
    victim = timers.add(5, [&] { fired += "X"; });
    timers.add(5, [&] { fired += "2"; });
    // A deadline is taken when add() is called, in microseconds: these three
    // are due microseconds apart (more if the thread is preempted between
    // the calls), and an iteration falling in between would fire "1" alone,
    // whose 0 ms timer is then due before "2" ("1324"). Past every deadline,
    // all three are due in the same dispatch, as this test means.
    g_usleep(10 * 1000);
    fail_unless(run_until(context, [&] { return fired.size() >= 4; }));
    fail_unless_equals_string(fired.c_str(), "1234");
  }
  g_main_context_unref(context);
}
GST_END_TEST;

// The last session of a network thread can end inside a timer callback and
// take the thread's TimerSet with it.
GST_START_TEST(a_callback_may_destroy_the_set) {
  GMainContext *context = g_main_context_new();
  auto timers = std::make_unique<TimerSet>(context);
  bool first = false, second = false;
  timers->add(5, [&] {
    first = true;
    timers.reset();
  });
  timers->add(5, [&] { second = true; });
  g_usleep(10 * 1000);  // both due in the same dispatch, as above
  fail_unless(run_until(context, [&] { return first; }));
  for (int i = 0; i < 20; i++) g_main_context_iteration(context, FALSE), g_usleep(1000);
  fail_unless(!second, "a timer of a destroyed set fired");
  g_main_context_unref(context);
}
GST_END_TEST;

static Suite *timer_set_suite() {
  Suite *s = suite_create("timer-set");
  TCase *tc = tcase_create("timers");
  tcase_add_test(tc, timers_fire_in_deadline_order_then_in_order_added);
  tcase_add_test(tc, timers_do_not_fire_early);
  tcase_add_test(tc, cancelled_timers_never_fire);
  tcase_add_test(tc, callbacks_may_cancel_and_add_timers);
  tcase_add_test(tc, a_callback_may_destroy_the_set);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(timer_set);
