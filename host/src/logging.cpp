// SPDX-License-Identifier: MIT
/// \file
/// Log filtering and formatting.
#include "logging.hpp"

#include "console.hpp"

namespace grok::host {
namespace {

std::string_view level_name(sdk::log_level level) {
  switch (level) {
  case sdk::log_level::error: return "error";
  case sdk::log_level::warning: return "warning";
  case sdk::log_level::info: return "info";
  case sdk::log_level::debug: return "debug";
  case sdk::log_level::trace: return "trace";
  case sdk::log_level::invalid: break;
  }
  return "invalid";
}

} // namespace

log_filter log_filter::from(std::string_view grok_log, bool verbose) {
  log_filter filter;
  filter.everything = verbose;
  while (!grok_log.empty()) {
    const auto comma = grok_log.find(',');
    std::string_view item = grok_log.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item == "all" || item == "*")
      filter.everything = true;
    else if (!item.empty())
      filter.categories.emplace(item);
    if (comma == std::string_view::npos)
      break;
    grok_log.remove_prefix(comma + 1);
  }
  return filter;
}

bool log_filter::allows(sdk::log_level level, std::string_view category) const noexcept {
  if (level == sdk::log_level::error || level == sdk::log_level::warning)
    return true;
  return everything || categories.contains(category);
}

bool source_logger::enabled(sdk::log_level level, std::string_view category) const noexcept {
  return filter_.allows(level, category);
}

void source_logger::write(sdk::log_level level, std::string_view category,
                          std::string_view message) noexcept {
  if (!filter_.allows(level, category))
    return;
  try {
    std::string line = "grok ";
    line.append(level_name(level));
    line.append(" [");
    line.append(category);
    line.append("] ");
    line.append(source_);
    line.append(": ");
    line.append(sdk::redact_secrets(message));
    console_.diagnostic(line);
  } catch (...) {
    // Logging never throws; an allocation failure loses the line.
  }
}

} // namespace grok::host
