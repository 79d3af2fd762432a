// SPDX-License-Identifier: MIT
/// \file
/// The loggers the host gives itself and each plugin.
#pragma once

#include <grok/sdk/log.hpp>

#include <set>
#include <string>

namespace grok::host {

class console_impl;

/// Which messages are written: errors and warnings always; every level for
/// the categories in GROK_LOG ("all" for every category) or for all of
/// them with --verbose.
struct log_filter {
  bool everything = false;
  std::set<std::string, std::less<>> categories;

  /// Builds the filter from the GROK_LOG value and --verbose.
  static log_filter from(std::string_view grok_log, bool verbose);

  bool allows(sdk::log_level level, std::string_view category) const noexcept;
};

/// A logger that prefixes its source (a plugin id, or "host") and sends
/// redacted lines to the console's diagnostic stream.
class source_logger final : public sdk::logger {
public:
  source_logger(std::string source, const log_filter& filter, console_impl& console)
      : source_(std::move(source)), filter_(filter), console_(console) {}

  bool enabled(sdk::log_level level, std::string_view category) const noexcept override;
  void write(sdk::log_level level, std::string_view category,
             std::string_view message) noexcept override;

private:
  std::string source_;
  const log_filter& filter_;
  console_impl& console_;
};

} // namespace grok::host
