// SPDX-License-Identifier: MIT
/// \file
/// Symbol visibility macros for the SDK library and for plugins.
#pragma once

#include <boost/config.hpp>

// GROK_SDK_API marks functions and classes defined in libgrok-sdk.
// Interfaces are BOOST_SYMBOL_VISIBLE in every DSO so that their type
// information compares equal across the plugin boundary.
#if defined(GROK_SDK_BUILDING)
#define GROK_SDK_API BOOST_SYMBOL_EXPORT
#else
#define GROK_SDK_API BOOST_SYMBOL_IMPORT
#endif

#define GROK_SDK_INTERFACE BOOST_SYMBOL_VISIBLE

// GROK_PLUGIN_EXPORT marks the two symbols a plugin exports: its
// descriptor and its factory.
#define GROK_PLUGIN_EXPORT extern "C" BOOST_SYMBOL_EXPORT
