#include "event_timeline.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace emulator {
namespace {

rtms::Participant named(const ScriptParticipant &p) {
  rtms::Participant out;
  out.user_id = p.user_id;
  out.user_name = p.user_name;
  out.has_user_name = true;
  return out;
}

// Leave events carry no user_name (https://developers.zoom.us/docs/rtms/event-reference/).
rtms::Participant unnamed(const ScriptParticipant &p) {
  rtms::Participant out;
  out.user_id = p.user_id;
  return out;
}

// Same-time events go joins first and leaves last, so a participant never
// speaks, shows video or shares before joining or after leaving; whatever
// stops goes before whatever starts at the same moment.
int order_of(int event_type) {
  switch (static_cast<rtms::EventType>(event_type)) {
    case rtms::EventType::ParticipantJoin: return 0;
    case rtms::EventType::SharingStop: return 1;
    case rtms::EventType::ParticipantVideoOff: return 2;
    case rtms::EventType::ParticipantVideoOn: return 3;
    case rtms::EventType::ActiveSpeakerChange: return 4;
    case rtms::EventType::SharingStart: return 5;
    default: return 6;
  }
}

rtms::Event of_type(rtms::EventType type) {
  rtms::Event e;
  e.event_type = static_cast<int>(type);
  return e;
}

// Cameras switching on and off; participants changing at the same moment
// share one event, like joins. A camera still on when the meeting ends
// gets no VIDEO_OFF: the end of the stream says it.
void add_camera_events(const MeetingScript &script, std::vector<TimelineEvent> *events) {
  std::map<int64_t, rtms::Event> on, off;
  for (const auto &p : script.participants) {
    for (const auto &span : p.camera) {
      rtms::Event &start = on[span.start_ms];
      start.event_type = static_cast<int>(rtms::EventType::ParticipantVideoOn);
      start.participants.push_back(unnamed(p));
      if (span.end_ms < script.duration_ms) {
        rtms::Event &stop = off[span.end_ms];
        stop.event_type = static_cast<int>(rtms::EventType::ParticipantVideoOff);
        stop.participants.push_back(unnamed(p));
      }
    }
  }
  for (auto &[at, e] : on) events->push_back({at, std::move(e)});
  for (auto &[at, e] : off) events->push_back({at, std::move(e)});
}

// SHARING_START names the sharer; SHARING_STOP carries only a timestamp
// (https://developers.zoom.us/docs/rtms/event-reference/). As with cameras, a share still running at the
// end gets no stop event.
void add_share_events(const MeetingScript &script, std::vector<TimelineEvent> *events) {
  for (const auto &share : script.shares) {
    const ScriptParticipant *p = script.find(share.user_id);
    if (p == nullptr) continue;
    rtms::Event start = of_type(rtms::EventType::SharingStart);
    start.has_user = true;
    start.user = named(*p);
    events->push_back({share.start_ms, std::move(start)});
    if (share.end_ms < script.duration_ms) events->push_back({share.end_ms, of_type(rtms::EventType::SharingStop)});
  }
}

}  // namespace

std::vector<TimelineEvent> build_event_timeline(const MeetingScript &script) {
  std::vector<TimelineEvent> events;
  // Participants joining (or leaving) at the same moment share one event,
  // as the initial roster does in Zoom.
  std::map<int64_t, rtms::Event> joins, leaves;
  for (const auto &p : script.participants) {
    rtms::Event &join = joins[p.join_ms];
    join.event_type = static_cast<int>(rtms::EventType::ParticipantJoin);
    join.participants.push_back(named(p));
    if (p.leaves_before_end) {
      rtms::Event &leave = leaves[p.leave_ms];
      leave.event_type = static_cast<int>(rtms::EventType::ParticipantLeave);
      leave.participants.push_back(unnamed(p));
    }
  }
  for (auto &[at, e] : joins) events.push_back({at, std::move(e)});
  for (auto &[at, e] : leaves) events.push_back({at, std::move(e)});
  add_camera_events(script, &events);
  add_share_events(script, &events);

  // Every talk start makes its speaker the active one, unless they already are.
  std::vector<std::pair<int64_t, const ScriptParticipant *>> starts;
  for (const auto &p : script.participants)
    for (const auto &span : p.talk) starts.emplace_back(span.start_ms, &p);
  std::stable_sort(starts.begin(), starts.end(),
                   [](const auto &a, const auto &b) { return a.first < b.first; });
  int64_t active = 0;
  for (const auto &[at, p] : starts) {
    if (p->user_id == active) continue;
    active = p->user_id;
    rtms::Event e;
    e.event_type = static_cast<int>(rtms::EventType::ActiveSpeakerChange);
    e.has_user = true;
    e.user = named(*p);
    events.push_back({at, std::move(e)});
  }
  std::stable_sort(events.begin(), events.end(), [](const TimelineEvent &a, const TimelineEvent &b) {
    return std::make_tuple(a.at_ms, order_of(a.event.event_type)) <
           std::make_tuple(b.at_ms, order_of(b.event.event_type));
  });
  return events;
}

rtms::Event final_leave_event(const MeetingScript &script) {
  rtms::Event e;
  e.event_type = static_cast<int>(rtms::EventType::ParticipantLeave);
  for (const auto &p : script.participants)
    if (!p.leaves_before_end) e.participants.push_back(unnamed(p));
  return e;
}

}  // namespace emulator
