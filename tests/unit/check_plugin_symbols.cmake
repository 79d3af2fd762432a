# SPDX-License-Identifier: MIT
# Fails unless every plugin in PLUGIN_FOLDER exports exactly the dynamic
# symbols grok_plugin_entry and grok_plugin_create.
#
# Inputs (all required):
#   NM                the nm program
#   PLUGIN_FOLDER     the folder that holds the built plugins (*.so)
#   EXPECTED_PLUGINS  paths of the plugins the build defines, separated by "|"

foreach(input IN ITEMS NM PLUGIN_FOLDER EXPECTED_PLUGINS)
  if(NOT ${input})
    message(FATAL_ERROR "Missing input ${input}; pass it with -D${input}=...")
  endif()
endforeach()

set(allowed_symbols grok_plugin_create grok_plugin_entry)

string(REPLACE "|" ";" expected_plugins "${EXPECTED_PLUGINS}")
set(missing_plugins)
foreach(plugin IN LISTS expected_plugins)
  if(NOT EXISTS ${plugin})
    list(APPEND missing_plugins ${plugin})
  endif()
endforeach()
if(missing_plugins)
  list(JOIN missing_plugins "\n  " missing_text)
  message(FATAL_ERROR "Plugins not built:\n  ${missing_text}\n"
                      "Build them first, for example with the unit-tests target.")
endif()

# Check every plugin in the folder, including ones this list does not name.
file(GLOB plugins ${PLUGIN_FOLDER}/*.so)
list(SORT plugins)
set(failures 0)
foreach(plugin IN LISTS plugins)
  execute_process(
    COMMAND ${NM} -D --defined-only ${plugin}
    RESULT_VARIABLE nm_result
    OUTPUT_VARIABLE nm_output
    ERROR_VARIABLE nm_error)
  if(NOT nm_result EQUAL 0)
    message(SEND_ERROR "${NM} failed on ${plugin} (exit status ${nm_result}): ${nm_error}")
    math(EXPR failures "${failures} + 1")
    continue()
  endif()

  # Each line is "<address> <type> <name>", and the name is the last field.
  set(symbols)
  string(REPLACE "\n" ";" nm_lines "${nm_output}")
  foreach(line IN LISTS nm_lines)
    if(line MATCHES "([^ \t]+)[ \t]*$")
      list(APPEND symbols ${CMAKE_MATCH_1})
    endif()
  endforeach()
  list(SORT symbols)

  if(NOT symbols STREQUAL allowed_symbols)
    list(JOIN symbols ", " found_text)
    list(JOIN allowed_symbols ", " allowed_text)
    message(SEND_ERROR "${plugin} exports [${found_text}], expected exactly [${allowed_text}]")
    math(EXPR failures "${failures} + 1")
  else()
    message(STATUS "${plugin}: exports only ${allowed_symbols}")
  endif()
endforeach()

list(LENGTH plugins plugin_count)
if(failures GREATER 0)
  message(FATAL_ERROR "${failures} of ${plugin_count} plugins export the wrong symbols")
endif()
message(STATUS "${plugin_count} plugins checked")
