// SPDX-License-Identifier: MIT
/// \file
/// The Boost.Test entry point of net-tests.
#define BOOST_TEST_MODULE net
#include <boost/test/unit_test.hpp>
