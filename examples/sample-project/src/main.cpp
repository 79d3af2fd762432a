// SPDX-License-Identifier: MIT
// Counts word frequencies of standard input, caching the last lookups.
#include "lru_cache.hpp"

#include <iostream>
#include <map>
#include <string>

int main() {
  lru_cache<std::string, int> recent(64);
  std::map<std::string, int> counts;
  std::string word;
  while (std::cin >> word) {
    const int count = ++counts[word];
    recent.put(word, count);
  }
  for (const auto& [text, count] : counts)
    std::cout << count << ' ' << text << '\n';
  std::cout << "cached: " << recent.size() << '\n';
}
