// push-mode=shared-threads: a process-wide pool of streaming threads that
// push for many pads, so that a packet costs a queue operation instead of a
// thread wake-up of its own.
//
// The network thread queues an item on a pad and schedules the pad here
// (once: a pad is scheduled until a pool thread found its queue empty). A
// pool thread woken from idle first waits `kPushPoolLingerUs`, so that the
// packets of every stream that arrive meanwhile go out in one batch: the
// thread hand-off is paid per batch, not per packet. A pad is drained by one
// pool thread at a time, under its stream lock, so its items keep their
// order and deactivation waits for a push in progress.
//
// Safety: a downstream that blocks holds up the pool thread that pushes
// into it, never the network thread. A monitor notices work that has waited
// longer than `kPushPoolStallUs` while every pool thread is busy and starts
// one more thread (at most `kPushPoolMaxThreads`), so the other pads go on.
#pragma once

#include <gst/gst.h>

namespace rtms {

// How long a pool thread woken from idle waits before it pushes (the batch
// window; part of the pads' reported latency).
constexpr guint kPushPoolLingerUs = 1000;
// Work older than this while no pool thread is free: start another thread.
constexpr guint kPushPoolStallUs = 20000;
constexpr guint kPushPoolMaxThreads = 32;

// An element that may schedule pads registers for the time it does
// (READY->PAUSED to PAUSED->READY). The first one starts the pool's first
// thread and its monitor; the last one stops and joins them all, once no
// pad of its own can be scheduled any more.
void push_pool_acquire();
void push_pool_release();

// Queues `drain(pad)` to run on a pool thread. Takes a reference to pad
// for as long as that takes. False when the pool has no thread (none could
// be started): then the caller must drain the pad itself.
bool push_pool_schedule(GstPad *pad, void (*drain)(GstPad *pad));

}  // namespace rtms
