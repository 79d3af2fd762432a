// SPDX-License-Identifier: MIT
/// \file
/// The persistent undo stack.
#include "undo_store.hpp"

#include <grok/sdk/files.hpp>

#include <boost/json.hpp>

namespace grok::edit {
namespace json = boost::json;

namespace {

constexpr std::size_t max_change_sets = 20;
constexpr std::size_t max_change_set_bytes = 8 * 1024 * 1024;

sdk::edit_action action_from(std::string_view name) {
  for (auto action : {sdk::edit_action::create, sdk::edit_action::modify, sdk::edit_action::remove,
                      sdk::edit_action::rename})
    if (sdk::to_string(action) == name)
      return action;
  return sdk::edit_action::invalid;
}

std::string field(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

} // namespace

undo_store::undo_store(std::filesystem::path grok_home, std::filesystem::path workspace)
    : folder_(std::move(grok_home) / "undo"), workspace_(std::move(workspace)) {
  std::error_code error;
  const auto canonical = std::filesystem::weakly_canonical(workspace_, error);
  file_ = folder_ / (sdk::sha256_hex((error ? workspace_ : canonical).string()).substr(0, 24) + ".json");
}

bool undo_store::load(std::vector<recorded_change_set>& sets, std::string& error) const {
  sets.clear();
  std::error_code io_error;
  auto text = sdk::read_file(file_, io_error);
  if (!text) {
    if (io_error == std::errc::no_such_file_or_directory)
      return true;
    error = "cannot read the undo history " + file_.string() + ": " + io_error.message();
    return false;
  }
  boost::system::error_code parse_error;
  auto value = json::parse(*text, parse_error);
  const auto* list = (!parse_error && value.is_object()) ? value.get_object().if_contains("change_sets") : nullptr;
  if (list == nullptr || !list->is_array()) {
    error = "the undo history " + file_.string() + " is damaged; delete it to start a new one";
    return false;
  }
  for (const auto& item : list->get_array()) {
    if (!item.is_object())
      continue;
    const auto& object = item.get_object();
    recorded_change_set set{field(object, "id"), field(object, "description"), {}};
    if (const auto* files = object.if_contains("files"); files && files->is_array()) {
      for (const auto& f : files->get_array()) {
        if (!f.is_object())
          continue;
        const auto& o = f.get_object();
        set.files.push_back({action_from(field(o, "action")), field(o, "path"), field(o, "new_path"),
                             field(o, "before"), field(o, "after")});
      }
    }
    sets.push_back(std::move(set));
  }
  return true;
}

std::string undo_store::save(const std::vector<recorded_change_set>& sets) const {
  json::array list;
  for (const auto& set : sets) {
    json::array files;
    for (const auto& f : set.files)
      files.push_back(json::object{{"action", sdk::to_string(f.action)},
                                   {"path", f.path},
                                   {"new_path", f.new_path},
                                   {"before", f.before},
                                   {"after", f.after}});
    list.push_back(json::object{{"id", set.id}, {"description", set.description}, {"files", std::move(files)}});
  }
  json::object root{{"workspace", workspace_.string()}, {"change_sets", std::move(list)}};
  if (auto error = sdk::ensure_private_folder(folder_))
    return "cannot create " + folder_.string() + ": " + error.message();
  if (auto error = sdk::write_file_atomically(file_, json::serialize(root)))
    return "cannot write " + file_.string() + ": " + error.message();
  return {};
}

std::string undo_store::push(const std::string& id, const std::string& description,
                             const std::vector<sdk::applied_edit>& edits) {
  recorded_change_set set{id, description, {}};
  std::size_t bytes = 0;
  for (const auto& edit : edits) {
    bytes += edit.old_content.size() + edit.new_content.size();
    std::string new_path = edit.new_path.empty() ? std::string() : edit.new_path.lexically_relative(
                                                                        std::filesystem::weakly_canonical(workspace_)).string();
    set.files.push_back({edit.action, edit.display_path, new_path, edit.old_content,
                         edit.action == sdk::edit_action::rename ? edit.old_content : edit.new_content});
  }
  if (bytes > max_change_set_bytes)
    return "the change set is larger than 8 MiB";

  std::vector<recorded_change_set> sets;
  std::string error;
  if (!load(sets, error))
    return error;
  sets.push_back(std::move(set));
  if (sets.size() > max_change_sets)
    sets.erase(sets.begin(), sets.begin() + static_cast<std::ptrdiff_t>(sets.size() - max_change_sets));
  return save(sets);
}

std::optional<recorded_change_set> undo_store::peek(std::string& error) const {
  std::vector<recorded_change_set> sets;
  if (!load(sets, error) || sets.empty())
    return std::nullopt;
  return sets.back();
}

std::string undo_store::pop(const std::string& id) {
  std::vector<recorded_change_set> sets;
  std::string error;
  if (!load(sets, error))
    return error;
  if (sets.empty() || sets.back().id != id)
    return {};
  sets.pop_back();
  return save(sets);
}

} // namespace grok::edit
