// SPDX-License-Identifier: MIT
/// \file
/// /keys and the encrypted file: round trips, key checks, tampering, KDF
/// limits, file modes, refused files, protection modes and precedence.
#include "keystore_fixture.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include <unistd.h>

using namespace grok::test;
namespace json = boost::json;

namespace {

const std::string passphrase = "correct horse battery staple";

/// Returns the lines of `text`, each without its newline.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines)
    text += line + "\n";
  return text;
}

/// Returns the record line of `provider` in a credentials file.
std::string record_line(const std::string& file, const std::string& provider) {
  for (const auto& line : lines_of(file))
    if (line.rfind("record " + provider + " ", 0) == 0)
      return line;
  return {};
}

} // namespace

BOOST_AUTO_TEST_SUITE(keys)

BOOST_AUTO_TEST_CASE(set_list_status_remove_round_trip) {
  keystore_home home;
  home.use_passphrase(passphrase);
  const std::string xai_key = dummy_key("KSROUNDxai");
  const std::string openai_key = dummy_key("KSROUNDopenai");

  auto set = home.run({"/keys", "set", "xai"}, xai_key);
  BOOST_TEST(set.exit_code.value_or(-1) == 0, set.describe() << "\n" << set.stderr_text);
  BOOST_TEST(set.stderr_text.find("stored the key for xai") != std::string::npos, set.stderr_text);
  home.store_key("openai", openai_key);

  const std::string file = read_text(home.credentials());
  BOOST_TEST(file.rfind("grok-credentials 1\nkdf scrypt n=131072 r=8 p=1 salt=", 0) == 0, file);
  BOOST_TEST(!record_line(file, "xai").empty());
  BOOST_TEST(!record_line(file, "openai").empty());
  BOOST_TEST(file.find(xai_key) == std::string::npos);

  auto list = home.run({"/keys", "list"});
  BOOST_TEST(list.exit_code.value_or(-1) == 0, list.stderr_text);
  BOOST_TEST(list.stdout_text.find("xai     encrypted file") != std::string::npos, list.stdout_text);
  BOOST_TEST(list.stdout_text.find("openai  encrypted file") != std::string::npos, list.stdout_text);

  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status.exit_code.value_or(-1) == 0, status.stderr_text);
  BOOST_TEST(status_row(status.stdout_text, "xai") ==
                 "xai encrypted file (passphrase) ..." + xai_key.substr(xai_key.size() - 4),
             status.stdout_text);
  BOOST_TEST(status_row(status.stdout_text, "openai").find("..." + openai_key.substr(openai_key.size() - 4)) !=
                 std::string::npos,
             status.stdout_text);
  BOOST_TEST(status_row(status.stdout_text, "anthropic") == "anthropic none", status.stdout_text);
  BOOST_TEST(status_row(status.stdout_text, "daytona") == "daytona none", status.stdout_text);
  BOOST_TEST(status_row(status.stdout_text, "ollama").empty(), status.stdout_text);
  BOOST_TEST(status.stdout_text.find(xai_key) == std::string::npos);

  auto remove = home.run({"/keys", "remove", "xai"});
  BOOST_TEST(remove.exit_code.value_or(-1) == 0, remove.stderr_text);
  BOOST_TEST(record_line(read_text(home.credentials()), "xai").empty());
  status = home.run({"/keys", "status"});
  BOOST_TEST(status_row(status.stdout_text, "xai") == "xai none", status.stdout_text);

  auto again = home.run({"/keys", "remove", "xai"});
  BOOST_TEST(again.exit_code.value_or(-1) == 1, again.describe());
  BOOST_TEST(again.stderr_text.find("no stored key for xai") != std::string::npos, again.stderr_text);

  // Removing the last record removes the file.
  BOOST_TEST(home.run({"/keys", "remove", "openai"}).exit_code.value_or(-1) == 0);
  BOOST_TEST(!std::filesystem::exists(home.credentials()));
}

