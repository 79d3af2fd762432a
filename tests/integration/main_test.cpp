// SPDX-License-Identifier: MIT
/// \file
/// The integration test module.
#define BOOST_TEST_MODULE grok integration tests
#include <boost/test/unit_test.hpp>
