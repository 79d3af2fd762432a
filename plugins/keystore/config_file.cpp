// SPDX-License-Identifier: MIT
/// \file
/// Reading and atomically rewriting $GROK_HOME/config.json.
#include "config_file.hpp"

#include "keystore_common.hpp"

#include <grok/sdk/files.hpp>

#include <boost/json.hpp>

namespace grok::keystore {
namespace json = boost::json;

namespace {

bool parse(const std::string& text, bool relaxed, json::value& out) {
  json::parse_options options;
  options.allow_comments = relaxed;
  options.allow_trailing_commas = relaxed;
  boost::system::error_code error;
  out = json::parse(text, error, {}, options);
  return !error;
}

void write_indented(std::string& out, const json::value& value, int depth) {
  const std::string indent(static_cast<std::size_t>(depth + 1) * 2, ' ');
  const std::string closing(static_cast<std::size_t>(depth) * 2, ' ');
  if (const auto* object = value.if_object(); object && !object->empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& [key, item] : *object) {
      out += first ? "" : ",\n";
      first = false;
      out += indent + json::serialize(json::string(key)) + ": ";
      write_indented(out, item, depth + 1);
    }
    out += "\n" + closing + "}";
  } else if (const auto* array = value.if_array(); array && !array->empty()) {
    out += "[\n";
    for (std::size_t i = 0; i < array->size(); ++i) {
      out += (i == 0 ? "" : ",\n") + indent;
      write_indented(out, (*array)[i], depth + 1);
    }
    out += "\n" + closing + "]";
  } else {
    out += json::serialize(value);
  }
}

} // namespace

config_document read_config(const std::filesystem::path& path) {
  config_document document;
  std::error_code error;
  auto text = sdk::read_file(path, error);
  if (!text) {
    if (error == std::errc::no_such_file_or_directory)
      return document;
    throw keystore_error("cannot read " + display_path(path) + ": " + error.message());
  }
  document.exists = true;
  document.text = std::move(*text);

  json::value value;
  if (!parse(document.text, false, value)) {
    if (!parse(document.text, true, value))
      throw keystore_error(display_path(path) + " is not valid JSON; fix it (grok reports the line when it starts)");
    document.has_comments = true;
  }
  if (!value.is_object())
    throw keystore_error(display_path(path) + " does not contain a JSON object at the top level; fix it");
  document.object = std::move(value.get_object());
  return document;
}

void write_config(const std::filesystem::path& path, const boost::json::object& object) {
  std::string text;
  write_indented(text, object, 0);
  text += "\n";
  if (auto error = sdk::write_file_atomically(path, text)) {
    const std::string reason = error == std::errc::too_many_symbolic_link_levels
                                   ? "it is a symbolic link, which grok does not replace; edit the file it "
                                     "points to by hand"
                                   : error.message();
    throw keystore_error("cannot write " + display_path(path) + ": " + reason);
  }
}

} // namespace grok::keystore
