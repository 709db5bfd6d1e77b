// GET /streams, the minimal form the page needs: a JSON array of
// {"stream_id","meeting","state","started_at","participants"} for the running
// streams. A stand-in until the event feed (issue 19, "Live feed") serves
// the full list with live state and participants.
#pragma once

#include <string>
#include <vector>

#include "stream_pipeline.h"

namespace gateway {

std::string streams_json(const std::vector<StreamPipeline *> &streams);

}  // namespace gateway
