// SPDX-License-Identifier: MIT
/// \file
/// /edit, /undo and /init: the model proposes file contents, and every
/// change goes through the host's edit pipeline (diff preview,
/// confirmation, atomic writes, audit).
#include "edit_format.hpp"
#include "undo_store.hpp"

#include <grok/sdk/files.hpp>
#include <grok/sdk/markdown.hpp>
#include <grok/sdk/plugin.hpp>
#include <grok/sdk/utf8.hpp>


namespace {

using namespace grok;
using status = sdk::change_result::status;

/// Files above this size get a warning: they cost many tokens and may not
/// fit the model's context.
constexpr std::uintmax_t large_file_bytes = 1024 * 1024;

/// Maps a pipeline outcome to the command's exit status, telling the user
/// what happened.
sdk::exit_status report(sdk::host& host, const sdk::change_result& result, std::string_view done) {
  switch (result.outcome) {
  case status::applied:
    host.ui().notice(std::string(done));
    return sdk::exit_status::success;
  case status::unchanged:
    host.ui().notice(result.message);
    return sdk::exit_status::success;
  case status::refused:
    host.ui().warning("nothing was written: " + result.message);
    return sdk::exit_status::refused;
  case status::conflict:
  case status::rejected:
  case status::failed:
  case status::invalid:
    host.ui().error(result.message);
    return sdk::exit_status::failure;
  }
  return sdk::exit_status::failure;
}

class edit_plugin final : public sdk::plugin {
public:
  void start(sdk::host& host) override {
    host_ = &host;
    undo_ = std::make_unique<edit::undo_store>(host.grok_home(), host.workspace_root());
    (void)host.register_command({"/edit", "have the model change a file; shows the diff before writing",
                                 "/edit <file> [instruction]",
                                 [this](std::string_view arguments) { return edit_file(arguments); }});
    (void)host.register_command({"/undo", "revert the newest change set of /edit or /init; again for the one before",
                                 "/undo", [this](std::string_view) { return undo(); }});
    (void)host.register_command({"/init", "have the model set up a new project in this folder",
                                 "/init [project type]",
                                 [this](std::string_view arguments) { return init(arguments); }});
  }

private:
  /// Reads a workspace file for editing. Returns nothing and reports why
  /// when it is binary, not UTF-8 or unreadable.
  std::optional<std::string> read_text_file(const std::string& relative, bool& exists) {
    // Check the path before anything is read: a file outside the workspace
    // must not reach the model even though the write would be refused.
    std::string path_error;
    const std::filesystem::path path = host_->resolve_workspace_path(relative, path_error);
    if (!path_error.empty()) {
      host_->ui().error(path_error);
      return std::nullopt;
    }
    std::error_code error;
    exists = std::filesystem::exists(path, error);
    if (!exists)
      return std::string();
    if (!std::filesystem::is_regular_file(path, error)) {
      host_->ui().error(relative + " is not a regular file");
      return std::nullopt;
    }
    const auto size = std::filesystem::file_size(path, error);
    if (!error && size > large_file_bytes)
      host_->ui().warning(relative + " is " + std::to_string(size / 1024) +
                          " KiB; large files cost many tokens and may not fit the model's context");
    auto content = sdk::read_file(path, error);
    if (!content) {
      host_->ui().error("cannot read " + relative + ": " + error.message());
      return std::nullopt;
    }
    if (content->find('\0') != std::string::npos) {
      host_->ui().error(relative + " looks like a binary file (it contains NUL bytes); /edit changes text files only");
      return std::nullopt;
    }
    if (!sdk::is_valid_utf8(*content)) {
      host_->ui().error(relative + " is not valid UTF-8; /edit changes UTF-8 text files only (convert it with iconv first)");
      return std::nullopt;
    }
    return content;
  }

  /// Asks `question` when `value` is blank and stores the reply. Returns
  /// false after reporting `usage` when there is still no value (no
  /// terminal, or an empty reply).
  bool fill_if_blank(std::string& value, const std::string& question, const std::string& usage) {
    if (value.find_first_not_of(" \t") != std::string::npos)
      return true;
    auto reply = host_->ui().ask_text(question);
    if (!reply || reply->find_first_not_of(" \t") == std::string::npos) {
      host_->ui().error(usage);
      return false;
    }
    value = std::move(*reply);
    return true;
  }

