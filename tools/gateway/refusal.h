// Refusing a request whose body is still coming (declared or found to be
// over --max-body): libsoup would read the whole body before the answer
// goes out, so the connection is taken from it instead, the answer written
// straight onto it, and the connection closed. No more of the body is read.
#pragma once

#include <string>

#include <libsoup/soup.h>

namespace gateway {

// status and reason_phrase make the status line; text is the body.
void answer_and_close(SoupServerMessage *msg, int status, const char *reason_phrase, const std::string &text);

}  // namespace gateway
