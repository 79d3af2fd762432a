// SPDX-License-Identifier: MIT
/// \file
/// The audit-log plugin inside the real grok executable: changes made
/// through the edit pipeline are recorded, a failed append undoes the
/// change, and /audit verify and /audit log work from the command line.
#include "audit_record.hpp"
#include "audit_test_helpers.hpp"
#include "grok_runner.hpp"
#include "terminal_session.hpp"

#include <grok/sdk/files.hpp>

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <fstream>


using namespace grok::test;
using namespace grok::audit;
using namespace grok::audit::test;
namespace fs = std::filesystem;

namespace {

/// Runs grok in pipe mode with --yes and the fixture plugins.
child_result run_grok(grok_runner& grok, const std::vector<std::string>& words) {
  std::vector<std::string> arguments{"--yes", "--plugin-dir", fixture_plugin_folder().string()};
  arguments.insert(arguments.end(), words.begin(), words.end());
  return grok.run(arguments);
}

fs::path audit_folder(const grok_runner& grok) { return grok.home() / ".grok" / "audit"; }

/// Returns the 64 hex digits after "verification seed is " in `text`.
std::string seed_in(const std::string& text) {
  const std::string marker = "verification seed is ";
  const auto at = text.find(marker);
  return at == std::string::npos ? std::string() : text.substr(at + marker.size(), 64);
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

} // namespace

BOOST_AUTO_TEST_SUITE(end_to_end)

BOOST_AUTO_TEST_CASE(failed_append_keeps_workspace_file) {
  grok_runner grok;
  const fs::path file = grok.workspace() / "notes.txt";
  const std::string original = "original line\nsecond line\n";
  write_file(file, original);
  fs::create_directories(audit_folder(grok) / "log.jsonl");

  const auto result = run_grok(grok, {"/fixture-propose", "notes.txt", "replaced"});
  BOOST_TEST(result.exit_code.value_or(-1) == 1, result.describe());
  BOOST_TEST(read_text(file) == original);
  const std::string expected = "cannot append to the audit log " + (audit_folder(grok) / "log.jsonl").string() +
                               ": Is a directory";
  BOOST_TEST(result.stderr_text.find(expected) != std::string::npos, result.stderr_text);
  BOOST_TEST(result.stderr_text.find("the change was undone") != std::string::npos, result.stderr_text);
}

BOOST_AUTO_TEST_CASE(every_action_is_recorded_and_verified) {
  grok_runner grok;
  auto result = run_grok(grok, {"/fixture-audit-write", "a.txt", "first"});
  BOOST_TEST_REQUIRE(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);
  const std::string seed = seed_in(result.stderr_text);
  BOOST_TEST_REQUIRE(is_sha256_hex(seed), result.stderr_text);
  BOOST_TEST(result.stderr_text.find("Store it somewhere safe") != std::string::npos, result.stderr_text);

  for (const std::vector<std::string>& words :
       {std::vector<std::string>{"/fixture-audit-write", "a.txt", "second"},
        std::vector<std::string>{"/fixture-audit-rename", "a.txt", "b.txt"},
        std::vector<std::string>{"/fixture-audit-remove", "b.txt"}}) {
    result = run_grok(grok, words);
    BOOST_TEST_REQUIRE(result.exit_code.value_or(-1) == 0, words[0] << ": " << result.describe() << result.stderr_text);
    BOOST_TEST(seed_in(result.stderr_text).empty(), "the seed is shown only when the log is created");
  }

  // Four changes, each run closed by a checkpoint at session end.
  const auto lines = read_lines(audit_folder(grok) / "log.jsonl");
  BOOST_TEST_REQUIRE(lines.size() == 8u);
  const std::vector<std::string> actions{"create", "checkpoint", "modify", "checkpoint",
                                         "rename", "checkpoint", "delete", "checkpoint"};
  const fs::path workspace = fs::canonical(grok.workspace());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto parsed = parse_record(lines[i]);
    BOOST_TEST_REQUIRE(parsed.value.has_value(), parsed.error);
    const record& r = *parsed.value;
    const std::string kind = r.type == record_type::checkpoint ? "checkpoint" : r.action;
    BOOST_TEST(kind == actions[i]);
    if (r.type == record_type::change) {
      BOOST_TEST(r.origin == "plugin:fixture-audit");
      BOOST_TEST(!r.session.empty());
      BOOST_TEST(r.user.has_value());
    }
  }
  const record modify = *parse_record(lines[2]).value;
  BOOST_TEST(modify.path == (workspace / "a.txt").string());
  BOOST_TEST(modify.sha256_before == grok::sdk::sha256_hex("first\n"));
  BOOST_TEST(modify.sha256_after == grok::sdk::sha256_hex("second\n"));
  BOOST_TEST(modify.diff.find("-first\n+second\n") != std::string::npos, modify.diff);
  const record rename = *parse_record(lines[4]).value;
  BOOST_TEST(rename.new_path == std::optional<std::string>((workspace / "b.txt").string()));

