/* SPDX-License-Identifier: MIT */
/** \file
 * The plain C descriptor that every plugin exports. The host reads it
 * before it runs any code of the plugin, and decides from it alone whether
 * the plugin may load. */
#ifndef GROK_SDK_DESCRIPTOR_H
#define GROK_SDK_DESCRIPTOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The name of the data symbol that contains a plugin's descriptor. */
#define GROK_PLUGIN_DESCRIPTOR_SYMBOL "grok_plugin_entry"

/** Field sizes, including the terminating NUL. */
#define GROK_PLUGIN_BUILD_KEY_SIZE 64
#define GROK_PLUGIN_ID_SIZE 64
#define GROK_PLUGIN_VERSION_SIZE 32
#define GROK_PLUGIN_SUMMARY_SIZE 160
#define GROK_PLUGIN_SYMBOL_SIZE 64

/** Descriptor of a plugin, revision 1 (SDK 1.0).
 *
 * `struct_size` is the first field and contains `sizeof` as the plugin saw it.
 * Later SDK minors may append fields; the host reads only the fields that
 * `struct_size` covers. No field ever moves or changes type within a major.
 * Every string is NUL-terminated UTF-8. */
typedef struct grok_plugin_descriptor {
  uint32_t struct_size;
  uint16_t sdk_major;
  uint16_t sdk_minor;
  uint16_t sdk_patch;
  uint16_t reserved; /**< zero */
  char build_key[GROK_PLUGIN_BUILD_KEY_SIZE];
  char id[GROK_PLUGIN_ID_SIZE];
  char version[GROK_PLUGIN_VERSION_SIZE];
  char summary[GROK_PLUGIN_SUMMARY_SIZE];
  char factory_symbol[GROK_PLUGIN_SYMBOL_SIZE];
} grok_plugin_descriptor;

#ifdef __cplusplus
} /* extern "C" */

static_assert(offsetof(grok_plugin_descriptor, struct_size) == 0);
static_assert(offsetof(grok_plugin_descriptor, sdk_major) == 4);
static_assert(offsetof(grok_plugin_descriptor, sdk_minor) == 6);
static_assert(offsetof(grok_plugin_descriptor, sdk_patch) == 8);
static_assert(offsetof(grok_plugin_descriptor, reserved) == 10);
static_assert(offsetof(grok_plugin_descriptor, build_key) == 12);
static_assert(offsetof(grok_plugin_descriptor, id) == 76);
static_assert(offsetof(grok_plugin_descriptor, version) == 140);
static_assert(offsetof(grok_plugin_descriptor, summary) == 172);
static_assert(offsetof(grok_plugin_descriptor, factory_symbol) == 332);
static_assert(sizeof(grok_plugin_descriptor) == 396);
#else
_Static_assert(sizeof(grok_plugin_descriptor) == 396, "descriptor layout changed");
#endif

#endif /* GROK_SDK_DESCRIPTOR_H */
