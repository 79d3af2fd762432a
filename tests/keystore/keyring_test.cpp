// SPDX-License-Identifier: MIT
/// \file
/// The keyring mode against a real Secret Service (gnome-keyring on a
/// private D-Bus session), checked with the independent secret-tool
/// client. Run through the keystore-keyring test, which starts the bus.
#include "keystore_fixture.hpp"
#include "mock_http_server.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>

using namespace grok::test;

namespace {

/// Keyring tests run only on the session bus that the keystore-keyring
/// wrapper starts.
std::string session_bus() {
  const char* address = std::getenv("DBUS_SESSION_BUS_ADDRESS");
  BOOST_TEST_REQUIRE((address != nullptr && *address != '\0'),
                     "DBUS_SESSION_BUS_ADDRESS is not set; run these cases with ctest -R keystore-keyring");
  return address;
}

/// Runs secret-tool with `arguments` on the test's session bus.
child_result secret_tool(const std::vector<std::string>& arguments, std::optional<std::string> stdin_data = {}) {
  child_options options;
  options.executable = "/usr/bin/secret-tool";
  options.arguments = arguments;
  options.environment = current_environment();
  options.stdin_data = std::move(stdin_data);
  return run_child(options);
}

/// Returns a home whose grok uses the test's session bus, with no grok items left
/// from earlier cases.
keystore_home keyring_home() {
  keystore_home home;
  home.environment["DBUS_SESSION_BUS_ADDRESS"] = session_bus();
  for (const char* provider : {"xai", "openai", "anthropic", "daytona"})
    secret_tool({"clear", "service", "grok-cli", "provider", provider});
  return home;
}

std::string suffix(const std::string& key) { return "..." + key.substr(key.size() - 4); }

} // namespace

BOOST_AUTO_TEST_SUITE(keyring)

BOOST_AUTO_TEST_CASE(set_stores_item_in_secret_service) {
  auto home = keyring_home();
  const std::string key = dummy_key("KSKEYRING");
  auto set = home.run({"/keys", "set", "xai"}, key + "\n");
  BOOST_TEST_REQUIRE(set.exit_code.value_or(-1) == 0, set.stderr_text);
  BOOST_TEST(set.stderr_text.find("stored the key for xai in the OS keyring (Secret Service)") != std::string::npos,
             set.stderr_text);
  BOOST_TEST(!std::filesystem::exists(home.credentials()), "the keyring mode wrote the file");

  auto lookup = secret_tool({"lookup", "service", "grok-cli", "provider", "xai"});
  BOOST_TEST(lookup.exit_code.value_or(-1) == 0, lookup.stderr_text);
  BOOST_TEST(lookup.stdout_text == key);

  auto list = home.run({"/keys", "list"});
  BOOST_TEST(list.stdout_text.find("xai  OS keyring (Secret Service, service=grok-cli provider=xai)") !=
                 std::string::npos,
             list.stdout_text);
  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status_row(status.stdout_text, "xai") == "xai OS keyring (Secret Service) " + suffix(key),
             status.stdout_text);
  BOOST_TEST(status.stdout_text.find("plugins.keystore.protection: keyring") != std::string::npos, status.stdout_text);

  auto remove = home.run({"/keys", "remove", "xai"});
  BOOST_TEST(remove.exit_code.value_or(-1) == 0, remove.stderr_text);
  BOOST_TEST(remove.stderr_text.find("removed the key for xai from the OS keyring") != std::string::npos,
             remove.stderr_text);
  auto gone = secret_tool({"lookup", "service", "grok-cli", "provider", "xai"});
  BOOST_TEST(gone.stdout_text.empty());
  BOOST_TEST(gone.exit_code.value_or(-1) != 0);
}

BOOST_AUTO_TEST_CASE(item_stored_by_hand_is_found) {
  auto home = keyring_home();
  const std::string key = dummy_key("KSBYHAND");
  auto store = secret_tool({"store", "--label=by hand", "service", "grok-cli", "provider", "openai"}, key);
  BOOST_TEST_REQUIRE(store.exit_code.value_or(-1) == 0, store.stderr_text);
  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status_row(status.stdout_text, "openai") == "openai OS keyring (Secret Service) " + suffix(key),
             status.stdout_text);
}

