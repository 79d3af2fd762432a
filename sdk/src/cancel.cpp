// SPDX-License-Identifier: MIT
/// \file
/// Cancellation tokens.
#include <grok/sdk/cancel.hpp>

#include <atomic>
#include <mutex>
#include <utility>
#include <vector>

namespace grok::sdk {

struct cancel_token::state {
  std::atomic<bool> cancelled{false};
  std::mutex mutex;
  int next_id = 1;
  std::vector<std::pair<int, std::function<void()>>> callbacks;
};

cancel_token::cancel_token() : state_(std::make_shared<state>()) {}

void cancel_token::cancel() {
  std::vector<std::pair<int, std::function<void()>>> to_run;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->cancelled.exchange(true))
      return;
    to_run.swap(state_->callbacks);
  }
  for (auto& [id, callback] : to_run)
    callback();
}

bool cancel_token::cancelled() const noexcept { return state_->cancelled.load(); }

int cancel_token::on_cancel(std::function<void()> callback) {
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->cancelled.load()) {
      const int id = state_->next_id++;
      state_->callbacks.emplace_back(id, std::move(callback));
      return id;
    }
  }
  callback();
  return 0;
}

void cancel_token::remove_callback(int id) {
  std::lock_guard lock(state_->mutex);
  std::erase_if(state_->callbacks, [id](const auto& entry) { return entry.first == id; });
}

} // namespace grok::sdk