BOOST_AUTO_TEST_CASE(set_rejects_invalid_keys) {
  keystore_home home;
  home.use_passphrase(passphrase);
  const std::vector<std::pair<std::string, std::string>> cases{
      {"", "is empty"},
      {"KSBAD with space", "contains a space"},
      {"KSBAD\twith-tab", "contains a space"},
      {std::string("KSBAD\x01" "control"), "control character"},
      {"KSBAD\x7f", "control character"},
      {"KSBAD\xc3\xa9", "non-ASCII"},
  };
  for (const auto& [key, expected] : cases) {
    auto result = home.run({"/keys", "set", "xai"}, key + "\n");
    BOOST_TEST(result.exit_code.value_or(-1) == 2, "key case '" << expected << "': " << result.describe());
    BOOST_TEST(result.stderr_text.find(expected) != std::string::npos, result.stderr_text);
    if (!key.empty())
      BOOST_TEST(result.stderr_text.find(key) == std::string::npos, result.stderr_text);
  }
  auto no_input = home.run({"/keys", "set", "xai"});
  BOOST_TEST(no_input.exit_code.value_or(-1) == 2, no_input.describe());
  BOOST_TEST(no_input.stderr_text.find("no key was given") != std::string::npos, no_input.stderr_text);

  auto bad_provider = home.run({"/keys", "set", "XAI"}, "KSVALIDKEY1234567890\n");
  BOOST_TEST(bad_provider.exit_code.value_or(-1) == 2, bad_provider.describe());
  BOOST_TEST(bad_provider.stderr_text.find("invalid provider 'XAI'") != std::string::npos, bad_provider.stderr_text);

  auto unknown = home.run({"/keys", "show"});
  BOOST_TEST(unknown.exit_code.value_or(-1) == 2, unknown.describe());
  BOOST_TEST(!std::filesystem::exists(home.credentials()));
}

BOOST_AUTO_TEST_CASE(remove_needs_the_passphrase) {
  keystore_home home;
  home.use_passphrase(passphrase);
  home.store_key("xai", dummy_key("KSREMOVE"));
  const std::string before = read_text(home.credentials());

  home.use_passphrase("not the passphrase");
  auto wrong = home.run({"/keys", "remove", "xai"});
  BOOST_TEST(wrong.exit_code.value_or(-1) == 1, wrong.describe() << wrong.stderr_text);
  BOOST_TEST(wrong.stderr_text.find("wrong passphrase or the file was modified") != std::string::npos,
             wrong.stderr_text);
  BOOST_TEST(read_text(home.credentials()) == before);

  home.use_passphrase(passphrase);
  auto right = home.run({"/keys", "remove", "xai"});
  BOOST_TEST(right.exit_code.value_or(-1) == 0, right.describe() << right.stderr_text);
  BOOST_TEST(!std::filesystem::exists(home.credentials()));
}

BOOST_AUTO_TEST_CASE(key_on_command_line_is_refused) {
  keystore_home home;
  home.use_passphrase(passphrase);
  auto flag = home.run({"--api-key", "KSCOMMANDLINE1234567890"});
  BOOST_TEST(flag.exit_code.value_or(-1) == 2, flag.describe());
  BOOST_TEST(flag.stderr_text.find("not accepted on the command line") != std::string::npos, flag.stderr_text);
  BOOST_TEST(flag.stderr_text.find("KSCOMMANDLINE") == std::string::npos, flag.stderr_text);

  auto shaped = home.run({"/keys", "set", "xai", "xai-abcdefghijklmnopqrstuvwxyz012345"});
  BOOST_TEST(shaped.exit_code.value_or(-1) == 2, shaped.describe());
  BOOST_TEST(shaped.stderr_text.find("not accepted on the command line") != std::string::npos, shaped.stderr_text);

  // A word that does not look like a key still never becomes one.
  auto extra = home.run({"/keys", "set", "xai", "KSPLAINWORD12345"});
  BOOST_TEST(extra.exit_code.value_or(-1) == 2, extra.describe());
  BOOST_TEST(extra.stderr_text.find("takes only the provider") != std::string::npos, extra.stderr_text);
  BOOST_TEST(!std::filesystem::exists(home.credentials()));
}

