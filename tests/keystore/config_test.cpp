// SPDX-License-Identifier: MIT
/// \file
/// /config and /keys set on a pseudo-terminal, and /config without one.
#include "keystore_fixture.hpp"
#include "terminal_session.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>


using namespace grok::test;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

/// grok with `arguments` on a pseudo-terminal, in `home`'s workspace.
class terminal_grok : public terminal_session {
public:
  terminal_grok(const keystore_home& home, const std::vector<std::string>& arguments)
      : terminal_session(grok_executable(), arguments, home.environment, home.workspace(), 200) {}
};

} // namespace

BOOST_AUTO_TEST_SUITE(keys)

BOOST_AUTO_TEST_CASE(config_needs_a_terminal) {
  keystore_home home;
  auto result = home.run({"/config"}, std::string("KSCONFIGKEY1234567890\n"));
  BOOST_TEST(result.exit_code.value_or(-1) == 3, result.describe());
  BOOST_TEST(result.stderr_text.find("/config asks questions, so it needs a terminal") != std::string::npos,
             result.stderr_text);
  BOOST_TEST(!std::filesystem::exists(home.credentials()));
  BOOST_TEST(!std::filesystem::exists(home.grok_home() / "config.json"));
}

BOOST_AUTO_TEST_CASE(config_stores_key_model_and_folder) {
  keystore_home home;
  home.use_passphrase("correct horse battery staple");
  home.write_config("{\"provider\": \"xai\", \"plugins\": {\"sessions\": {}}}\n");
  std::filesystem::create_directories(home.workspace() / "project");
  const std::string key = dummy_key("KSCONFIG");

  terminal_grok grok(home, {"/config"});
  BOOST_TEST_REQUIRE(grok.wait_for("API key for xai"), grok.screen());
  grok.type(key + "\r");
  BOOST_TEST_REQUIRE(grok.wait_for("Default model ["), grok.screen());
  grok.type("grok-3-mini\r");
  BOOST_TEST_REQUIRE(grok.wait_for("Working folder ["), grok.screen());
  grok.type("project\r");
  BOOST_TEST(grok.wait_exit() == 0, grok.screen());
  BOOST_TEST(grok.screen().find(key) == std::string::npos, "the key was echoed:\n" << grok.screen());

  const std::string config_text = read_text(home.grok_home() / "config.json");
  BOOST_TEST(config_text.find(key) == std::string::npos, config_text);
  const auto config = json::parse(config_text).as_object();
  BOOST_TEST(config.at("model").as_string() == "grok-3-mini");
  BOOST_TEST(config.at("provider").as_string() == "xai");
  BOOST_TEST(config.contains("plugins"));
  BOOST_TEST(config.at("working_folder").as_string() ==
             std::filesystem::canonical(home.workspace() / "project").string());

  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status_row(status.stdout_text, "xai") == "xai encrypted file (passphrase) ..." + key.substr(key.size() - 4),
             status.stdout_text);
}

BOOST_AUTO_TEST_CASE(terminal_set_asks_new_passphrase_twice) {
  keystore_home home;
  const std::string key = dummy_key("KSTERMINAL");
  const std::string passphrase = "typed passphrase 42";
  {
    terminal_grok grok(home, {"/keys", "set", "xai"});
    BOOST_TEST_REQUIRE(grok.wait_for("API key for xai"), grok.screen());
    grok.type(key + "\r");
    BOOST_TEST_REQUIRE(grok.wait_for("New passphrase for ~/.grok/credentials.enc (at least 8 characters): "),
                       grok.screen());
    grok.type(passphrase + "\r");
    BOOST_TEST_REQUIRE(grok.wait_for("Repeat the passphrase: "), grok.screen());
    grok.type(passphrase + "\r");
    BOOST_TEST(grok.wait_exit() == 0, grok.screen());
    BOOST_TEST(grok.screen().find(key) == std::string::npos, "the key was echoed:\n" << grok.screen());
    BOOST_TEST(grok.screen().find(passphrase) == std::string::npos, "the passphrase was echoed:\n" << grok.screen());
  }
  home.use_passphrase(passphrase);
  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status_row(status.stdout_text, "xai") == "xai encrypted file (passphrase) ..." + key.substr(key.size() - 4),
             status.stdout_text);

  // Two different passphrases for a new file store nothing.
  keystore_home other;
  terminal_grok grok(other, {"/keys", "set", "xai"});
  BOOST_TEST_REQUIRE(grok.wait_for("API key for xai"), grok.screen());
  grok.type(key + "\r");
  BOOST_TEST_REQUIRE(grok.wait_for("New passphrase"), grok.screen());
  grok.type(passphrase + "\r");
  BOOST_TEST_REQUIRE(grok.wait_for("Repeat the passphrase: "), grok.screen());
  grok.type("something else\r");
  BOOST_TEST(grok.wait_exit() == 1, grok.screen());
  BOOST_TEST(grok.screen().find("the two passphrases differ") != std::string::npos, grok.screen());
  BOOST_TEST(!std::filesystem::exists(other.credentials()));
}

BOOST_AUTO_TEST_SUITE_END()
