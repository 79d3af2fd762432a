// SPDX-License-Identifier: MIT
/// \file
/// The SDK version compiled into libgrok-sdk.
#include <grok/sdk/version.hpp>

namespace grok::sdk {

sdk_version runtime_sdk_version() noexcept { return compiled_sdk_version; }

} // namespace grok::sdk
