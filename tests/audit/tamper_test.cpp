// SPDX-License-Identifier: MIT
/// \file
/// The writer and the verifier on real files: record fields, checkpoints,
/// file modes, and every kind of tampering that verify must report.
#include "audit_key.hpp"
#include "audit_log.hpp"
#include "audit_record.hpp"
#include "audit_test_helpers.hpp"
#include "audit_verify.hpp"
#include "test_pki.hpp"

#include <grok/sdk/files.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

using namespace grok::audit;
using namespace grok::audit::test;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

/// A log of twelve records written with checkpoint_every = 4: changes 1-4,
/// checkpoint 5, changes 6-9, checkpoint 10, changes 11 and 12.
struct sample_log {
  grok::test::temp_dir home;
  log_writer writer{home.path() / "audit", 4};
  secret_key seed;

  sample_log() {
    for (int i = 1; i <= 10; ++i) {
      auto outcome = writer.append(one_change("/w/file" + std::to_string(i) + ".txt"));
      BOOST_TEST_REQUIRE(outcome.ok(), outcome.error);
      if (outcome.new_seed_hex) {
        seed = *secret_key::from_hex(*outcome.new_seed_hex);
        wipe(*outcome.new_seed_hex);
      }
    }
  }

  const log_paths& paths() const { return writer.paths(); }
  verify_report verify_with_seed() const { return verify_log(paths(), &seed); }
  verify_report verify_without_seed() const { return verify_log(paths(), nullptr); }
  std::vector<std::string> lines() const { return read_lines(paths().log); }
  void replace_lines(const std::vector<std::string>& lines) const { write_lines(paths().log, lines); }
};

record parse_line(const std::string& line) {
  auto parsed = parse_record(line);
  BOOST_TEST_REQUIRE(parsed.value.has_value(), parsed.error);
  return *parsed.value;
}

std::string to_line(const record& r) {
  std::string line = serialize_line(r);
  line.pop_back();
  return line;
}

/// Rewrites the anchor as an attacker who can write the folder would.
void write_anchor(const log_paths& paths, const record& last) {
  std::ofstream(paths.anchor, std::ios::trunc)
      << json::serialize(json::object{{"seq", last.seq}, {"hash", last.hash}}) << "\n";
}

/// Recomputes prev and hash of every record from `from` (0-based) on, as an
/// attacker who rewrites the chain would, and updates the anchor.
void rechain(const sample_log& log, std::vector<std::string>& lines, std::size_t from) {
  std::string prev = from == 0 ? std::string(genesis_hash) : parse_line(lines[from - 1]).hash;
  record r;
  for (std::size_t i = from; i < lines.size(); ++i) {
    r = parse_line(lines[i]);
    r.prev = prev;
    if (r.type == record_type::checkpoint)
      r.through_hash = prev;
    r.hash = compute_hash(r);
    prev = r.hash;
    lines[i] = to_line(r);
  }
  log.replace_lines(lines);
  write_anchor(log.paths(), r);
}

mode_t mode_of(const fs::path& path) {
  struct stat info {};
  BOOST_TEST_REQUIRE(::lstat(path.c_str(), &info) == 0, path);
  return info.st_mode & 07777;
}

} // namespace

BOOST_AUTO_TEST_SUITE(writer)

