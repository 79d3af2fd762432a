// SPDX-License-Identifier: MIT
/// \file
/// The diff preview: a pre-edit hook that shows each proposed file change
/// as a unified diff and requests the user's confirmation.
#include <grok/sdk/diff.hpp>
#include <grok/sdk/plugin.hpp>

#include <boost/json.hpp>

#include <string>

namespace {

using namespace grok;

/// Runs late, so that the preview shows the content after hooks with a
/// lower priority have rewritten it.
constexpr int hook_priority = 1000;

/// Defaults of the settings `plugins.diff-preview.max_lines` and
/// `max_bytes`: the part of each file's diff shown before it is cut.
constexpr std::size_t default_max_lines = 400;
constexpr std::size_t default_max_bytes = 64 * 1024;


/// The preview of one proposal.
struct preview {
  std::string text;    ///< headers and diff, each line ending in a newline
  std::string summary; ///< one line: the path and the counts
  bool changes = true; ///< false when applying the proposal changes nothing
};

std::string plural(std::size_t count, std::string_view noun) {
  return std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
}

std::string counts_text(const sdk::diff_stats& stats) {
  return plural(stats.added, "line") + " added, " + plural(stats.removed, "line") + " removed";
}

/// Returns `path` for display: relative to the workspace root when it is
/// an absolute path inside it, with forward slashes.
std::string display_form(const std::filesystem::path& path, const std::filesystem::path& root) {
  if (path.is_absolute()) {
    const auto relative = path.lexically_relative(root);
    if (!relative.empty() && *relative.begin() != "..")
      return relative.generic_string();
  }
  return path.generic_string();
}

class diff_preview_plugin final : public sdk::plugin {
public:
  void start(sdk::host& host) override {
    host_ = &host;
    max_lines_ = read_limit("max_lines", default_max_lines);
    max_bytes_ = read_limit("max_bytes", default_max_bytes);
    (void)host.add_hook(hook_priority, sdk::pre_edit_hook([this](sdk::edit_context& context) {
                          return review(context);
                        }));
  }

private:
  /// Reads a limit from this plugin's settings: a non-negative integer,
  /// where 0 means no limit. Warns and keeps `fallback` when it is invalid.
  std::size_t read_limit(std::string_view key, std::size_t fallback) {
    const auto* value = host_->settings().if_contains(key);
    if (value == nullptr)
      return fallback;
    if (value->is_uint64())
      return static_cast<std::size_t>(value->as_uint64());
    if (value->is_int64() && value->as_int64() >= 0)
      return static_cast<std::size_t>(value->as_int64());
    host_->ui().warning("invalid setting plugins.diff-preview." + std::string(key) + ": " +
                        boost::json::serialize(*value) + " is not a non-negative integer; using " +
                        std::to_string(fallback) + " (0 means no limit)");
    return fallback;
  }

  /// Shows the change and requests confirmation to apply it.
  sdk::verdict review(sdk::edit_context& context) {
    const preview shown = build_preview(context);
    auto& ui = host_->ui();
    // The console colours the diff on a terminal; the summary is plain.
    ui.diff(shown.text);
    ui.output(shown.summary);

    if (!shown.changes || context.change_set_id == approved_change_set_)
      return sdk::verdict::allow();

    const std::string path(context.display_path);
    switch (ui.confirm("Apply this change to " + path + "?")) {
    case sdk::confirmation::yes:
      return sdk::verdict::allow();
    case sdk::confirmation::all:
      approved_change_set_ = std::string(context.change_set_id);
      return sdk::verdict::allow();
    case sdk::confirmation::no:
      ui.notice("Declined the change to " + path + ". A change set is applied whole or not at all, so no file of it is written.");
      return sdk::verdict::veto("declined by the user");
    case sdk::confirmation::quit:
    case sdk::confirmation::invalid:
      break;
    }
    if (!ui.interactive())
      return sdk::verdict::veto("the change to " + path +
                                " needs confirmation, but there is no terminal to ask; run grok with --yes to apply it");
    return sdk::verdict::veto("stopped by the user");
  }

  /// Builds the diff and summary of one proposal.
  preview build_preview(const sdk::edit_context& context) const {
    const auto& proposal = context.proposal;
    const std::string path(context.display_path);
    sdk::unified_diff_options options;
    options.max_lines = max_lines_;
    options.max_bytes = max_bytes_;
    options.old_label = "a/" + path;
    options.new_label = "b/" + path;
    std::string_view old_text = context.current_content;
    std::string_view new_text = proposal.new_content;
    std::string kind;

    preview result;
    switch (proposal.action) {
    case sdk::edit_action::create:
      options.old_label = "/dev/null";
      old_text = {};
      kind = " (new file)";
      break;
    case sdk::edit_action::remove:
      options.new_label = "/dev/null";
      new_text = {};
      kind = " (deleted)";
      break;
    case sdk::edit_action::rename: {
      // The host renames the file and ignores `new_content`, so the
      // content stays as it is.
      const std::string target = display_form(proposal.new_path, host_->workspace_root());
      result.text = "rename from " + path + "\nrename to " + target + "\n";
      result.summary = path + " -> " + target + " (renamed): content unchanged";
      return result;
    }
    case sdk::edit_action::modify:
    case sdk::edit_action::invalid:
      break;
    }

    sdk::diff_stats stats;
    result.text = sdk::unified_diff(old_text, new_text, options, &stats);
    if (stats.omitted_lines > 0)
      result.text += cut_note();

    const bool content_changes = old_text != new_text;
    result.changes = content_changes || proposal.action != sdk::edit_action::modify;
    if (!content_changes && proposal.action == sdk::edit_action::modify)
      result.summary = path + ": no changes";
    else if (!content_changes)
      result.summary = path + kind + ": empty file";
    else
      result.summary = path + kind + ": " + counts_text(stats);
    return result;
  }

  /// Returns the line after a cut diff: the limits and how to lift them.
  std::string cut_note() const {
    std::string limits;
    if (max_lines_ != 0)
      limits = plural(max_lines_, "line");
    if (max_bytes_ != 0)
      limits += (limits.empty() ? "" : " or ") + plural(max_bytes_, "byte");
    return "... diffs are cut at " + limits +
           "; set plugins.diff-preview.max_lines and max_bytes to 0 in .grok/config.json to see them whole\n";
  }

  sdk::host* host_ = nullptr;
  std::size_t max_lines_ = default_max_lines;
  std::size_t max_bytes_ = default_max_bytes;
  /// The change set whose remaining proposals the user approved with "all".
  std::string approved_change_set_;
};

} // namespace

GROK_PLUGIN("diff-preview", "1.0.0", "Shows each proposed file change as a diff and asks before it is written",
            diff_preview_plugin)