  /// Returns the model's last message in the conversation, or empty.
  std::string last_answer() {
    const auto& messages = host_->current_conversation().messages;
    if (messages.empty() || messages.back().role != "assistant")
      return {};
    return messages.back().content;
  }

  sdk::exit_status edit_file(std::string_view arguments) {
    const auto space = arguments.find_first_of(" \t");
    const std::string relative(arguments.substr(0, space));
    std::string instruction(space == std::string_view::npos ? std::string_view() : arguments.substr(space + 1));
    if (relative.empty()) {
      host_->ui().error("/edit needs a file: /edit <file> [instruction]");
      return sdk::exit_status::usage_error;
    }
    // At the interactive prompt nothing removes shell quotes; a quoted
    // instruction means the same as an unquoted one.
    if (instruction.size() >= 2 && (instruction.front() == '"' || instruction.front() == '\'') &&
        instruction.back() == instruction.front())
      instruction = instruction.substr(1, instruction.size() - 2);
    if (!fill_if_blank(instruction, "What should change in " + relative + "? ",
                       "/edit needs an instruction: /edit " + relative + " <instruction>"))
      return sdk::exit_status::usage_error;

    bool exists = false;
    auto original = read_text_file(relative, exists);
    if (!original)
      return sdk::exit_status::failure;

    std::string prompt =
        "Edit the file `" + relative + "`" + (exists ? "" : " (it does not exist yet; create it)") +
        ".\n\nInstruction: " + instruction +
        "\n\nReply with either the complete new file in one fenced code block, or one or more "
        "SEARCH/REPLACE blocks like this:\n\n<<<<<<< SEARCH\nlines copied exactly from the file\n"
        "=======\nthe replacement lines\n>>>>>>> REPLACE\n\nEach SEARCH part must copy the file's "
        "lines exactly, with the same indentation, and match exactly one place.\n";
    if (exists)
      prompt += "\nCurrent content of `" + relative + "`:\n\n" + sdk::fenced_code(*original, relative);

    const auto asked = host_->send_user_message(prompt);
    if (asked != sdk::exit_status::success)
      return asked;

    edit::edit_reply reply;
    std::string error;
    if (!edit::parse_edit_reply(last_answer(), reply, error)) {
      host_->ui().error("cannot apply the answer to " + relative + ": " + error);
      return sdk::exit_status::failure;
    }
    std::string updated;
    if (!reply.blocks.empty()) {
      if (!exists) {
        host_->ui().error(relative + " does not exist, so SEARCH/REPLACE blocks cannot apply; ask for the whole file");
        return sdk::exit_status::failure;
      }
      auto applied = edit::apply_blocks(*original, reply.blocks, relative, error);
      if (!applied) {
        host_->ui().error(error);
        return sdk::exit_status::failure;
      }
      updated = std::move(*applied);
    } else {
      updated = edit::adopt_conventions(*reply.whole_file, *original);
    }

    sdk::edit_proposal proposal;
    proposal.action = exists ? sdk::edit_action::modify : sdk::edit_action::create;
    proposal.path = relative;
    if (exists)
      proposal.expected_content = *original;
    proposal.new_content = std::move(updated);
    return apply({{std::move(proposal)}, "/edit " + relative + ": " + instruction, "command:/edit"},
                 "changed " + relative);
  }

  sdk::exit_status apply(sdk::change_set changes, std::string_view done) {
    const std::string description = changes.description;
    const auto result = host_->apply_changes(std::move(changes));
    if (result.outcome == status::applied) {
      if (auto error = undo_->push(result.change_set_id, description, result.applied); !error.empty())
        host_->ui().warning("the change was applied, but /undo will not know it: " + error);
    }
    return report(*host_, result, done);
  }