BOOST_AUTO_TEST_CASE(wrong_passphrase_and_tampering_share_error) {
  keystore_home home;
  home.use_passphrase(passphrase);
  const std::string key = dummy_key("KSTAMPER");
  home.store_key("xai", key);
  const std::string original = read_text(home.credentials());
  const std::string expected =
      "grok: error: cannot decrypt ~/.grok/credentials.enc: wrong passphrase or the file was modified\n";

  const auto saved = home.environment;
  home.use_passphrase("not the passphrase");
  auto wrong = home.run({"/keys", "status"});
  BOOST_TEST(wrong.exit_code.value_or(-1) == 1, wrong.describe());
  BOOST_TEST(wrong.stderr_text == expected);
  auto wrong_set = home.run({"/keys", "set", "openai"}, dummy_key("KSOTHER") + "\n");
  BOOST_TEST(wrong_set.exit_code.value_or(-1) == 1, wrong_set.describe());
  BOOST_TEST(wrong_set.stderr_text == expected);
  BOOST_TEST(read_text(home.credentials()) == original);

  // The passphrase on standard input instead of a file.
  home.environment.erase("GROK_PASSPHRASE_FILE");
  auto wrong_stdin = home.run({"/keys", "status"}, "not the passphrase\n");
  BOOST_TEST(wrong_stdin.stderr_text == expected);
  home.environment = saved;

  // One changed hex digit in the data, the nonce, the tag or the salt.
  const auto lines = lines_of(original);
  const auto flip_at = [](std::string line, std::size_t at) {
    line[at] = line[at] == '0' ? '1' : '0';
    return line;
  };
  const std::string record = lines[2];
  const std::vector<std::pair<std::string, std::size_t>> places{
      {"data", record.find("data=") + 5},
      {"nonce", record.find("nonce=") + 6},
      {"tag", record.find("tag=") + 8},
      {"salt", lines[1].find("salt=") + 7},
  };
  for (const auto& [field, at] : places) {
    auto modified = lines;
    if (field == "salt")
      modified[1] = flip_at(modified[1], at);
    else
      modified[2] = flip_at(modified[2], at);
    const std::string tampered = join_lines(modified);
    write_text(home.credentials(), tampered);
    auto status = home.run({"/keys", "status"});
    BOOST_TEST(status.exit_code.value_or(-1) == 1, field << ": " << status.describe());
    BOOST_TEST(status.stderr_text == expected, field << ": " << status.stderr_text);
    auto set = home.run({"/keys", "set", "openai"}, dummy_key("KSOTHER") + "\n");
    BOOST_TEST(set.stderr_text == expected, field << ": " << set.stderr_text);
    BOOST_TEST(read_text(home.credentials()) == tampered, field);
  }
}

BOOST_AUTO_TEST_CASE(truncated_tag_is_rejected) {
  keystore_home home;
  home.use_passphrase(passphrase);
  home.store_key("xai", dummy_key("KSTAG"));
  auto lines = lines_of(read_text(home.credentials()));
  lines[2].resize(lines[2].size() - 8); // 12 of the 16 tag bytes remain
  const std::string truncated = join_lines(lines);
  write_text(home.credentials(), truncated);

  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status.exit_code.value_or(-1) == 1, status.describe());
  BOOST_TEST(status.stderr_text.find("line 3: the tag of record 'xai' is 12 bytes; it must be 16") != std::string::npos,
             status.stderr_text);
  auto set = home.run({"/keys", "set", "openai"}, dummy_key("KSOTHER") + "\n");
  BOOST_TEST(set.exit_code.value_or(-1) == 1, set.describe());
  BOOST_TEST(read_text(home.credentials()) == truncated);
}

