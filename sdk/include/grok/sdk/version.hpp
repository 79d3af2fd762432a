// SPDX-License-Identifier: MIT
/// \file
/// The SDK version, the rules for changing it, and the build key that a
/// plugin and the host must share.
#pragma once

#include <boost/version.hpp>

// The version policy. CMake reads these three lines, so this file is the
// only place that states the SDK version.
//
// Major: bumped when a published layout, signature or meaning changes.
//        Every plugin must be rebuilt; the host refuses other majors.
#define GROK_SDK_VERSION_MAJOR 1
// Minor: bumped when something is added (a hook point, an interface with a
//        new revisioned id, a field appended to a size-prefixed struct).
//        A plugin built against minor M loads in any host whose minor is >= M.
#define GROK_SDK_VERSION_MINOR 0
// Patch: bumped for fixes that change no declaration. Never checked at load.
#define GROK_SDK_VERSION_PATCH 0

#define GROK_SDK_DETAIL_STRINGIFY_(x) #x
#define GROK_SDK_DETAIL_STRINGIFY(x) GROK_SDK_DETAIL_STRINGIFY_(x)

#define GROK_SDK_VERSION_STRING                                                \
  GROK_SDK_DETAIL_STRINGIFY(GROK_SDK_VERSION_MAJOR)                            \
  "." GROK_SDK_DETAIL_STRINGIFY(GROK_SDK_VERSION_MINOR) "." GROK_SDK_DETAIL_STRINGIFY(GROK_SDK_VERSION_PATCH)

// The build key names everything besides the SDK version that must match
// for C++ objects to cross the plugin boundary safely: the compiler family
// and major version, the C++ standard library and its string ABI, and the
// Boost version (Boost.JSON values appear in SDK signatures).
#if defined(__clang__)
#define GROK_SDK_DETAIL_COMPILER "clang-" GROK_SDK_DETAIL_STRINGIFY(__clang_major__)
#elif defined(__GNUC__)
#define GROK_SDK_DETAIL_COMPILER "gcc-" GROK_SDK_DETAIL_STRINGIFY(__GNUC__)
#else
#define GROK_SDK_DETAIL_COMPILER "unknown-compiler"
#endif

#if defined(_LIBCPP_VERSION)
#define GROK_SDK_DETAIL_STDLIB "libc++"
#elif defined(__GLIBCXX__)
#if defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
#define GROK_SDK_DETAIL_STDLIB "libstdc++-cxx11"
#else
#define GROK_SDK_DETAIL_STDLIB "libstdc++-old"
#endif
#else
#define GROK_SDK_DETAIL_STDLIB "unknown-stdlib"
#endif

#define GROK_SDK_BUILD_KEY                                                     \
  GROK_SDK_DETAIL_COMPILER "/" GROK_SDK_DETAIL_STDLIB "/boost-" GROK_SDK_DETAIL_STRINGIFY(BOOST_VERSION)

namespace grok::sdk {

/// An SDK version triple.
struct sdk_version {
  unsigned major = 0;
  unsigned minor = 0;
  unsigned patch = 0;
};

/// The version this translation unit was compiled against.
inline constexpr sdk_version compiled_sdk_version{GROK_SDK_VERSION_MAJOR, GROK_SDK_VERSION_MINOR,
                                                  GROK_SDK_VERSION_PATCH};

/// The version of the loaded `libgrok-sdk`, which can be newer than
/// `compiled_sdk_version` in a plugin. [any-thread]
sdk_version runtime_sdk_version() noexcept;

} // namespace grok::sdk
