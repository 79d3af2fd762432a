# SPDX-License-Identifier: MIT
# grok_add_plugin(<name> SOURCES ... [OUTPUT_DIRECTORY dir] [NO_INSTALL])
#
# Builds a plugin as a MODULE library named <name>.so that exports only its
# descriptor and factory (hidden visibility plus a linker version script)
# and has no undefined symbols (-z defs).
set(GROK_PLUGIN_VERSION_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/grok-plugin.map CACHE INTERNAL "")

function(grok_add_plugin name)
  cmake_parse_arguments(arg "NO_INSTALL" "OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  if(NOT arg_OUTPUT_DIRECTORY)
    set(arg_OUTPUT_DIRECTORY ${GROK_PLUGIN_OUTPUT_DIRECTORY})
  endif()

  add_library(${name} MODULE ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE grok::sdk)
  grok_set_warnings(${name})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    OUTPUT_NAME ${name}
    LIBRARY_OUTPUT_DIRECTORY ${arg_OUTPUT_DIRECTORY}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    # Plugins live in <prefix>/lib/grok/plugins and find libgrok-sdk two
    # levels up, in the build tree and after installation alike.
    BUILD_RPATH "$ORIGIN/../.."
    INSTALL_RPATH "$ORIGIN/../..")
  target_link_options(${name} PRIVATE
    -Wl,--version-script=${GROK_PLUGIN_VERSION_SCRIPT} -Wl,-z,defs)
  set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS ${GROK_PLUGIN_VERSION_SCRIPT})

  if(NOT arg_NO_INSTALL)
    install(TARGETS ${name} LIBRARY DESTINATION ${GROK_PLUGIN_INSTALL_DIR})
  endif()
endfunction()