BOOST_AUTO_TEST_CASE(swapped_records_are_rejected) {
  keystore_home home;
  home.use_passphrase(passphrase);
  home.store_key("xai", dummy_key("KSSWAPxai"));
  home.store_key("openai", dummy_key("KSSWAPopenai"));
  const auto lines = lines_of(read_text(home.credentials()));
  BOOST_TEST_REQUIRE(lines.size() == 4u);

  // Reordering whole lines keeps each name with its data: still valid.
  write_text(home.credentials(), join_lines({lines[0], lines[1], lines[3], lines[2]}));
  auto reordered = home.run({"/keys", "status"});
  BOOST_TEST(reordered.exit_code.value_or(-1) == 0, reordered.stderr_text);

  // Moving openai's sealed data under the name xai and back fails,
  // because the name is authenticated with the data.
  const auto fields = [](const std::string& line) { return line.substr(line.find(" nonce=")); };
  const std::string swapped = join_lines({lines[0], lines[1], "record xai" + fields(lines[3]),
                                          "record openai" + fields(lines[2])});
  write_text(home.credentials(), swapped);
  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status.exit_code.value_or(-1) == 1, status.describe());
  BOOST_TEST(status.stderr_text ==
             "grok: error: cannot decrypt ~/.grok/credentials.enc: wrong passphrase or the file was modified\n");
  BOOST_TEST(read_text(home.credentials()) == swapped);
}

BOOST_AUTO_TEST_CASE(kdf_parameters_out_of_range_are_rejected) {
  keystore_home home;
  home.use_passphrase(passphrase);
  home.store_key("xai", dummy_key("KSKDF"));
  const auto lines = lines_of(read_text(home.credentials()));
  const std::string salt16 = lines[1].substr(lines[1].find("salt=") + 5);

  const std::vector<std::pair<std::string, std::string>> cases{
      {"kdf scrypt n=8192 r=8 p=1 salt=" + salt16, "scrypt n=8192 is out of range"},
      {"kdf scrypt n=2097152 r=8 p=1 salt=" + salt16, "scrypt n=2097152 is out of range"},
      {"kdf scrypt n=131073 r=8 p=1 salt=" + salt16, "scrypt n=131073 is out of range"},
      {"kdf scrypt n=1099511627776 r=8 p=1 salt=" + salt16, "scrypt n=1099511627776 is out of range"},
      {"kdf scrypt n=131072 r=0 p=1 salt=" + salt16, "scrypt r=0 is out of range"},
      {"kdf scrypt n=131072 r=33 p=1 salt=" + salt16, "scrypt r=33 is out of range"},
      {"kdf scrypt n=131072 r=8 p=0 salt=" + salt16, "scrypt p=0 is out of range"},
      {"kdf scrypt n=131072 r=8 p=17 salt=" + salt16, "scrypt p=17 is out of range"},
      {"kdf scrypt n=131072 r=8 p=1 salt=" + salt16.substr(0, 16), "the scrypt salt is 8 bytes"},
      {"kdf scrypt n=131072 r=8 p=1 salt=" + std::string(130, 'a'), "the scrypt salt is 65 bytes"},
      {"kdf scrypt n=1048576 r=8 p=1 salt=" + salt16, "scrypt n=1048576 r=8 needs 1024 MiB of memory, more than the limit of 256 MiB"},
      {"kdf scrypt n=131072 r=8 salt=" + salt16, "'kdf scrypt' needs exactly the fields n=, r=, p= and salt="},
      {"kdf argon2id m=65536 salt=" + salt16, "unknown key derivation 'argon2id'"},
  };
  for (const auto& [kdf_line, expected] : cases) {
    const std::string modified = join_lines({lines[0], kdf_line, lines[2]});
    write_text(home.credentials(), modified);
    auto status = home.run({"/keys", "status"});
    BOOST_TEST(status.exit_code.value_or(-1) == 1, kdf_line << ": " << status.describe());
    BOOST_TEST(status.stderr_text.find("line 2: " + expected) != std::string::npos,
               kdf_line << ": " << status.stderr_text);
    // The header is checked before a passphrase is even asked for.
    auto no_passphrase = home.shell("unset GROK_PASSPHRASE_FILE; exec \"$GROK\" /keys status");
    BOOST_TEST(no_passphrase.stderr_text.find("line 2: " + expected) != std::string::npos,
               kdf_line << ": " << no_passphrase.stderr_text);
    BOOST_TEST(read_text(home.credentials()) == modified);
  }

  write_text(home.credentials(), join_lines({"grok-credentials 2", lines[1], lines[2]}));
  auto newer = home.run({"/keys", "status"});
  BOOST_TEST(newer.stderr_text.find("format version '2' is not supported") != std::string::npos, newer.stderr_text);
}

