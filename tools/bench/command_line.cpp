#include "command_line.h"

#include "common/gref.h"

namespace bench {

bool parse_command_line(const char *program, const char *summary, const GOptionEntry *entries, int *argc,
                        char ***argv) {
  auto context = rtms::adopt(g_option_context_new(summary));
  g_option_context_add_main_entries(context.get(), entries, nullptr);
  rtms::GRef<GError> err;
  if (g_option_context_parse(context.get(), argc, argv, err.out())) return true;
  g_printerr("%s: %s\n", program, err->message);
  return false;
}

}  // namespace bench
