// SPDX-License-Identifier: MIT
/// \file
/// Records and keys: canonical serialisation, strict parsing, key
/// evolution, HMAC and the key file.
#define BOOST_TEST_MODULE grok audit tests
#include "audit_key.hpp"
#include "audit_record.hpp"
#include "audit_test_helpers.hpp"
#include "test_pki.hpp"

#include <grok/sdk/files.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

using namespace grok::audit;
namespace json = boost::json;

namespace {

record sample_change() {
  record r;
  r.type = record_type::change;
  r.seq = 7;
  r.time = "2026-12-04T20:22:18.123Z";
  r.uid = 1000;
  r.user = "alice";
  r.session = "s-1";
  r.change_set = "c-1";
  r.origin = "command:/edit";
  r.action = "rename";
  r.path = "/w/a \"quoted\"\n.txt";
  r.new_path = "/w/b.txt";
  r.sha256_before = grok::sdk::sha256_hex("x");
  r.sha256_after = grok::sdk::sha256_hex("x");
  r.diff = "tab\there\x01";
  r.prev = std::string(genesis_hash);
  r.hash = compute_hash(r);
  return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(records)

BOOST_AUTO_TEST_CASE(canonical_text_fixes_key_order) {
  record r = sample_change();
  const std::string expected =
      R"({"type":"change","seq":7,"time":"2026-12-04T20:22:18.123Z","uid":1000,"user":"alice",)"
      R"("session":"s-1","change_set":"c-1","origin":"command:/edit","action":"rename",)"
      R"("path":"/w/a \"quoted\"\n.txt","new_path":"/w/b.txt","sha256_before":")" +
      *r.sha256_before + R"(","sha256_after":")" + *r.sha256_after +
      R"(","diff":"tab\there\u0001","prev":")" + std::string(genesis_hash) + R"("})";
  BOOST_TEST(canonical_text(r) == expected);
  BOOST_TEST(compute_hash(r) == grok::sdk::sha256_hex(expected));
}

BOOST_AUTO_TEST_CASE(line_round_trips) {
  const record r = sample_change();
  std::string line = serialize_line(r);
  BOOST_TEST_REQUIRE(line.back() == '\n');
  line.pop_back();
  const auto parsed = parse_record(line);
  BOOST_TEST_REQUIRE(parsed.value.has_value(), parsed.error);
  BOOST_TEST(canonical_text(*parsed.value) == canonical_text(r));
  BOOST_TEST(parsed.value->hash == r.hash);
}

BOOST_AUTO_TEST_CASE(hash_ignores_member_order) {
  const record r = sample_change();
  std::string line = serialize_line(r);
  line.pop_back();
  // The same members and values in reverse order.
  const json::object original = json::parse(line).as_object();
  std::vector<std::string> members;
  for (const auto& member : original)
    members.push_back(json::serialize(json::string(member.key())) + ":" + json::serialize(member.value()));
  std::string reversed = "{";
  for (auto it = members.rbegin(); it != members.rend(); ++it) {
    if (reversed.size() > 1)
      reversed += ",";
    reversed += *it;
  }
  reversed += "}";
  BOOST_TEST_REQUIRE(reversed != line);
  const auto parsed = parse_record(reversed);
  BOOST_TEST_REQUIRE(parsed.value.has_value(), parsed.error);
  BOOST_TEST(compute_hash(*parsed.value) == r.hash);
}

BOOST_AUTO_TEST_CASE(parse_rejects_extra_member) {
  std::string line = serialize_line(sample_change());
  line.pop_back();
  line.insert(1, R"("note":"added later",)");
  const auto parsed = parse_record(line);
  BOOST_TEST(!parsed.value.has_value());
  BOOST_TEST(!parsed.json_invalid);
  BOOST_TEST(parsed.error.find("unexpected member \"note\"") != std::string::npos, parsed.error);
}