BOOST_AUTO_TEST_CASE(modes_are_private_under_umask_000) {
  keystore_home home;
  home.use_passphrase(passphrase);
  const auto fresh = home.home() / "fresh-grok-home";
  home.environment["GROK_HOME"] = fresh.string();
  auto result = home.shell("umask 000; exec \"$GROK\" /keys set xai", dummy_key("KSUMASK") + "\n");
  BOOST_TEST_REQUIRE(result.exit_code.value_or(-1) == 0, result.stderr_text);
  BOOST_TEST(mode_of(fresh) == 0700u);
  BOOST_TEST(mode_of(fresh / "credentials.enc") == 0600u);
  BOOST_TEST(mode_of(fresh / "credentials.lock") == 0600u);

  // A second save replaces the file and keeps the mode.
  result = home.shell("umask 000; exec \"$GROK\" /keys set openai", dummy_key("KSUMASK") + "\n");
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.stderr_text);
  BOOST_TEST(mode_of(fresh / "credentials.enc") == 0600u);

  // The machine key too.
  const auto machine_home = home.home() / "machine-grok-home";
  std::filesystem::create_directories(machine_home);
  write_text(machine_home / "config.json", R"({"plugins": {"keystore": {"protection": "machine-key"}}})");
  home.environment["GROK_HOME"] = machine_home.string();
  result = home.shell("umask 000; exec \"$GROK\" /keys set xai", dummy_key("KSUMASK") + "\n");
  BOOST_TEST_REQUIRE(result.exit_code.value_or(-1) == 0, result.stderr_text);
  BOOST_TEST(mode_of(machine_home) == 0700u);
  BOOST_TEST(mode_of(machine_home / "machine.key") == 0600u);
  BOOST_TEST(mode_of(machine_home / "credentials.enc") == 0600u);
}

BOOST_AUTO_TEST_CASE(linked_or_open_file_is_refused) {
  keystore_home home;
  home.use_passphrase(passphrase);
  home.store_key("xai", dummy_key("KSLINK"));
  const auto target = home.home() / "elsewhere.enc";
  std::filesystem::rename(home.credentials(), target);
  std::filesystem::create_symlink(target, home.credentials());
  const std::string before = read_text(target);

  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status.exit_code.value_or(-1) == 1, status.describe());
  BOOST_TEST(status.stderr_text.find("credentials.enc is a symbolic link") != std::string::npos, status.stderr_text);
  auto set = home.run({"/keys", "set", "openai"}, dummy_key("KSLINK") + "\n");
  BOOST_TEST(set.exit_code.value_or(-1) == 1, set.describe());
  BOOST_TEST(std::filesystem::is_symlink(home.credentials()));
  BOOST_TEST(read_text(target) == before);

  std::filesystem::remove(home.credentials());
  std::filesystem::rename(target, home.credentials());
  std::filesystem::permissions(home.credentials(), std::filesystem::perms(0640));
  auto open_mode = home.run({"/keys", "status"});
  BOOST_TEST(open_mode.exit_code.value_or(-1) == 1, open_mode.describe());
  BOOST_TEST(open_mode.stderr_text.find("has mode 0640") != std::string::npos, open_mode.stderr_text);
  BOOST_TEST(open_mode.stderr_text.find("chmod 600") != std::string::npos, open_mode.stderr_text);
}