  // The seed is in no file under GROK_HOME.
  for (const auto& entry : fs::recursive_directory_iterator(grok.home()))
    if (entry.is_regular_file())
      BOOST_TEST(read_text(entry.path()).find(seed) == std::string::npos, entry.path());

  grok.environment["GROK_AUDIT_SEED"] = seed;
  result = grok.run({"/audit", "verify"});
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe() << result.stdout_text << result.stderr_text);
  BOOST_TEST(result.stdout_text.find("verified through record 8; checkpoint 8 covers records 1-8") != std::string::npos,
             result.stdout_text);
  BOOST_TEST(result.stdout_text.find("all 4 checkpoint MACs were authenticated") != std::string::npos,
             result.stdout_text);

  grok.environment.erase("GROK_AUDIT_SEED");
  result = grok.run({"/audit", "verify"});
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe());
  BOOST_TEST(result.stdout_text.find("checkpoints were NOT authenticated") != std::string::npos, result.stdout_text);

  result = grok.run({"/audit", "log", "a.txt"});
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe());
  BOOST_TEST(result.stdout_text.find("create") != std::string::npos, result.stdout_text);
  BOOST_TEST(result.stdout_text.find("modify") != std::string::npos, result.stdout_text);
  BOOST_TEST(result.stdout_text.find("rename") != std::string::npos, result.stdout_text);
  BOOST_TEST(result.stdout_text.find("delete") == std::string::npos, result.stdout_text);
  BOOST_TEST(result.stdout_text.find(grok::sdk::sha256_hex("second\n").substr(0, 12)) != std::string::npos,
             result.stdout_text);
  BOOST_TEST(result.stdout_text.find("+second") == std::string::npos, result.stdout_text);

  result = grok.run({"/audit", "log", "--diff"});
  BOOST_TEST(result.exit_code.value_or(-1) == 0, result.describe());
  BOOST_TEST(result.stdout_text.find("+second") != std::string::npos, result.stdout_text);
  BOOST_TEST(result.stdout_text.find("checkpoint through record 7") != std::string::npos, result.stdout_text);
}

BOOST_AUTO_TEST_CASE(diff_is_redacted_hash_is_real) {
  // grok rejects key-shaped words on its command line, so the key is in
  // the file before the change and shows in the diff as a removed line.
  grok_runner grok;
  const std::string key = "xai-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  const std::string original = "key = " + key + "\n";
  write_file(grok.workspace() / "config.ini", original);
  const auto result = run_grok(grok, {"/fixture-audit-write", "config.ini", "key = none"});
  BOOST_TEST_REQUIRE(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);
  const std::string log = read_text(audit_folder(grok) / "log.jsonl");
  BOOST_TEST(log.find(key) == std::string::npos);
  BOOST_TEST(log.find("-key = [REDACTED]\\n+key = none") != std::string::npos, log);
  const auto record = parse_record(read_lines(audit_folder(grok) / "log.jsonl").front());
  BOOST_TEST_REQUIRE(record.value.has_value(), record.error);
  BOOST_TEST(record.value->sha256_before == grok::sdk::sha256_hex(original));
  BOOST_TEST(record.value->sha256_after == grok::sdk::sha256_hex("key = none\n"));
}

BOOST_AUTO_TEST_CASE(verify_exit_status_reports_tampering) {
  grok_runner grok;
  for (const char* name : {"one.txt", "two.txt"}) {
    const auto result = run_grok(grok, {"/fixture-audit-write", name, "text"});
    BOOST_TEST_REQUIRE(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);
  }
  const fs::path log = audit_folder(grok) / "log.jsonl";
  auto lines = read_lines(log);
  BOOST_TEST_REQUIRE(lines.size() == 4u);
  const auto at = lines[0].find("one.txt");
  BOOST_TEST_REQUIRE(at != std::string::npos);
  lines[0][at] = 'n';
  write_lines(log, lines);

  const auto result = grok.run({"/audit", "verify"});
  BOOST_TEST(result.exit_code.value_or(-1) == 1, result.describe());
  BOOST_TEST(result.stdout_text.find("NOT verified: record 1 (line 1) was edited") != std::string::npos,
             result.stdout_text);
}

