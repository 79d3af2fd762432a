// SPDX-License-Identifier: MIT
/// \file
/// Out-of-line destructors of the SDK interfaces, so that their vtables and
/// type information live in libgrok-sdk alone.
#include <grok/sdk/chat.hpp>
#include <grok/sdk/console.hpp>
#include <grok/sdk/host.hpp>
#include <grok/sdk/keystore.hpp>
#include <grok/sdk/log.hpp>
#include <grok/sdk/plugin.hpp>
#include <grok/sdk/recorder.hpp>

namespace grok::sdk {

std::string_view to_string(edit_action action) noexcept {
  switch (action) {
  case edit_action::create: return "create";
  case edit_action::modify: return "modify";
  case edit_action::remove: return "delete";
  case edit_action::rename: return "rename";
  case edit_action::invalid: break;
  }
  return "invalid";
}

logger::~logger() = default;
console::~console() = default;
chat_sink::~chat_sink() = default;
provider::~provider() = default;
host::~host() = default;
plugin::~plugin() = default;
wire_recorder::~wire_recorder() = default;
wire_recording::~wire_recording() = default;
keystore::~keystore() = default;

std::string_view to_string(hook_point point) noexcept {
  switch (point) {
  case hook_point::pre_edit: return "pre-edit";
  case hook_point::post_write: return "post-write";
  case hook_point::pre_run: return "pre-run";
  case hook_point::post_run: return "post-run";
  case hook_point::pre_prompt: return "pre-prompt";
  case hook_point::post_response: return "post-response";
  case hook_point::session_start: return "session-start";
  case hook_point::session_end: return "session-end";
  case hook_point::invalid: break;
  }
  return "invalid";
}

} // namespace grok::sdk