BOOST_AUTO_TEST_CASE(parse_rejects_bad_fields) {
  const std::string good = [] {
    std::string line = serialize_line(sample_change());
    line.pop_back();
    return line;
  }();
  struct bad_case {
    std::string from;
    std::string to;
    std::string reason;
  };
  const std::vector<bad_case> cases{
      {R"("seq":7)", R"("seq":0)", "seq is 0"},
      {R"("seq":7)", R"("seq":-7)", "\"seq\" is not a non-negative integer"},
      {R"("seq":7)", R"("seq":"7")", "\"seq\" is not a non-negative integer"},
      {R"("action":"rename")", R"("action":"chmod")", "unknown action"},
      {R"("type":"change")", R"("type":"other")", "unknown record type"},
      {R"(,"new_path":"/w/b.txt")", "", "\"new_path\" is missing"},
      {R"("user":"alice")", R"("user":5)", "\"user\" is neither a string nor null"},
  };
  for (const auto& c : cases) {
    std::string line = good;
    const auto at = line.find(c.from);
    BOOST_TEST_REQUIRE(at != std::string::npos, c.from);
    line.replace(at, c.from.size(), c.to);
    const auto parsed = parse_record(line);
    BOOST_TEST(!parsed.value.has_value(), c.to);
    BOOST_TEST(parsed.error.find(c.reason) != std::string::npos, parsed.error << " for " << c.to);
  }
  const auto uppercase = parse_record(std::string(good).replace(good.find("\"prev\":\"") + 8, 1, "A"));
  BOOST_TEST(uppercase.error.find("\"prev\" is not 64 lower-case hex digits") != std::string::npos, uppercase.error);
}

BOOST_AUTO_TEST_CASE(parse_tells_non_json_apart) {
  const auto parsed = parse_record("{\"type\":\"change\",\"seq\":");
  BOOST_TEST(parsed.json_invalid);
  BOOST_TEST(!parsed.value.has_value());
}

BOOST_AUTO_TEST_CASE(invalid_utf8_becomes_replacement) {
  BOOST_TEST(to_valid_utf8("ok \xC3\xA9") == "ok \xC3\xA9");
  BOOST_TEST(to_valid_utf8("bad \xFF end") == "bad \xEF\xBF\xBD end");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(keys)

BOOST_AUTO_TEST_CASE(evolution_is_sha256_of_label_and_key) {
  const auto key = secret_key::from_hex(std::string(64, '1'));
  BOOST_TEST_REQUIRE(key.has_value());
  std::string input(key_evolution_label);
  input.append(32, '\x11');
  const auto next = key->evolved();
  BOOST_TEST(next.to_hex() == grok::sdk::sha256_hex(input));
  BOOST_TEST(next.evolved().to_hex() != next.to_hex());
}

BOOST_AUTO_TEST_CASE(hmac_matches_rfc_4231_case_2) {
  // RFC 4231 test case 2 uses the 4-byte key "Jefe", but secret_key has 32
  // bytes. HMAC pads short keys with zeros, so "Jefe" followed by 28 zero
  // bytes gives the same MAC.
  std::string hex = "4a656665" + std::string(56, '0');
  const auto key = secret_key::from_hex(hex);
  BOOST_TEST_REQUIRE(key.has_value());
  BOOST_TEST(key->hmac_hex("what do ya want for nothing?") ==
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

BOOST_AUTO_TEST_CASE(from_hex_rejects_wrong_text) {
  BOOST_TEST(!secret_key::from_hex(std::string(63, 'a')).has_value());
  BOOST_TEST(!secret_key::from_hex(std::string(64, 'g')).has_value());
  BOOST_TEST(secret_key::from_hex(" " + std::string(64, 'A') + "\n").has_value());
}

BOOST_AUTO_TEST_CASE(key_file_round_trips_with_mode_0600) {
  grok::test::temp_dir folder;
  const auto path = folder.path() / "key";
  key_state state;
  state.key = secret_key::random();
  state.epoch = 5;
  state.checkpoint_seq = 321;
  BOOST_TEST_REQUIRE(write_key_file(path, state).empty());
  struct stat info {};
  BOOST_TEST_REQUIRE(::stat(path.c_str(), &info) == 0);
  BOOST_TEST((info.st_mode & 07777) == 0600u);

  std::string error;
  const auto read = read_key_file(path, error);
  BOOST_TEST_REQUIRE(read.has_value(), error);
  BOOST_TEST(read->key.to_hex() == state.key.to_hex());
  BOOST_TEST(read->epoch == 5u);
  BOOST_TEST(read->checkpoint_seq == 321u);

  ::chmod(path.c_str(), 0644);
  BOOST_TEST(!read_key_file(path, error).has_value());
  BOOST_TEST(error.find("mode 0600") != std::string::npos, error);
}

BOOST_AUTO_TEST_SUITE_END()