BOOST_AUTO_TEST_CASE(seed_prompt_on_terminal) {
  grok_runner grok;
  const auto result = run_grok(grok, {"/fixture-audit-write", "a.txt", "text"});
  BOOST_TEST_REQUIRE(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);
  const std::string seed = seed_in(result.stderr_text);
  BOOST_TEST_REQUIRE(is_sha256_hex(seed), result.stderr_text);

  auto environment = grok.environment;
  environment["TERM"] = "xterm";
  terminal_session terminal(grok_executable(), {"/audit", "verify"}, environment, grok.workspace(), 200);
  BOOST_TEST_REQUIRE(terminal.wait_for("audit log seed"), terminal.screen());
  terminal.type(seed + "\r");
  BOOST_TEST(terminal.wait_exit() == 0, terminal.screen());
  BOOST_TEST(terminal.screen().find("all 1 checkpoint MACs were authenticated with the seed") != std::string::npos,
             terminal.screen());
  BOOST_TEST(terminal.screen().find(seed) == std::string::npos, "the typed seed is not echoed");
}

BOOST_AUTO_TEST_CASE(invalid_seed_is_usage_error) {
  grok_runner grok;
  grok.environment["GROK_AUDIT_SEED"] = "not-a-seed";
  const auto result = grok.run({"/audit", "verify"});
  BOOST_TEST(result.exit_code.value_or(-1) == 2, result.describe());
  BOOST_TEST(result.stderr_text.find("GROK_AUDIT_SEED is not a seed: it must be the 64 hex digits") !=
                 std::string::npos,
             result.stderr_text);
}

BOOST_AUTO_TEST_CASE(edit_of_audit_folder_is_refused) {
  grok_runner grok;
  // GROK_HOME inside the workspace: the audit folder becomes editable
  // unless the plugin's pre-edit hook rejects it. (A GROK_HOME named
  // .grok is refused earlier, by the host's own protection of .grok/.)
  grok.environment["GROK_HOME"] = (grok.workspace() / "state").string();
  fs::create_directories(grok.workspace() / "state");
  write_file(grok.workspace() / "state" / "first-run-notice-shown", "test\n");
  auto result = run_grok(grok, {"/fixture-audit-write", "x.txt", "text"});
  BOOST_TEST_REQUIRE(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);
  const std::string before = read_text(grok.workspace() / "state" / "audit" / "log.jsonl");

  result = run_grok(grok, {"/fixture-audit-write", "state/audit/log.jsonl", "forged"});
  BOOST_TEST(result.exit_code.value_or(-1) != 0, result.describe());
  BOOST_TEST(result.stderr_text.find("grok does not edit its own audit folder") != std::string::npos,
             result.stderr_text);
  BOOST_TEST(read_text(grok.workspace() / "state" / "audit" / "log.jsonl") == before);
}

BOOST_AUTO_TEST_CASE(checkpoint_every_setting_applies) {
  grok_runner grok;
  grok.write_config(R"({"plugins": {"audit-log": {"checkpoint_every": 1}}})");
  const auto result = run_grok(grok, {"/fixture-write-two", "a.txt", "b.txt"});
  BOOST_TEST_REQUIRE(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);
  const auto lines = read_lines(audit_folder(grok) / "log.jsonl");
  BOOST_TEST_REQUIRE(lines.size() == 4u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto parsed = parse_record(lines[i]);
    BOOST_TEST_REQUIRE(parsed.value.has_value(), parsed.error);
    const auto expected = i % 2 == 0 ? record_type::change : record_type::checkpoint;
    BOOST_TEST(parsed.value->type == expected, "line " << i + 1);
  }
}

BOOST_AUTO_TEST_CASE(invalid_checkpoint_every_warns) {
  grok_runner grok;
  grok.write_config(R"({"plugins": {"audit-log": {"checkpoint_every": 0}}})");
  const auto result = run_grok(grok, {"/fixture-write-two", "a.txt", "b.txt"});
  BOOST_TEST_REQUIRE(result.exit_code.value_or(-1) == 0, result.describe() << result.stderr_text);
  BOOST_TEST(result.stderr_text.find("plugins.audit-log.checkpoint_every is 0; it must be a whole number from 1 "
                                     "to 1000000. Using 64") != std::string::npos,
             result.stderr_text);
  // Default cadence: both changes, then the checkpoint at session end.
  BOOST_TEST(read_lines(audit_folder(grok) / "log.jsonl").size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
