// SPDX-License-Identifier: MIT
/// \file
/// The one translation unit that compiles Asio, Asio SSL and Beast. Every
/// other user includes their headers with BOOST_ASIO_SEPARATE_COMPILATION
/// and BOOST_BEAST_SEPARATE_COMPILATION defined and links libgrok-sdk.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