BOOST_AUTO_TEST_CASE(records_have_every_field) {
  grok::test::temp_dir home;
  log_writer writer(home.path() / "audit", 64);
  change_batch batch;
  batch.session = "session-1";
  batch.change_set = "set-1";
  batch.origin = "command:/edit";
  batch.who = current_identity();
  batch.entries.push_back({"create", "/w/new.txt", std::nullopt, std::nullopt, grok::sdk::sha256_hex("n"), "+n\n"});
  batch.entries.push_back({"rename", "/w/a.txt", "/w/b.txt", grok::sdk::sha256_hex("a"), grok::sdk::sha256_hex("a"), ""});
  batch.entries.push_back({"delete", "/w/gone.txt", std::nullopt, grok::sdk::sha256_hex("g"), std::nullopt, "-g\n"});
  auto outcome = writer.append(batch);
  BOOST_TEST_REQUIRE(outcome.ok(), outcome.error);
  BOOST_TEST(outcome.first_seq == 1u);
  BOOST_TEST(outcome.last_seq == 3u);
  BOOST_TEST_REQUIRE(outcome.new_seed_hex.has_value());
  BOOST_TEST(is_sha256_hex(*outcome.new_seed_hex));

  const auto lines = read_lines(writer.paths().log);
  BOOST_TEST_REQUIRE(lines.size() == 3u);
  const record create = parse_line(lines[0]);
  BOOST_TEST(create.seq == 1u);
  BOOST_TEST(create.prev == std::string(genesis_hash));
  BOOST_TEST(create.uid == static_cast<std::uint64_t>(::getuid()));
  BOOST_TEST(create.user == current_identity().user);
  BOOST_TEST(create.session == "session-1");
  BOOST_TEST(create.change_set == "set-1");
  BOOST_TEST(create.origin == "command:/edit");
  BOOST_TEST(create.action == "create");
  BOOST_TEST(!create.sha256_before.has_value());
  BOOST_TEST(create.sha256_after == grok::sdk::sha256_hex("n"));
  BOOST_TEST(!create.new_path.has_value());
  BOOST_TEST(create.time.size() == 24u);
  BOOST_TEST(create.hash == compute_hash(create));

  const record rename = parse_line(lines[1]);
  BOOST_TEST(rename.new_path == std::optional<std::string>("/w/b.txt"));
  BOOST_TEST(rename.prev == create.hash);
  const record remove = parse_line(lines[2]);
  BOOST_TEST(!remove.sha256_after.has_value());
  BOOST_TEST(lines[2].find("\"new_path\"") == std::string::npos);

  std::string error;
  const auto anchor = read_anchor(writer.paths().anchor, error);
  BOOST_TEST_REQUIRE(anchor.has_value(), error);
  BOOST_TEST(anchor->seq == 3u);
  BOOST_TEST(anchor->hash == remove.hash);
}

BOOST_AUTO_TEST_CASE(files_are_private) {
  sample_log log;
  BOOST_TEST(mode_of(log.paths().folder) == 0700u);
  BOOST_TEST(mode_of(log.paths().log) == 0600u);
  BOOST_TEST(mode_of(log.paths().key) == 0600u);
  BOOST_TEST(mode_of(log.paths().anchor) == 0600u);
}

BOOST_AUTO_TEST_CASE(checkpoints_every_n_records) {
  sample_log log;
  const auto lines = log.lines();
  BOOST_TEST_REQUIRE(lines.size() == 12u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const record r = parse_line(lines[i]);
    BOOST_TEST(r.seq == i + 1);
    const bool checkpoint = r.seq == 5 || r.seq == 10;
    BOOST_TEST((r.type == record_type::checkpoint) == checkpoint, "seq " << r.seq);
    if (checkpoint) {
      BOOST_TEST(r.through_seq == r.seq - 1);
      BOOST_TEST(r.through_hash == r.prev);
      BOOST_TEST(r.epoch == (r.seq == 5 ? 0u : 1u));
    }
  }
}

BOOST_AUTO_TEST_CASE(key_file_evolves_and_forgets_seed) {
  sample_log log;
  std::string error;
  const auto state = read_key_file(log.paths().key, error);
  BOOST_TEST_REQUIRE(state.has_value(), error);
  BOOST_TEST(state->epoch == 2u);
  BOOST_TEST(state->checkpoint_seq == 10u);
  BOOST_TEST(state->key.to_hex() == log.seed.evolved().evolved().to_hex());

  // The seed appears in no file of the audit folder.
  const std::string seed_hex = log.seed.to_hex();
  for (const auto& entry : fs::directory_iterator(log.paths().folder))
    BOOST_TEST(read_text(entry.path()).find(seed_hex) == std::string::npos, entry.path());
}

