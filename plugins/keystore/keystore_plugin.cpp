// SPDX-License-Identifier: MIT
/// \file
/// The keystore plugin: offers grok.keystore/1 and the /keys and /config
/// commands.
#include "keystore_common.hpp"
#include "vault.hpp"

#include <grok/sdk/files.hpp>
#include <grok/sdk/keystore.hpp>
#include <grok/sdk/plugin.hpp>

#include <boost/json.hpp>

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace {

using namespace grok;
using keystore::keystore_error;

/// Providers that /keys status always shows. Ollama needs no key.
constexpr std::string_view known_providers[] = {"xai", "openai", "anthropic", "daytona"};

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto start = text.find_first_not_of(" \t\r\n", at);
    if (start == std::string_view::npos)
      break;
    const auto end = text.find_first_of(" \t\r\n", start);
    words.emplace_back(text.substr(start, end - start));
    at = end == std::string_view::npos ? text.size() : end;
  }
  return words;
}

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width)
    text.resize(width, ' ');
  return text;
}

class keystore_plugin final : public sdk::plugin {
public:
  void start(sdk::host& host) override {
    host_ = &host;
    vault_ = std::make_shared<keystore::key_vault>(host);

    // A plain-text key in the configuration is redacted from every log
    // line and message from the start, before it is migrated.
    if (const auto* plain = host.setting("/apiKey"); plain != nullptr && plain->is_string())
      sdk::register_secret(plain->get_string());

    (void)host.register_service(sdk::keystore_service_id, std::static_pointer_cast<sdk::keystore>(vault_));
    (void)host.register_command({"/keys", "store, list, check or remove API keys",
                                 "/keys set|list|status|remove [provider]",
                                 [this](std::string_view arguments) { return keys(arguments); }});
    (void)host.register_command({"/config", "set up the API key, the default model and the working folder",
                                 "/config", [this](std::string_view arguments) { return config(arguments); }});
  }

  void stop() noexcept override {
    if (vault_)
      vault_->stop();
  }

private:
  sdk::exit_status keys(std::string_view arguments) {
    const auto words = split_words(arguments);
    auto& ui = host_->ui();
    if (words.empty()) {
      ui.error("/keys needs a subcommand: set PROVIDER, list, status or remove PROVIDER");
      return sdk::exit_status::usage_error;
    }
    const std::string& action = words.front();
    const bool takes_provider = action == "set" || action == "remove";
    if (action != "set" && action != "remove" && action != "list" && action != "status") {
      ui.error("unknown subcommand '" + action + "' of /keys; use set, list, status or remove");
      return sdk::exit_status::usage_error;
    }
    if (takes_provider && words.size() != 2) {
      ui.error(words.size() < 2 ? "/keys " + action + " needs the provider, such as /keys " + action + " xai"
                                : "/keys " + action + " takes only the provider; the key is read from the "
                                  "terminal or standard input, never from the command line");
      return sdk::exit_status::usage_error;
    }
    if (!takes_provider && words.size() != 1) {
      ui.error("/keys " + action + " takes no arguments");
      return sdk::exit_status::usage_error;
    }
    if (takes_provider && !keystore::is_valid_provider_name(words[1])) {
      ui.error("invalid provider '" + words[1] + "'; use lower-case letters, digits, '.', '_' and '-', such as xai");
      return sdk::exit_status::usage_error;
    }

    try {
      vault_->migrate_plain_key();
      if (action == "set")
        return set_key(words[1]);
      if (action == "remove")
        return remove_key(words[1]);
      if (action == "list")
        return list_keys();
      return show_status();
    } catch (const keystore_error& e) {
      ui.error(e.what());
      return sdk::exit_status::failure;
    }
  }

