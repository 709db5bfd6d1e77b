// docs/protocol.md must say what the code says: each of its tables of wire
// numbers and names ("| 3 | `INVALID_SIGNATURE` | ...") lists exactly the
// values enums.cpp names, with the same names, so the page cannot drift from
// the protocol layer. The page's path comes from RTMS_PROTOCOL_DOC
// (tests/unit/meson.build).
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "check_helpers.h"
#include "protocol/enums.h"

using namespace rtms;

namespace {

struct Row {
  std::string name;
  std::vector<std::string> rest;  // the cells after the name, trimmed
};
using Table = std::map<int, Row>;

std::string read_doc() {
  const char *path = g_getenv("RTMS_PROTOCOL_DOC");
  fail_unless(path != nullptr, "RTMS_PROTOCOL_DOC is not set");
  gchar *contents = nullptr;
  GError *error = nullptr;
  fail_unless(g_file_get_contents(path, &contents, nullptr, &error), "cannot read %s: %s", path,
              error ? error->message : "?");
  std::string doc(contents);
  g_free(contents);
  return doc;
}

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(' ');
  size_t e = s.find_last_not_of(' ');
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// The numbered tables under the heading "## <heading>" (up to the next "## "),
// in page order. A numbered table is a run of "|" lines with at least one row
// whose first cell is a number and whose second is a `NAME`.
std::vector<Table> numbered_tables(const std::string &doc, const std::string &heading) {
  std::istringstream in(doc);
  std::string line;
  bool inside = false, found = false;
  std::vector<Table> tables;
  Table current;
  const std::regex row(R"(^\|\s*(-?[0-9]+)\s*\|\s*`([A-Z0-9_]+)`\s*\|(.*)$)");
  auto close_table = [&] {
    if (!current.empty()) tables.push_back(current);
    current.clear();
  };
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      close_table();
      inside = line == "## " + heading;
      found = found || inside;
      continue;
    }
    if (!inside) continue;
    if (line.empty() || line[0] != '|') {
      close_table();
      continue;
    }
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    int value = std::stoi(m[1].str());
    fail_if(current.count(value), "%s: %d is listed twice", heading.c_str(), value);
    Row r{m[2].str(), {}};
    std::string rest = m[3].str();
    size_t start = 0;
    for (size_t bar; (bar = rest.find('|', start)) != std::string::npos; start = bar + 1)
      r.rest.push_back(trim(rest.substr(start, bar - start)));
    current[value] = r;
  }
  close_table();
  fail_unless(found, "docs/protocol.md has no section \"## %s\"", heading.c_str());
  return tables;
}

// Table `index` of the section lists exactly the values name_of knows, from
// `first` up to the first value it calls UNKNOWN.
Table expect_table(const std::string &doc, const std::string &heading, size_t index, int first,
                   const std::function<std::string(int)> &name_of) {
  std::vector<Table> tables = numbered_tables(doc, heading);
  fail_unless(index < tables.size(), "%s: %zu numbered table(s), expected at least %zu",
              heading.c_str(), tables.size(), index + 1);
  const Table &table = tables[index];
  int v = first;
  for (; name_of(v) != "UNKNOWN"; v++) {
    auto it = table.find(v);
    fail_if(it == table.end(), "%s: docs/protocol.md does not list %d (%s)", heading.c_str(), v,
            name_of(v).c_str());
    fail_unless(it->second.name == name_of(v), "%s: docs/protocol.md names %d %s, the code %s",
                heading.c_str(), v, it->second.name.c_str(), name_of(v).c_str());
  }
  for (const auto &row : table)
    fail_unless(row.first >= first && row.first < v,
                "%s: docs/protocol.md lists %d (%s), which the code does not know",
                heading.c_str(), row.first, row.second.name.c_str());
  return table;
}

}  // namespace