BOOST_AUTO_TEST_CASE(checkpoint_at_exit_only_when_uncovered) {
  sample_log log;
  auto outcome = log.writer.checkpoint_if_uncovered();
  BOOST_TEST_REQUIRE(outcome.ok(), outcome.error);
  BOOST_TEST(outcome.checkpoint_seqs == std::vector<std::uint64_t>{13});
  outcome = log.writer.checkpoint_if_uncovered();
  BOOST_TEST_REQUIRE(outcome.ok(), outcome.error);
  BOOST_TEST(outcome.first_seq == 0u);
  BOOST_TEST(log.lines().size() == 13u);
  const auto report = log.verify_with_seed();
  BOOST_TEST(report.verified(), report_text(report));
  BOOST_TEST(!report.uncovered_from.has_value());

  grok::test::temp_dir empty_home;
  log_writer fresh(empty_home.path() / "audit", 4);
  outcome = fresh.checkpoint_if_uncovered();
  BOOST_TEST(outcome.ok());
  BOOST_TEST(!fs::exists(empty_home.path() / "audit"));
}

BOOST_AUTO_TEST_CASE(directory_in_place_of_log_fails) {
  grok::test::temp_dir home;
  log_writer writer(home.path() / "audit", 64);
  fs::create_directories(writer.paths().log);
  const auto outcome = writer.append(one_change("/w/a.txt"));
  BOOST_TEST(!outcome.ok());
  BOOST_TEST(outcome.error == "cannot append to the audit log " + writer.paths().log.string() + ": Is a directory");
}

BOOST_AUTO_TEST_CASE(symbolic_link_in_place_of_log_fails) {
  grok::test::temp_dir home;
  log_writer writer(home.path() / "audit", 64);
  fs::create_directories(writer.paths().folder);
  fs::create_symlink(home.path() / "elsewhere.jsonl", writer.paths().log);
  const auto outcome = writer.append(one_change("/w/a.txt"));
  BOOST_TEST(!outcome.ok());
  BOOST_TEST(outcome.error.find("it is a symbolic link") != std::string::npos, outcome.error);
  BOOST_TEST(!fs::exists(home.path() / "elsewhere.jsonl"));
}

BOOST_AUTO_TEST_CASE(invalid_entries_are_not_written) {
  grok::test::temp_dir home;
  log_writer writer(home.path() / "audit", 64);
  struct bad_case {
    change_entry entry;
    std::string reason;
  };
  const std::vector<bad_case> cases{
      {{"chmod", "/w/a", std::nullopt, std::nullopt, std::nullopt, ""}, "unknown action \"chmod\""},
      {{"modify", "", std::nullopt, std::nullopt, std::nullopt, ""}, "the path is empty"},
      {{"rename", "/w/a", std::nullopt, std::nullopt, std::nullopt, ""}, "a rename needs new_path"},
      {{"modify", "/w/a", "/w/b", std::nullopt, std::nullopt, ""}, "a rename needs new_path"},
      {{"modify", "/w/a", std::nullopt, "ABC", std::nullopt, ""}, "not 64 lower-case hex digits"},
  };
  for (const auto& c : cases) {
    change_batch batch = one_change("/w/first");
    batch.entries.push_back(c.entry);
    const auto outcome = writer.append(batch);
    BOOST_TEST(!outcome.ok());
    BOOST_TEST(outcome.error.find("change 2 of change set " + batch.change_set) != std::string::npos, outcome.error);
    BOOST_TEST(outcome.error.find(c.reason) != std::string::npos, outcome.error);
  }
  BOOST_TEST(!fs::exists(writer.paths().log));
}

