// Printing results: the table for people, one JSON line for a scaling parent.
#pragma once

#include <string>
#include <vector>

#include "run_result.h"

namespace bench {

void print_table_header();
void print_table_row(const RunResult &r);
void print_emulator_line(const RunResult &r);
// Cost growth against the first row of a scaling run.
void print_growth(const std::vector<RunResult> &rows);

std::string to_json(const RunResult &r);
// false when `line` is not a result.
bool from_json(const std::string &line, RunResult *r);

}  // namespace bench
