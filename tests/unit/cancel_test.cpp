// SPDX-License-Identifier: MIT
/// \file
/// Tests of `cancel_token`: callbacks, removal and shared state.
#include <grok/sdk/cancel.hpp>

#include <boost/test/unit_test.hpp>

namespace sdk = grok::sdk;

BOOST_AUTO_TEST_SUITE(cancel_token)

BOOST_AUTO_TEST_CASE(new_token_not_cancelled) {
  const sdk::cancel_token token;
  BOOST_TEST(!token.cancelled());
}

BOOST_AUTO_TEST_CASE(callbacks_run_once) {
  sdk::cancel_token token;
  int first_runs = 0;
  int second_runs = 0;
  token.on_cancel([&] { ++first_runs; });
  token.on_cancel([&] { ++second_runs; });
  BOOST_TEST(first_runs == 0, "a callback ran before cancel");

  token.cancel();
  BOOST_TEST(token.cancelled());
  BOOST_TEST(first_runs == 1);
  BOOST_TEST(second_runs == 1);

  token.cancel();
  BOOST_TEST(first_runs == 1, "a second cancel ran the callback again");
  BOOST_TEST(second_runs == 1, "a second cancel ran the callback again");
}

BOOST_AUTO_TEST_CASE(late_callback_runs_at_once) {
  sdk::cancel_token token;
  token.cancel();
  int runs = 0;
  token.on_cancel([&] { ++runs; });
  BOOST_TEST(runs == 1, "a callback registered after cancel did not run at once");

  token.cancel();
  BOOST_TEST(runs == 1, "the late callback ran again on a second cancel");
}

BOOST_AUTO_TEST_CASE(removed_callback_does_not_run) {
  sdk::cancel_token token;
  int removed_runs = 0;
  int kept_runs = 0;
  const int removed_id = token.on_cancel([&] { ++removed_runs; });
  token.on_cancel([&] { ++kept_runs; });
  token.remove_callback(removed_id);

  token.cancel();
  BOOST_TEST(removed_runs == 0);
  BOOST_TEST(kept_runs == 1);
}

BOOST_AUTO_TEST_CASE(callback_ids_are_distinct) {
  sdk::cancel_token token;
  const int first = token.on_cancel([] {});
  const int second = token.on_cancel([] {});
  BOOST_TEST(first != second);
}

BOOST_AUTO_TEST_CASE(unknown_id_is_ignored) {
  sdk::cancel_token token;
  int runs = 0;
  const int id = token.on_cancel([&] { ++runs; });
  token.remove_callback(id + 1000);

  token.cancel();
  BOOST_TEST(runs == 1);
}

BOOST_AUTO_TEST_CASE(copies_share_state) {
  sdk::cancel_token original;
  sdk::cancel_token copy = original;
  int runs = 0;
  original.on_cancel([&] { ++runs; });

  copy.cancel();
  BOOST_TEST(original.cancelled(), "cancelling a copy did not cancel the original");
  BOOST_TEST(runs == 1, "cancelling a copy did not run the original's callback");

  int late_runs = 0;
  copy.on_cancel([&] { ++late_runs; });
  BOOST_TEST(late_runs == 1);
}

BOOST_AUTO_TEST_CASE(copy_removes_callback) {
  sdk::cancel_token original;
  sdk::cancel_token copy = original;
  int runs = 0;
  const int id = original.on_cancel([&] { ++runs; });
  copy.remove_callback(id);

  original.cancel();
  BOOST_TEST(runs == 0, "a callback removed through a copy still ran");
}

BOOST_AUTO_TEST_CASE(separate_tokens_independent) {
  sdk::cancel_token first;
  const sdk::cancel_token second;
  first.cancel();
  BOOST_TEST(!second.cancelled());
}

BOOST_AUTO_TEST_SUITE_END()