BOOST_AUTO_TEST_CASE(append_refuses_truncated_log) {
  sample_log log;
  auto lines = log.lines();
  lines.resize(9);
  log.replace_lines(lines);
  const auto outcome = log.writer.append(one_change("/w/more.txt"));
  BOOST_TEST(!outcome.ok());
  BOOST_TEST(outcome.error.find("it ends at record 9, but the anchor " + log.paths().anchor.string() +
                                " records 12 records, so the log was truncated or rolled back") != std::string::npos,
             outcome.error);
  BOOST_TEST(log.lines().size() == 9u);
}

BOOST_AUTO_TEST_CASE(append_refuses_edited_last_record) {
  sample_log log;
  auto lines = log.lines();
  const auto at = lines.back().find("file10");
  BOOST_TEST_REQUIRE(at != std::string::npos);
  lines.back()[at] = 'F';
  log.replace_lines(lines);
  const auto outcome = log.writer.append(one_change("/w/more.txt"));
  BOOST_TEST(!outcome.ok());
  BOOST_TEST(outcome.error.find("its last record (seq 12) does not match its hash") != std::string::npos, outcome.error);
}

BOOST_AUTO_TEST_CASE(append_refuses_missing_key_file) {
  sample_log log;
  fs::remove(log.paths().key);
  const auto outcome = log.writer.append(one_change("/w/more.txt"));
  BOOST_TEST(!outcome.ok());
  BOOST_TEST(outcome.error.find("cannot read the key file " + log.paths().key.string()) != std::string::npos,
             outcome.error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(verify)

BOOST_AUTO_TEST_CASE(intact_log_verifies_with_seed) {
  sample_log log;
  const auto report = log.verify_with_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.verified(), text);
  BOOST_TEST(report.verified_through == 12u);
  BOOST_TEST(report.checkpoints == 2u);
  BOOST_TEST(report.last_checkpoint == std::optional<std::uint64_t>(10));
  BOOST_TEST(text.find("verified through record 12; checkpoint 10 covers records 1-10") != std::string::npos, text);
  BOOST_TEST(text.find("all 2 checkpoint MACs were authenticated with the seed") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(tail_after_checkpoint_is_uncovered) {
  sample_log log;
  const auto report = log.verify_with_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.verified(), text);
  BOOST_TEST(report.uncovered_from == std::optional<std::uint64_t>(11));
  BOOST_TEST(text.find("records 11-12 come after the last checkpoint; they are chained but not authenticated") !=
                 std::string::npos,
             text);
}

BOOST_AUTO_TEST_CASE(without_seed_checkpoints_unauthenticated) {
  sample_log log;
  const auto report = log.verify_without_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.verified(), text);
  BOOST_TEST(!report.authenticated);
  BOOST_TEST(text.find("checkpoints were NOT authenticated because no seed was given") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(one_changed_byte_is_edited) {
  sample_log log;
  auto lines = log.lines();
  const auto at = lines[2].find("file3");
  BOOST_TEST_REQUIRE(at != std::string::npos);
  lines[2][at + 4] = '8';
  log.replace_lines(lines);
  for (const auto& report : {log.verify_with_seed(), log.verify_without_seed()}) {
    const std::string text = report_text(report);
    BOOST_TEST(report.result == finding::edited, text);
    BOOST_TEST(report.bad_line == std::optional<std::uint64_t>(3));
    BOOST_TEST(report.verified_through == 2u);
    BOOST_TEST(text.find("NOT verified: record 3 (line 3) was edited: its hash does not match its content") !=
                   std::string::npos,
               text);
    BOOST_TEST(text.find("records 1-2 before the problem passed every check") != std::string::npos, text);
  }
}

BOOST_AUTO_TEST_CASE(changed_byte_breaking_json_is_malformed) {
  sample_log log;
  auto lines = log.lines();
  lines[3][0] = '[';
  log.replace_lines(lines);
  const auto report = log.verify_with_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.result == finding::malformed, text);
  BOOST_TEST(text.find("line 4 is not a valid record") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(deleted_record_is_reported) {
  sample_log log;
  auto lines = log.lines();
  lines.erase(lines.begin() + 2);
  log.replace_lines(lines);
  const auto report = log.verify_with_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.result == finding::deleted, text);
  BOOST_TEST(text.find("NOT verified: record 3 before line 3 is missing, so records were deleted") != std::string::npos,
             text);
}

BOOST_AUTO_TEST_CASE(deleted_and_rechained_record_fails_mac) {
  // An attacker who deletes a record and renumbers and rehashes the rest
  // passes the chain checks; the checkpoint MAC over the old chain fails.
  sample_log log;
  auto lines = log.lines();
  lines.erase(lines.begin() + 2);
  for (std::size_t i = 2; i < lines.size(); ++i) {
    record r = parse_line(lines[i]);
    r.seq -= 1;
    if (r.type == record_type::checkpoint)
      r.through_seq -= 1;
    lines[i] = to_line(r);
  }
  rechain(log, lines, 2);
  const auto without_seed = log.verify_without_seed();
  BOOST_TEST(without_seed.verified(), report_text(without_seed));
  const auto report = log.verify_with_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.result == finding::bad_mac, text);
  BOOST_TEST(report.bad_line == std::optional<std::uint64_t>(4));
}

BOOST_AUTO_TEST_CASE(swapped_records_are_reordered) {
  sample_log log;
  auto lines = log.lines();
  std::swap(lines[5], lines[6]);
  log.replace_lines(lines);
  const auto report = log.verify_with_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.result == finding::reordered, text);
  BOOST_TEST(report.bad_line == std::optional<std::uint64_t>(6));
  BOOST_TEST(text.find("line 6 holds record 7 where record 6 belongs, and record 6 comes later at line 7, so "
                       "records were reordered") != std::string::npos,
             text);
}

BOOST_AUTO_TEST_CASE(record_moved_back_goes_back) {
  sample_log log;
  auto lines = log.lines();
  const std::string moved = lines[1];
  lines.erase(lines.begin() + 1);
  lines.insert(lines.begin() + 5, moved);
  log.replace_lines(lines);
  const auto report = log.verify_with_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.result == finding::reordered, text);
}