BOOST_AUTO_TEST_CASE(foreign_owned_file_is_refused) {
  if (::geteuid() != 0) {
    BOOST_TEST_MESSAGE("skipped: changing a file's owner needs root");
    return;
  }
  keystore_home home;
  home.use_passphrase(passphrase);
  home.store_key("xai", dummy_key("KSOWNER"));
  const std::string before = read_text(home.credentials());
  BOOST_TEST_REQUIRE(::chown(home.credentials().c_str(), 65534, 65534) == 0);

  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status.exit_code.value_or(-1) == 1, status.describe());
  BOOST_TEST(status.stderr_text.find("is owned by user id 65534") != std::string::npos, status.stderr_text);
  auto set = home.run({"/keys", "set", "openai"}, dummy_key("KSOWNER") + "\n");
  BOOST_TEST(set.exit_code.value_or(-1) == 1, set.describe());
  BOOST_TEST(read_text(home.credentials()) == before);
}

BOOST_AUTO_TEST_CASE(machine_key_mode_round_trip) {
  keystore_home home;
  home.write_config(R"({"plugins": {"keystore": {"protection": "machine-key"}}})");
  const std::string key = dummy_key("KSMACHINE");
  home.store_key("xai", key);
  const std::string file = read_text(home.credentials());
  BOOST_TEST(file.rfind("grok-credentials 1\nkdf machine-key\nrecord xai ", 0) == 0, file);
  BOOST_TEST(std::filesystem::file_size(home.grok_home() / "machine.key") == 32u);

  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status.exit_code.value_or(-1) == 0, status.stderr_text);
  BOOST_TEST(status_row(status.stdout_text, "xai") ==
                 "xai encrypted file (machine key: protects only against the credential file being copied "
                 "elsewhere) ..." + key.substr(key.size() - 4),
             status.stdout_text);

  // A copy without the machine key, or with another one, cannot be read.
  keystore_home copy;
  copy.write_config(R"({"plugins": {"keystore": {"protection": "machine-key"}}})");
  write_text(copy.credentials(), file);
  auto missing = copy.run({"/keys", "status"});
  BOOST_TEST(missing.exit_code.value_or(-1) == 1, missing.describe());
  BOOST_TEST(missing.stderr_text.find("machine.key is missing") != std::string::npos, missing.stderr_text);
  write_text(copy.grok_home() / "machine.key", std::string(32, 'k'));
  auto other = copy.run({"/keys", "status"});
  BOOST_TEST(other.stderr_text ==
             "grok: error: cannot decrypt ~/.grok/credentials.enc: wrong machine key or the file was modified\n");

  std::filesystem::permissions(home.grok_home() / "machine.key", std::filesystem::perms(0644));
  auto loose = home.run({"/keys", "status"});
  BOOST_TEST(loose.exit_code.value_or(-1) == 1, loose.describe());
  BOOST_TEST(loose.stderr_text.find("machine.key has mode 0644") != std::string::npos, loose.stderr_text);
}