  sdk::exit_status undo() {
    std::string error;
    auto last = undo_->peek(error);
    if (!error.empty()) {
      host_->ui().error(error);
      return sdk::exit_status::failure;
    }
    if (!last) {
      host_->ui().notice("nothing to undo in this workspace");
      return sdk::exit_status::success;
    }
    // NOTE: reverting a create removes the file but not folders the create
    // made, so /undo of /init can leave empty folders behind.
    sdk::change_set reverse;
    reverse.description = "/undo " + last->description;
    reverse.origin = "command:/undo";
    for (const auto& file : last->files) {
      sdk::edit_proposal p;
      switch (file.action) {
      case sdk::edit_action::create:
        p.action = sdk::edit_action::remove;
        p.path = file.path;
        p.expected_content = file.after;
        break;
      case sdk::edit_action::modify:
        p.action = sdk::edit_action::modify;
        p.path = file.path;
        p.expected_content = file.after;
        p.new_content = file.before;
        break;
      case sdk::edit_action::remove:
        p.action = sdk::edit_action::create;
        p.path = file.path;
        p.new_content = file.before;
        break;
      case sdk::edit_action::rename:
        p.action = sdk::edit_action::rename;
        p.path = file.new_path;
        p.new_path = file.path;
        p.expected_content = file.after;
        break;
      case sdk::edit_action::invalid:
        continue;
      }
      reverse.proposals.push_back(std::move(p));
    }
    const auto result = host_->apply_changes(std::move(reverse));
    if (result.outcome == status::applied || result.outcome == status::unchanged) {
      if (auto pop_error = undo_->pop(last->id); !pop_error.empty())
        host_->ui().warning(pop_error);
    }
    return report(*host_, result, "reverted " + last->description);
  }

  sdk::exit_status init(std::string_view arguments) {
    std::string kind(arguments);
    if (!fill_if_blank(kind, "Project type (for example: python command-line tool, node web app, C++ library): ",
                       "/init needs a project type: /init <project type>"))
      return sdk::exit_status::usage_error;

    std::string existing;
    std::error_code io_error;
    std::size_t listed = 0;
    for (const auto& entry : std::filesystem::directory_iterator(host_->workspace_root(), io_error)) {
      if (++listed > 50)
        break;
      existing += "- " + entry.path().filename().string() + (entry.is_directory(io_error) ? "/" : "") + "\n";
    }
    std::string prompt =
        "Set up a new " + kind + " project in the current folder. Reply with every file to create as a "
        "line `### File: relative/path` followed by one fenced code block with the whole content of that "
        "file. Keep the project small and runnable, with a README.\n";
    if (!existing.empty())
      prompt += "\nThe folder already contains:\n" + existing + "Do not replace these unless the project needs it.\n";

    const auto asked = host_->send_user_message(prompt);
    if (asked != sdk::exit_status::success)
      return asked;

    std::vector<edit::proposed_file> files;
    std::string error;
    if (!edit::parse_file_sections(last_answer(), files, error)) {
      host_->ui().error("cannot set up the project from the answer: " + error);
      return sdk::exit_status::failure;
    }
    sdk::change_set changes;
    changes.description = "/init " + kind;
    changes.origin = "command:/init";
    for (auto& file : files) {
      bool exists = false;
      auto current = read_text_file(file.path, exists);
      if (!current)
        return sdk::exit_status::failure;
      sdk::edit_proposal p;
      p.action = exists ? sdk::edit_action::modify : sdk::edit_action::create;
      p.path = file.path;
      if (exists) {
        p.expected_content = *current;
        p.new_content = edit::adopt_conventions(file.content, *current);
      } else {
        p.new_content = std::move(file.content);
      }
      changes.proposals.push_back(std::move(p));
    }
    const std::size_t count = changes.proposals.size();
    return apply(std::move(changes), "set up " + std::to_string(count) + " files for a " + kind + " project");
  }

  sdk::host* host_ = nullptr;
  std::unique_ptr<edit::undo_store> undo_;
};

} // namespace

GROK_PLUGIN("edit", "1.0.0", "/edit, /undo and /init through the edit pipeline", edit_plugin)