BOOST_AUTO_TEST_CASE(precedence_includes_keyring) {
  auto home = keyring_home();
  home.use_passphrase("correct horse battery staple");
  const std::string in_file = dummy_key("KSPRECfile");
  const std::string in_keyring = dummy_key("KSPRECkeyring");
  const std::string from_environment = dummy_key("KSPRECenv");
  const std::string for_this_run = dummy_key("KSPRECrun");

  home.write_config(R"({"plugins": {"keystore": {"protection": "passphrase"}}})");
  home.store_key("xai", in_file);
  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status_row(status.stdout_text, "xai") == "xai encrypted file (passphrase) " + suffix(in_file),
             status.stdout_text);

  home.write_config(R"({"plugins": {"keystore": {"protection": "keyring"}}})");
  home.store_key("xai", in_keyring);
  status = home.run({"/keys", "status"});
  BOOST_TEST(status_row(status.stdout_text, "xai") == "xai OS keyring (Secret Service) " + suffix(in_keyring),
             status.stdout_text);

  home.environment["XAI_API_KEY"] = from_environment;
  status = home.run({"/keys", "status"});
  BOOST_TEST(status_row(status.stdout_text, "xai") == "xai environment (XAI_API_KEY) " + suffix(from_environment),
             status.stdout_text);

  write_text(home.home() / "run-key.txt", for_this_run + "\n");
  home.environment["GROK_API_KEY_FILE"] = (home.home() / "run-key.txt").string();
  status = home.run({"/keys", "status"});
  BOOST_TEST(status_row(status.stdout_text, "xai") == "xai this run (GROK_API_KEY_FILE) " + suffix(for_this_run),
             status.stdout_text);

  // Without the higher sources the keyring wins again, and without the
  // keyring item the file does.
  home.environment.erase("GROK_API_KEY_FILE");
  home.environment.erase("XAI_API_KEY");
  BOOST_TEST(secret_tool({"clear", "service", "grok-cli", "provider", "xai"}).exit_code.value_or(-1) == 0);
  status = home.run({"/keys", "status"});
  BOOST_TEST(status_row(status.stdout_text, "xai") == "xai encrypted file (passphrase) " + suffix(in_file),
             status.stdout_text);
}

BOOST_AUTO_TEST_CASE(prompt_uses_keyring_key) {
  auto home = keyring_home();
  const std::string key = dummy_key("KSKEYRINGprompt");
  home.store_key("xai", key);
  mock_http_server server;
  scripted_response response;
  response.headers = {{"Content-Type", "text/event-stream"}};
  response.pieces.push_back({openai_sse_body({"ok"}), std::chrono::milliseconds(0)});
  server.enqueue(response);
  home.environment["XAI_BASE_URL"] = server.base_url() + "/v1";

  auto result = home.run({"--verbose", "-p", "hello"});
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.stderr_text);
  BOOST_TEST(result.stdout_text == "ok");
  BOOST_TEST_REQUIRE(server.request_count() == 1u);
  BOOST_TEST(server.requests().front().header("Authorization") == "Bearer " + key);
  BOOST_TEST(result.stderr_text.find(key) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(plain_api_key_moves_into_keyring) {
  auto home = keyring_home();
  const std::string key = dummy_key("KSKEYRINGmigrate");
  home.write_config("{\"apiKey\": \"" + key + "\", \"model\": \"grok-3\"}\n");
  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status.exit_code.value_or(-1) == 0, status.stderr_text);
  BOOST_TEST(status.stderr_text.find("moved the plain-text API key (apiKey) from ~/.grok/config.json into the OS "
                                     "keyring (Secret Service)") != std::string::npos,
             status.stderr_text);
  auto lookup = secret_tool({"lookup", "service", "grok-cli", "provider", "xai"});
  BOOST_TEST(lookup.stdout_text == key);
  const std::string config = read_text(home.grok_home() / "config.json");
  BOOST_TEST(config.find(key) == std::string::npos, config);
  BOOST_TEST(config.find("\"model\": \"grok-3\"") != std::string::npos, config);
}

BOOST_AUTO_TEST_SUITE_END()