GST_START_TEST(test_status_codes_match) {
  std::string doc = read_doc();
  Table t = expect_table(doc, "Status codes", 0, 0,
                         [](int v) { return to_string(static_cast<StatusCode>(v)); });
  fail_unless_equals_int(t.size(), 48);  // 0-47
  for (const auto &row : t)
    fail_if(row.second.rest.empty() || row.second.rest[0].empty(),
            "Status codes: %d has no explanation", row.first);
}
GST_END_TEST;

GST_START_TEST(test_stop_reasons_match) {
  std::string doc = read_doc();
  Table t = expect_table(doc, "Stop reasons", 0, 0,
                         [](int v) { return to_string(static_cast<StopReason>(v)); });
  fail_unless_equals_int(t.size(), 27);
  // The Transient column says what stop_reason_is_transient() decides (and
  // rtmssrc posts as rtms-stream-stopped's "transient").
  for (const auto &row : t) {
    fail_unless(row.second.rest.size() >= 2, "Stop reasons: %d lacks columns", row.first);
    const std::string expected =
        stop_reason_is_transient(static_cast<StopReason>(row.first)) ? "yes" : "no";
    fail_unless(row.second.rest[0] == expected, "Stop reasons: %d (%s) is transient=%s in the code",
                row.first, row.second.name.c_str(), expected.c_str());
    fail_if(row.second.rest[1].empty(), "Stop reasons: %d has no explanation", row.first);
  }
}
GST_END_TEST;

GST_START_TEST(test_languages_match) {
  std::string doc = read_doc();
  Table t = expect_table(doc, "Transcript languages", 0, -1,
                         [](int v) { return to_string(static_cast<TranscriptLanguage>(v)); });
  fail_unless_equals_int(t.size(), 38);  // -1 and 0-36
}
GST_END_TEST;

GST_START_TEST(test_media_numbers_match) {
  std::string doc = read_doc();
  expect_table(doc, "Audio parameters", 0, 0, [](int v) { return to_string(static_cast<Codec>(v)); });
  expect_table(doc, "Audio parameters", 1, 0,
               [](int v) { return to_string(static_cast<ContentType>(v)); });
  expect_table(doc, "Video and screen-share parameters", 0, 0,
               [](int v) { return to_string(static_cast<DataOption>(v)); });
  // Media type bits: 1, 2, 4, ... 32, each with its flag's name.
  std::vector<Table> tables = numbered_tables(doc, "Media types");
  fail_unless(!tables.empty(), "Media types: no table");
  uint32_t bits = 0;
  for (const auto &row : tables[0]) {
    assert_str(row.second.name, media_type_names(row.first));
    bits |= row.first;
  }
  fail_unless_equals_int(tables[0].size(), 6);
  fail_unless_equals_int(bits, kMediaEveryType | kMediaAll);
}
GST_END_TEST;

GST_START_TEST(test_states_events_messages_match) {
  std::string doc = read_doc();
  expect_table(doc, "Stream and session states", 0, 0,
               [](int v) { return to_string(static_cast<StreamState>(v)); });
  expect_table(doc, "Stream and session states", 1, 0,
               [](int v) { return to_string(static_cast<SessionState>(v)); });
  expect_table(doc, "Events", 0, 0, [](int v) { return to_string(static_cast<EventType>(v)); });
  expect_table(doc, "Message types", 0, 0,
               [](int v) { return to_string(static_cast<MessageType>(v)); });
}
GST_END_TEST;

static Suite *protocol_doc_suite() {
  Suite *s = suite_create("protocol-doc");
  TCase *tc = tcase_create("tables");
  tcase_add_test(tc, test_status_codes_match);
  tcase_add_test(tc, test_stop_reasons_match);
  tcase_add_test(tc, test_languages_match);
  tcase_add_test(tc, test_media_numbers_match);
  tcase_add_test(tc, test_states_events_messages_match);
  suite_add_tcase(s, tc);
  return s;
}

GST_CHECK_MAIN(protocol_doc);