BOOST_AUTO_TEST_CASE(duplicated_record_is_inserted) {
  sample_log log;
  auto lines = log.lines();
  lines.insert(lines.begin() + 4, lines[3]);
  log.replace_lines(lines);
  const auto report = log.verify_with_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.result == finding::inserted, text);
  BOOST_TEST(text.find("seq 4 appears twice (lines 4 and 5), so a record was inserted") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(replaced_record_breaks_chain) {
  // A record rebuilt with a new path and a correct own hash, but the old
  // prev of its successor.
  sample_log log;
  auto lines = log.lines();
  record r = parse_line(lines[6]);
  r.path = "/w/innocent.txt";
  r.hash = compute_hash(r);
  lines[6] = to_line(r);
  log.replace_lines(lines);
  const auto report = log.verify_with_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.result == finding::inserted, text);
  BOOST_TEST(text.find("record 8 (line 8) does not chain to the record before it") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(cut_tail_is_truncated) {
  sample_log log;
  auto lines = log.lines();
  lines.resize(10);
  log.replace_lines(lines);
  const auto report = log.verify_with_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.result == finding::truncated, text);
  BOOST_TEST(text.find("the log ends at record 10, but the anchor " + log.paths().anchor.string() +
                       " records 12 records, so the log was truncated or rolled back (records 11-12 are missing)") !=
                 std::string::npos,
             text);
}

BOOST_AUTO_TEST_CASE(cut_inside_last_line_is_not_a_crash) {
  sample_log log;
  std::string text_before = read_text(log.paths().log);
  // Cut 50 bytes off the end: the last record becomes a partial line.
  text_before.resize(text_before.size() - 50);
  std::ofstream(log.paths().log, std::ios::binary | std::ios::trunc) << text_before;
  const auto report = log.verify_with_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.result == finding::truncated, text);
  BOOST_TEST(text.find("the log was cut, not torn by a crash") != std::string::npos, text);
  BOOST_TEST(text.find("This is not tampering") == std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(rewritten_tail_differs_from_anchor) {
  // Record 11 is replaced and the chain after it rehashed, but the anchor
  // still names record 12 with its old hash.
  sample_log log;
  const std::string anchor = read_text(log.paths().anchor);
  auto lines = log.lines();
  record replacement = parse_line(lines[10]);
  replacement.path = "/w/other.txt";
  lines[10] = to_line(replacement);
  rechain(log, lines, 10);
  std::ofstream(log.paths().anchor, std::ios::trunc) << anchor;

  const auto report = log.verify_with_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.result == finding::rolled_back, text);
  BOOST_TEST(text.find("record 12 has another hash than the anchor records, so the log was rolled back") !=
                 std::string::npos,
             text);
}

BOOST_AUTO_TEST_CASE(missing_anchor_is_reported) {
  sample_log log;
  fs::remove(log.paths().anchor);
  const auto report = log.verify_with_seed();
  BOOST_TEST(report.result == finding::anchor_missing, report_text(report));
}

BOOST_AUTO_TEST_CASE(deleted_log_with_anchor_is_reported) {
  sample_log log;
  fs::remove(log.paths().log);
  const auto report = log.verify_with_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.result == finding::log_missing, text);
  BOOST_TEST(text.find("is missing, but the anchor") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(forged_checkpoint_mac_is_detected) {
  sample_log log;
  auto lines = log.lines();
  record checkpoint = parse_line(lines[9]);
  BOOST_TEST_REQUIRE(checkpoint.type == record_type::checkpoint);
  checkpoint.mac[0] = checkpoint.mac[0] == 'a' ? 'b' : 'a';
  lines[9] = to_line(checkpoint);
  rechain(log, lines, 9);

  const auto without_seed = log.verify_without_seed();
  BOOST_TEST(without_seed.verified(), report_text(without_seed));

  const auto report = log.verify_with_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.result == finding::bad_mac, text);
  BOOST_TEST(report.bad_line == std::optional<std::uint64_t>(10));
  BOOST_TEST(text.find("NOT verified: the MAC of checkpoint record 10 (line 10), epoch 1, does not match, so the "
                       "checkpoint was forged or changed") != std::string::npos,
             text);
}

BOOST_AUTO_TEST_CASE(edited_record_under_checkpoint_fails_mac) {
  // Changing a covered record and rehashing the rest of the chain passes
  // every unkeyed check, but not the first checkpoint after it.
  sample_log log;
  auto lines = log.lines();
  record r = parse_line(lines[1]);
  r.sha256_after = grok::sdk::sha256_hex("something else");
  lines[1] = to_line(r);
  rechain(log, lines, 1);
  BOOST_TEST(log.verify_without_seed().verified());
  const auto report = log.verify_with_seed();
  BOOST_TEST(report.result == finding::bad_mac, report_text(report));
  BOOST_TEST(report.bad_line == std::optional<std::uint64_t>(5));
}

BOOST_AUTO_TEST_CASE(current_key_cannot_forge_old_checkpoints) {
  // Someone who steals the key file gets key_2. It does not verify the
  // log as a seed, and a checkpoint of epoch 0 made with it fails.
  sample_log log;
  std::string error;
  const auto stolen = read_key_file(log.paths().key, error);
  BOOST_TEST_REQUIRE(stolen.has_value(), error);
  const auto as_seed = verify_log(log.paths(), &stolen->key);
  BOOST_TEST(as_seed.result == finding::bad_mac, report_text(as_seed));

  auto lines = log.lines();
  record checkpoint = parse_line(lines[4]);
  checkpoint.mac = stolen->key.hmac_hex(checkpoint_mac_input(checkpoint));
  lines[4] = to_line(checkpoint);
  rechain(log, lines, 4);
  const auto report = log.verify_with_seed();
  BOOST_TEST(report.result == finding::bad_mac, report_text(report));
  BOOST_TEST(report.bad_line == std::optional<std::uint64_t>(5));
}

BOOST_AUTO_TEST_CASE(wrong_seed_fails_first_checkpoint) {
  sample_log log;
  const auto other = secret_key::random();
  const auto report = verify_log(log.paths(), &other);
  BOOST_TEST(report.result == finding::bad_mac, report_text(report));
  BOOST_TEST(report.bad_line == std::optional<std::uint64_t>(5));
}

BOOST_AUTO_TEST_CASE(replayed_epoch_is_bad_checkpoint) {
  sample_log log;
  auto lines = log.lines();
  record checkpoint = parse_line(lines[9]);
  checkpoint.epoch = 0;
  lines[9] = to_line(checkpoint);
  rechain(log, lines, 9);
  const auto report = log.verify_without_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.result == finding::bad_checkpoint, text);
  BOOST_TEST(text.find("has epoch 0, not above the previous checkpoint's epoch 0") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(torn_last_line_is_not_tampering) {
  sample_log log;
  {
    std::ofstream out(log.paths().log, std::ios::app | std::ios::binary);
    out << R"({"type":"change","seq":13,"time":"2026-12-04T20:2)";
  }
  const auto report = log.verify_with_seed();
  const std::string text = report_text(report);
  BOOST_TEST(report.verified(), text);
  BOOST_TEST(report.torn_tail);
  BOOST_TEST(report.verified_through == 12u);
  BOOST_TEST(text.find("line 13 at the end of the log is incomplete: an append was cut short by a crash. This is "
                       "not tampering") != std::string::npos,
             text);
}

BOOST_AUTO_TEST_CASE(unparsable_last_line_is_torn) {
  sample_log log;
  {
    std::ofstream out(log.paths().log, std::ios::app | std::ios::binary);
    out << std::string(40, '\0') << "\n";
  }
  const auto report = log.verify_with_seed();
  BOOST_TEST(report.verified(), report_text(report));
  BOOST_TEST(report.torn_tail);
}

BOOST_AUTO_TEST_CASE(unparsable_middle_line_is_malformed) {
  sample_log log;
  auto lines = log.lines();
  lines.insert(lines.begin() + 3, "garbage");
  log.replace_lines(lines);
  const auto report = log.verify_with_seed();
  BOOST_TEST(report.result == finding::malformed, report_text(report));
  BOOST_TEST(!report.torn_tail);
}

BOOST_AUTO_TEST_CASE(append_moves_torn_line_aside) {
  sample_log log;
  const std::string fragment = R"({"type":"change","seq":13,"ti)";
  {
    std::ofstream out(log.paths().log, std::ios::app | std::ios::binary);
    out << fragment;
  }
  const auto outcome = log.writer.append(one_change("/w/after-crash.txt"));
  BOOST_TEST_REQUIRE(outcome.ok(), outcome.error);
  BOOST_TEST(outcome.first_seq == 13u);
  BOOST_TEST_REQUIRE(outcome.warnings.size() == 1u);
  BOOST_TEST(outcome.warnings[0].find("ended with an incomplete line of " + std::to_string(fragment.size()) +
                                      " bytes") != std::string::npos,
             outcome.warnings[0]);

  std::vector<fs::path> fragments;
  for (const auto& entry : fs::directory_iterator(log.paths().folder))
    if (entry.path().extension() == ".fragment")
      fragments.push_back(entry.path());
  BOOST_TEST_REQUIRE(fragments.size() == 1u);
  BOOST_TEST(read_text(fragments[0]) == fragment);

  const auto report = log.verify_with_seed();
  BOOST_TEST(report.verified(), report_text(report));
  BOOST_TEST(!report.torn_tail);
  BOOST_TEST(report.verified_through == 13u);
}

BOOST_AUTO_TEST_CASE(no_log_is_not_verified) {
  grok::test::temp_dir home;
  const auto report = verify_log(log_paths::in(home.path() / "audit"), nullptr);
  BOOST_TEST(report.result == finding::no_log, report_text(report));
}

BOOST_AUTO_TEST_SUITE_END()
