// SPDX-License-Identifier: MIT
// A fixed-capacity cache that evicts the least recently used entry.
#pragma once

#include <cstddef>
#include <list>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <utility>

template <class Key, class Value>
class lru_cache {
public:
  explicit lru_cache(std::size_t capacity) : capacity_(capacity) {
    if (capacity_ == 0)
      throw std::invalid_argument("lru_cache capacity must be at least 1");
  }

  // Returns the value and marks the entry as the most recently used.
  std::optional<Value> get(const Key& key) {
    auto found = index_.find(key);
    if (found == index_.end())
      return std::nullopt;
    order_.splice(order_.begin(), order_, found->second);
    return found->second->second;
  }

  // Inserts or replaces a value; evicts the least recently used entry
  // when the cache is full.
  void put(const Key& key, Value value) {
    if (auto found = index_.find(key); found != index_.end()) {
      found->second->second = std::move(value);
      order_.splice(order_.begin(), order_, found->second);
      return;
    }
    if (index_.size() == capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    order_.emplace_front(key, std::move(value));
    index_[key] = order_.begin();
  }

  std::size_t size() const { return index_.size(); }

private:
  std::size_t capacity_;
  std::list<std::pair<Key, Value>> order_;
  std::unordered_map<Key, typename std::list<std::pair<Key, Value>>::iterator> index_;
};