  /// Returns the environment variable that contains `provider`'s key: the
  /// provider-openai `api_key_env` setting, or the usual name.
  std::string key_variable(std::string_view provider) const {
    const std::string pointer = "/plugins/provider-openai/" + std::string(provider) + "/api_key_env";
    if (const auto* configured = host_->setting(pointer); configured && configured->is_string() &&
                                                          !configured->get_string().empty())
      return std::string(configured->get_string());
    std::string name;
    for (char c : provider)
      name.push_back(c == '-' || c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return name + "_API_KEY";
  }

  sdk::exit_status set_key(const std::string& provider) {
    auto& ui = host_->ui();
    auto answer = ui.ask_secret("API key for " + provider + " (the input is hidden): ");
    if (!answer) {
      ui.error("no key was given for " + provider + "; type it on a terminal, or pipe it in: printf %s \"$KEY\" | "
               "grok /keys set " + provider);
      return sdk::exit_status::usage_error;
    }
    const keystore::secret_string key(*answer);
    OPENSSL_cleanse(answer->data(), answer->size());
    if (auto problem = keystore::check_api_key(key.view(), "the key for " + provider); !problem.empty()) {
      ui.error(problem);
      return sdk::exit_status::usage_error;
    }
    sdk::register_secret(key.view());

    const auto mode = vault_->mode();
    vault_->store(provider, key.view());
    ui.notice("stored the key for " + provider + " in " + vault_->describe_store(mode));
    warn_if_unknown(provider);
    warn_if_shadowed(provider, mode);
    return sdk::exit_status::success;
  }

  /// Warns when no loaded provider and no known service uses `provider`,
  /// which is most often a typing mistake. The key is kept: a plugin that
  /// is not loaded now may use it later.
  void warn_if_unknown(const std::string& provider) {
    auto known = host_->provider_ids();
    known.insert(known.end(), {"anthropic", "daytona"});
    if (std::find(known.begin(), known.end(), provider) != known.end())
      return;
    std::string list;
    for (const auto& id : known)
      list += (list.empty() ? "" : ", ") + id;
    host_->ui().warning("no loaded provider is called '" + provider + "' (known: " + list +
                        "); remove the key with grok /keys remove " + provider + " if that was a mistake");
  }

  /// Warns when a source with higher precedence contains a key for `provider`,
  /// so the key just stored would not be used.
  void warn_if_shadowed(const std::string& provider, keystore::protection_mode mode) {
    auto& ui = host_->ui();
    const std::string variable = key_variable(provider);
    if (const char* value = std::getenv(variable.c_str()); value != nullptr && *value != '\0')
      ui.warning(variable + " is set and takes precedence over the stored key; unset it to use the stored one");
    if (mode == keystore::protection_mode::keyring)
      return;
    const auto stored = vault_->list();
    if (std::find(stored.keyring.begin(), stored.keyring.end(), provider) != stored.keyring.end())
      ui.warning("the OS keyring also holds a key for " + provider +
                 ", which takes precedence over the encrypted file; remove both with grok /keys remove " + provider +
                 " and store the key again");
  }

  sdk::exit_status remove_key(const std::string& provider) {
    auto& ui = host_->ui();
    const auto places = vault_->remove(provider);
    if (places.empty()) {
      ui.error("no stored key for " + provider + " in the OS keyring or " +
               keystore::display_path(vault_->credentials_path()) + "; see grok /keys list");
      return sdk::exit_status::failure;
    }
    std::string joined;
    for (const auto& place : places)
      joined += (joined.empty() ? "" : " and ") + place;
    ui.notice("removed the key for " + provider + " from " + joined);
    return sdk::exit_status::success;
  }

  sdk::exit_status list_keys() {
    auto& ui = host_->ui();
    const auto stored = vault_->list();
    if (!stored.keyring_problem.empty())
      ui.warning("cannot list the OS keyring: " + stored.keyring_problem);

    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& provider : stored.keyring)
      rows.emplace_back(provider, "OS keyring (Secret Service, service=grok-cli provider=" + provider + ")");
    if (stored.file_protection_kind) {
      const std::string protection = *stored.file_protection_kind == keystore::file_protection::passphrase
                                         ? std::string("passphrase")
                                         : std::string(keystore::machine_key_label);
      for (const auto& provider : stored.file)
        rows.emplace_back(provider, "encrypted file " + keystore::display_path(vault_->credentials_path()) + " (" +
                                        protection + ")");
    }
    if (rows.empty()) {
      ui.output("no keys are stored; add one with grok /keys set PROVIDER");
      return sdk::exit_status::success;
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::size_t width = 0;
    for (const auto& row : rows)
      width = std::max(width, row.first.size());
    std::string text;
    for (const auto& [provider, place] : rows)
      text += pad(provider, width) + "  " + place + "\n";
    ui.output(text);
    return sdk::exit_status::success;
  }

  sdk::exit_status show_status() {
    const auto mode = vault_->mode();
    std::vector<std::string> providers(std::begin(known_providers), std::end(known_providers));
    const auto stored = vault_->list();
    for (const auto* names : {&stored.keyring, &stored.file})
      for (const auto& name : *names)
        if (std::find(providers.begin(), providers.end(), name) == providers.end())
          providers.push_back(name);

    struct row {
      std::string provider;
      std::string source;
      std::string suffix;
    };
    std::vector<row> rows;
    for (const auto& provider : providers) {
      const auto found = vault_->resolve(provider, key_variable(provider));
      if (!found) {
        rows.push_back({provider, "none", ""});
        continue;
      }
      sdk::register_secret(found->value.view());
      std::string source;
      switch (found->source) {
      case sdk::key_source::this_run: source = "this run (" + found->origin + ")"; break;
      case sdk::key_source::environment: source = "environment (" + found->origin + ")"; break;
      case sdk::key_source::keyring: source = "OS keyring (Secret Service)"; break;
      default: source = found->origin; break;
      }
      rows.push_back({provider, source, keystore::key_suffix(found->value.view())});
    }

    std::size_t provider_width = 0;
    std::size_t source_width = 0;
    for (const auto& r : rows) {
      provider_width = std::max(provider_width, r.provider.size());
      source_width = std::max(source_width, r.source.size());
    }
    std::string text;
    for (const auto& r : rows) {
      std::string line = pad(r.provider, provider_width) + "  " + pad(r.source, source_width) + "  " + r.suffix;
      while (!line.empty() && line.back() == ' ')
        line.pop_back();
      text += line + "\n";
    }
    text += "\nnew keys go to " + vault_->describe_store(mode) + " (plugins.keystore.protection: " +
            std::string(keystore::to_string(mode)) + ")\n";
    host_->ui().output(text);
    return sdk::exit_status::success;
  }

  sdk::exit_status config(std::string_view arguments) {
    auto& ui = host_->ui();
    const auto config_path = keystore::display_path(host_->grok_home() / "config.json");
    if (!split_words(arguments).empty()) {
      ui.error("/config takes no arguments; it asks its questions one by one");
      return sdk::exit_status::usage_error;
    }
    if (!ui.interactive()) {
      ui.error("/config asks questions, so it needs a terminal; without one, store the key with printf %s \"$KEY\" | "
               "grok /keys set PROVIDER and set \"model\" in " + config_path);
      return sdk::exit_status::refused;
    }
    try {
      vault_->migrate_plain_key();
      if (!ask_and_store_key())
        return sdk::exit_status::failure;

      std::string model;
      if (!ask_model(model))
        return sdk::exit_status::failure;
      std::string folder;
      if (!ask_folder(folder))
        return sdk::exit_status::failure;
      if (!model.empty() || !folder.empty()) {
        const bool dropped_comments = vault_->update_config(model, folder);
        ui.notice("saved " + std::string(model.empty() ? "" : "the default model") +
                  (!model.empty() && !folder.empty() ? " and " : "") +
                  (folder.empty() ? "" : "the working folder") + " in " + config_path +
                  (dropped_comments ? "; the rewritten file no longer has its comments" : ""));
      }
      return sdk::exit_status::success;
    } catch (const keystore_error& e) {
      ui.error(e.what());
      return sdk::exit_status::failure;
    }
  }

  bool ask_and_store_key() {
    auto& ui = host_->ui();
    const auto* configured = host_->setting("/provider");
    const std::string provider =
        configured && configured->is_string() && keystore::is_valid_provider_name(configured->get_string())
            ? std::string(configured->get_string())
            : "xai";
    auto answer = ui.ask_secret("API key for " + provider + " (the input is hidden; leave empty to keep the current one): ");
    if (!answer) {
      ui.error("/config was cancelled; nothing was changed");
      return false;
    }
    const keystore::secret_string key(*answer);
    OPENSSL_cleanse(answer->data(), answer->size());
    if (key.empty())
      return true;
    if (auto problem = keystore::check_api_key(key.view(), "the key for " + provider); !problem.empty()) {
      ui.error(problem + "; run /config again");
      return false;
    }
    sdk::register_secret(key.view());
    const auto mode = vault_->mode();
    vault_->store(provider, key.view());
    ui.notice("stored the key for " + provider + " in " + vault_->describe_store(mode));
    return true;
  }

  bool ask_model(std::string& model) {
    auto& ui = host_->ui();
    const auto* current = host_->setting("/model");
    const std::string shown = current && current->is_string() ? std::string(current->get_string()) : "provider default";
    auto answer = ui.ask_text("Default model [" + shown + "]: ");
    if (!answer) {
      ui.error("/config was cancelled; the key, if given, is stored, and nothing else was changed");
      return false;
    }
    model = *answer;
    while (!model.empty() && (model.back() == ' ' || model.back() == '\t'))
      model.pop_back();
    model.erase(0, std::min(model.find_first_not_of(" \t"), model.size()));
    if (model.empty())
      return true;
    // A model name follows the same rules as a key: printable ASCII
    // without spaces.
    if (!keystore::check_api_key(model, "the model name").empty()) {
      ui.error("invalid model name '" + model + "': it contains spaces, control characters or non-ASCII bytes; "
               "run /config again");
      return false;
    }
    return true;
  }

  /// Asks for the working folder and checks that it exists.
  // NOTE: the host does not read `working_folder` yet; grok still works in
  // the folder it was started in.
  bool ask_folder(std::string& folder) {
    auto& ui = host_->ui();
    const auto* current = host_->setting("/working_folder");
    const std::string shown =
        current && current->is_string() ? std::string(current->get_string()) : host_->workspace_root().string();
    auto answer = ui.ask_text("Working folder [" + shown + "]: ");
    if (!answer) {
      ui.error("/config was cancelled; the key and model, if given, are saved, and nothing else was changed");
      return false;
    }
    std::string text = *answer;
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
      text.pop_back();
    text.erase(0, std::min(text.find_first_not_of(" \t"), text.size()));
    if (text.empty())
      return true;

    std::filesystem::path path = text;
    if (text == "~" || text.starts_with("~/")) {
      const char* home = std::getenv("HOME");
      path = std::filesystem::path(home ? home : "") / text.substr(std::min<std::size_t>(2, text.size()));
    }
    if (path.is_relative())
      path = host_->workspace_root() / path;

    std::error_code error;
    const auto resolved = std::filesystem::canonical(path, error);
    if (error || !std::filesystem::is_directory(resolved, error)) {
      ui.error("the working folder " + path.string() + " does not exist or is not a folder; create it or give "
               "another one, then run /config again");
      return false;
    }
    folder = resolved.string();
    return true;
  }

  sdk::host* host_ = nullptr;
  std::shared_ptr<keystore::key_vault> vault_;
};

} // namespace

GROK_PLUGIN("keystore", "1.0.0", "Encrypted API keys: the grok.keystore/1 service, /keys and /config",
            keystore_plugin)
