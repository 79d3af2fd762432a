// SPDX-License-Identifier: MIT
/// \file
/// The keystore test module: grok with the keystore plugin as a child
/// process, against real files, a real Secret Service and loopback mock
/// servers.
#define BOOST_TEST_MODULE keystore
#include <boost/test/unit_test.hpp>