BOOST_AUTO_TEST_CASE(protection_mismatch_stops_without_fallback) {
  keystore_home home;
  home.use_passphrase(passphrase);
  home.store_key("xai", dummy_key("KSMODE"));
  const std::string before = read_text(home.credentials());

  home.write_config(R"({"plugins": {"keystore": {"protection": "machine-key"}}})");
  auto set = home.run({"/keys", "set", "openai"}, dummy_key("KSMODE") + "\n");
  BOOST_TEST(set.exit_code.value_or(-1) == 1, set.describe());
  BOOST_TEST(set.stderr_text.find("is protected by a passphrase, but plugins.keystore.protection is \"machine-key\"") !=
                 std::string::npos,
             set.stderr_text);
  BOOST_TEST(read_text(home.credentials()) == before);
  BOOST_TEST(!std::filesystem::exists(home.grok_home() / "machine.key"));

  home.write_config(R"({"plugins": {"keystore": {"protection": "vault"}}})");
  auto invalid = home.run({"/keys", "set", "openai"}, dummy_key("KSMODE") + "\n");
  BOOST_TEST(invalid.exit_code.value_or(-1) == 1, invalid.describe());
  BOOST_TEST(invalid.stderr_text.find("plugins.keystore.protection is \"vault\"; set it to \"passphrase\", "
                                      "\"keyring\" or \"machine-key\"") != std::string::npos,
             invalid.stderr_text);

  // The keyring mode needs a session bus, and reports its absence at once.
  home.write_config(R"({"plugins": {"keystore": {"protection": "keyring"}}})");
  auto keyring = home.run({"/keys", "set", "openai"}, dummy_key("KSMODE") + "\n");
  BOOST_TEST(keyring.exit_code.value_or(-1) == 1, keyring.describe());
  BOOST_TEST(keyring.stderr_text.find("DBUS_SESSION_BUS_ADDRESS is not set") != std::string::npos,
             keyring.stderr_text);
  BOOST_TEST(seconds_taken(keyring) < 2.0);
  BOOST_TEST(read_text(home.credentials()) == before);
}

BOOST_AUTO_TEST_CASE(missing_session_bus_is_noticed_at_once) {
  keystore_home home;
  home.environment.erase("DBUS_SESSION_BUS_ADDRESS");
  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status.exit_code.value_or(-1) == 0, status.stderr_text);
  BOOST_TEST(status.stdout_text.find("plugins.keystore.protection: passphrase") != std::string::npos,
             status.stdout_text);
  BOOST_TEST(seconds_taken(status) < 2.0);
  BOOST_TEST(status.stderr_text.empty(), status.stderr_text);
}

BOOST_AUTO_TEST_CASE(precedence_run_file_then_environment_then_file) {
  keystore_home home;
  home.use_passphrase(passphrase);
  const std::string stored = dummy_key("KSSTORED");
  const std::string from_environment = dummy_key("KSENV");
  const std::string for_this_run = dummy_key("KSRUN");
  home.store_key("xai", stored);
  const auto suffix = [](const std::string& key) { return "..." + key.substr(key.size() - 4); };

  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status_row(status.stdout_text, "xai") == "xai encrypted file (passphrase) " + suffix(stored),
             status.stdout_text);

  home.environment["XAI_API_KEY"] = from_environment;
  status = home.run({"/keys", "status"});
  BOOST_TEST(status_row(status.stdout_text, "xai") == "xai environment (XAI_API_KEY) " + suffix(from_environment),
             status.stdout_text);

  const auto run_file = home.home() / "run-key.txt";
  write_text(run_file, for_this_run + "\n");
  home.environment["GROK_API_KEY_FILE"] = run_file.string();
  status = home.run({"/keys", "status"});
  BOOST_TEST(status_row(status.stdout_text, "xai") == "xai this run (GROK_API_KEY_FILE) " + suffix(for_this_run),
             status.stdout_text);

  // The same key on an inherited descriptor.
  home.environment.erase("GROK_API_KEY_FILE");
  auto descriptor = home.shell("exec 3<\"$HOME/run-key.txt\"; GROK_API_KEY_FD=3 exec \"$GROK\" /keys status");
  BOOST_TEST(descriptor.exit_code.value_or(-1) == 0, descriptor.stderr_text);
  BOOST_TEST(status_row(descriptor.stdout_text, "xai") == "xai this run (GROK_API_KEY_FD) " + suffix(for_this_run),
             descriptor.stdout_text);

  auto closed = home.shell("GROK_API_KEY_FD=9 exec \"$GROK\" /keys status");
  BOOST_TEST(closed.exit_code.value_or(-1) == 1, closed.describe());
  BOOST_TEST(closed.stderr_text.find("GROK_API_KEY_FD is 9, which is not a file or pipe opened for grok") !=
                 std::string::npos,
             closed.stderr_text);

  write_text(run_file, "KSRUN with a space\n");
  home.environment["GROK_API_KEY_FILE"] = run_file.string();
  auto invalid = home.run({"/keys", "status"});
  BOOST_TEST(invalid.exit_code.value_or(-1) == 1, invalid.describe());
  BOOST_TEST(invalid.stderr_text.find("the key given by GROK_API_KEY_FILE contains a space") != std::string::npos,
             invalid.stderr_text);
}

BOOST_AUTO_TEST_CASE(plain_api_key_is_migrated) {
  keystore_home home;
  home.use_passphrase(passphrase);
  const std::string key = dummy_key("KSMIGRATE");
  home.write_config("{\n  // the original tool's settings\n  \"apiKey\": \"" + key +
                    "\",\n  \"model\": \"grok-3\",\n  \"plugins\": {\"provider-openai\": {\"max_retries\": 0}},\n}\n");

  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status.exit_code.value_or(-1) == 0, status.stderr_text);
  BOOST_TEST(status.stderr_text.find("moved the plain-text API key (apiKey) from ~/.grok/config.json into the "
                                     "encrypted file ~/.grok/credentials.enc (passphrase)") != std::string::npos,
             status.stderr_text);
  BOOST_TEST(status_row(status.stdout_text, "xai") == "xai encrypted file (passphrase) ..." + key.substr(key.size() - 4),
             status.stdout_text);

  const std::string config_text = read_text(home.grok_home() / "config.json");
  BOOST_TEST(config_text.find(key) == std::string::npos, config_text);
  const auto config = json::parse(config_text).as_object();
  BOOST_TEST(!config.contains("apiKey"));
  BOOST_TEST(config.at("model").as_string() == "grok-3");
  BOOST_TEST(config.at("plugins").at("provider-openai").at("max_retries").as_int64() == 0);
  BOOST_TEST(mode_of(home.grok_home() / "config.json") == 0600u);
  BOOST_TEST(!record_line(read_text(home.credentials()), "xai").empty());

  auto again = home.run({"/keys", "status"});
  BOOST_TEST(again.stderr_text.find("moved") == std::string::npos, again.stderr_text);
}

BOOST_AUTO_TEST_CASE(failed_migration_leaves_config_untouched) {
  keystore_home home;
  const std::string key = dummy_key("KSNOMIGRATE");
  const std::string config_text = "{\"apiKey\": \"" + key + "\", \"model\": \"grok-3\"}\n";
  home.write_config(config_text);

  // No passphrase can be had: no GROK_PASSPHRASE_FILE, no terminal.
  auto status = home.run({"/keys", "status"});
  BOOST_TEST(status.stderr_text.find("warning: could not move the plain-text apiKey from ~/.grok/config.json") !=
                 std::string::npos,
             status.stderr_text);
  BOOST_TEST(status.stderr_text.find(key) == std::string::npos, status.stderr_text);
  BOOST_TEST(read_text(home.grok_home() / "config.json") == config_text);
  BOOST_TEST(!std::filesystem::exists(home.credentials()));
  // Until it can be moved, the plain key is still used, with the lowest
  // precedence.
  BOOST_TEST(status.stdout_text.find("plain-text apiKey in config.json (not moved yet)") != std::string::npos,
             status.stdout_text);
  BOOST_TEST(status.stdout_text.find(key.substr(key.size() - 4)) != std::string::npos, status.stdout_text);

  // A different key already stored wins, and the plain one stays.
  home.use_passphrase(passphrase);
  home.write_config("{}");
  home.store_key("xai", dummy_key("KSSTORED"));
  home.write_config(config_text);
  auto conflict = home.run({"/keys", "status"});
  BOOST_TEST(conflict.stderr_text.find("differs from the key for xai already in") != std::string::npos,
             conflict.stderr_text);
  BOOST_TEST(read_text(home.grok_home() / "config.json") == config_text);
}

BOOST_AUTO_TEST_SUITE_END()
