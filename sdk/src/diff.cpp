// SPDX-License-Identifier: MIT
/// \file
/// The line diff: interning, removal of unmatched lines, a bidirectional
/// Myers search with a cost cap, group sliding, and unified output.
#include <grok/sdk/diff.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

namespace grok::sdk {
namespace {

/// The lines of a text. Line `i` is `[starts[i], starts[i + 1])` and keeps
/// its line ending; only the last line may lack a newline.
class text_lines {
public:
  explicit text_lines(std::string_view text) : text_(text) {
    starts_.reserve(text.size() / 32 + 2);
    std::size_t position = 0;
    while (position < text.size()) {
      starts_.push_back(position);
      const void* newline = std::memchr(text.data() + position, '\n', text.size() - position);
      position = newline == nullptr ? text.size()
                                    : static_cast<std::size_t>(static_cast<const char*>(newline) - text.data()) + 1;
    }
    starts_.push_back(text.size());
  }

  std::size_t size() const noexcept { return starts_.size() - 1; }

  std::string_view line(std::size_t i) const noexcept {
    return text_.substr(starts_[i], starts_[i + 1] - starts_[i]);
  }

private:
  std::string_view text_;
  std::vector<std::size_t> starts_;
};

/// Returns a 64-bit hash of a line, mixing in eight bytes per multiply.
std::uint64_t hash_line(std::string_view line) noexcept {
  constexpr std::uint64_t multiplier = 0x9E3779B97F4A7C15ULL;
  const char* data = line.data();
  std::size_t size = line.size();
  std::uint64_t hash = (size + 1) * multiplier;
  while (size >= 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, data, 8);
    hash = (hash ^ word) * multiplier;
    hash ^= hash >> 31;
    data += 8;
    size -= 8;
  }
  if (size > 0) {
    std::uint64_t word = 0;
    std::memcpy(&word, data, size);
    hash = (hash ^ word) * multiplier;
    hash ^= hash >> 31;
  }
  hash *= 0xBF58476D1CE4E5B9ULL;
  hash ^= hash >> 29;
  return hash;
}

/// Gives every distinct line one integer id, so that the search compares
/// integers instead of bytes. An open-addressing table at most half full.
class line_interner {
public:
  explicit line_interner(std::size_t max_lines) {
    std::size_t capacity = 64;
    while (capacity < max_lines * 2)
      capacity *= 2;
    slots_.assign(capacity, 0);
    mask_ = capacity - 1;
    lines_.reserve(max_lines);
  }

  std::uint32_t intern(std::string_view line) {
    const std::uint64_t hash = hash_line(line);
    const auto tag = static_cast<std::uint32_t>(hash >> 32);
    for (std::size_t index = hash & mask_;; index = (index + 1) & mask_) {
      const std::uint64_t slot = slots_[index];
      if (slot == 0) {
        const auto id = static_cast<std::uint32_t>(lines_.size());
        lines_.push_back(line);
        slots_[index] = (std::uint64_t{tag} << 32) | (std::uint64_t{id} + 1);
        return id;
      }
      if (static_cast<std::uint32_t>(slot >> 32) == tag) {
        const auto id = static_cast<std::uint32_t>((slot & 0xFFFFFFFFULL) - 1);
        if (lines_[id] == line)
          return id;
      }
    }
  }

  std::size_t size() const noexcept { return lines_.size(); }

private:
  /// Each slot is 0 (free) or the upper 32 bits of the hash and id + 1.
  std::vector<std::uint64_t> slots_;
  std::size_t mask_ = 0;
  std::vector<std::string_view> lines_;
};

using id_sequence = std::vector<std::uint32_t>;
using change_flags = std::vector<std::uint8_t>;

/// The shortest edit script of two id sequences by Myers' O(ND) algorithm
/// in linear space. It finds a point on an optimal path by searching
/// forward from the start and backward from the end at once (the "middle
/// snake"), then solves both halves the same way. It marks the removed
/// elements of `a` and the added elements of `b`.
///
/// Two limits keep pathological input fast. A search that passes
/// `cost_limit_` edits without meeting splits at the point that got
/// furthest instead of an optimal one. Once `work_budget_` steps are spent,
/// each remaining region is marked as wholly replaced. Both give a correct
/// but longer diff.
class myers_search {
public:
  myers_search(const id_sequence& a, const id_sequence& b, change_flags& a_changed, change_flags& b_changed)
      : a_(a), b_(b), a_changed_(a_changed), b_changed_(b_changed) {
    const std::size_t total = a.size() + b.size();
    diagonals_.assign(total + 3, 0);
    reverse_diagonals_.assign(total + 3, 0);
    offset_ = static_cast<std::ptrdiff_t>(b.size()) + 1;
    cost_limit_ = std::max<std::ptrdiff_t>(256, static_cast<std::ptrdiff_t>(std::sqrt(static_cast<double>(total))));
    // NOTE: no test reaches this budget. The worst input tried, 100,000
    // random lines of three kinds on each side, used about half of it.
    work_budget_ = 100'000'000 + 100 * static_cast<std::uint64_t>(total);
  }

  void run() {
    std::vector<region> pending{{0, static_cast<std::ptrdiff_t>(a_.size()), 0, static_cast<std::ptrdiff_t>(b_.size())}};
    while (!pending.empty()) {
      region r = pending.back();
      pending.pop_back();
      while (r.x_begin < r.x_end && r.y_begin < r.y_end && a_[r.x_begin] == b_[r.y_begin]) {
        ++r.x_begin;
        ++r.y_begin;
      }
      while (r.x_begin < r.x_end && r.y_begin < r.y_end && a_[r.x_end - 1] == b_[r.y_end - 1]) {
        --r.x_end;
        --r.y_end;
      }
      if (r.x_begin == r.x_end || r.y_begin == r.y_end || work_ > work_budget_) {
        mark_replaced(r);
        continue;
      }
      point split{};
      if (!find_split(r, split)) {
        mark_replaced(r);
        continue;
      }
      pending.push_back({split.x, r.x_end, split.y, r.y_end});
      pending.push_back({r.x_begin, split.x, r.y_begin, split.y});
    }
  }

private:
  /// The part of the edit graph between `(x_begin, y_begin)` and
  /// `(x_end, y_end)`, where x indexes `a_` and y indexes `b_`.
  struct region {
    std::ptrdiff_t x_begin, x_end, y_begin, y_end;
  };
  struct point {
    std::ptrdiff_t x, y;
  };

  static constexpr std::ptrdiff_t no_forward_path = -1;
  static constexpr std::ptrdiff_t no_backward_path = std::numeric_limits<std::ptrdiff_t>::max() / 2;

  void mark_replaced(const region& r) {
    for (std::ptrdiff_t x = r.x_begin; x < r.x_end; ++x)
      a_changed_[static_cast<std::size_t>(x)] = 1;
    for (std::ptrdiff_t y = r.y_begin; y < r.y_end; ++y)
      b_changed_[static_cast<std::size_t>(y)] = 1;
  }

  /// Finds a point that splits `r` into two smaller regions: normally the
  /// end of the middle snake of an optimal path. `r` starts and ends with
  /// a mismatch in both sequences and neither side is empty. Returns false
  /// when no usable point was found.
  bool find_split(const region& r, point& split) {
    const std::ptrdiff_t x_begin = r.x_begin, x_end = r.x_end, y_begin = r.y_begin, y_end = r.y_end;
    // Diagonal k contains the points with x - y == k.
    const std::ptrdiff_t k_min = x_begin - y_end;
    const std::ptrdiff_t k_max = x_end - y_begin;
    const std::ptrdiff_t forward_start = x_begin - y_begin;
    const std::ptrdiff_t backward_start = x_end - y_end;
    const bool odd = ((forward_start - backward_start) & 1) != 0;
    // forward[k]: the largest x that a path of d edits from the start
    // reaches on diagonal k. backward[k]: the smallest x from the end.
    std::ptrdiff_t* forward = diagonals_.data() + offset_;
    std::ptrdiff_t* backward = reverse_diagonals_.data() + offset_;
    forward[forward_start] = x_begin;
    backward[backward_start] = x_end;
    std::ptrdiff_t forward_low = forward_start, forward_high = forward_start;
    std::ptrdiff_t backward_low = backward_start, backward_high = backward_start;

    for (std::ptrdiff_t d = 1;; ++d) {
      // Widen the forward band by one diagonal on each side while it stays
      // inside the region. At an edge the band shifts instead, so that its
      // parity matches d. A new outer neighbour has no path yet.
      if (forward_low > k_min)
        forward[--forward_low - 1] = no_forward_path;
      else
        ++forward_low;
      if (forward_high < k_max)
        forward[++forward_high + 1] = no_forward_path;
      else
        --forward_high;
      for (std::ptrdiff_t k = forward_high; k >= forward_low; k -= 2) {
        const std::ptrdiff_t after_removal = forward[k - 1] + 1;
        const std::ptrdiff_t after_insertion = forward[k + 1];
        std::ptrdiff_t x = std::max(after_removal, after_insertion);
        std::ptrdiff_t y = x - k;
        const std::ptrdiff_t snake_start = x;
        while (x < x_end && y < y_end && a_[x] == b_[y]) {
          ++x;
          ++y;
        }
        work_ += static_cast<std::uint64_t>(x - snake_start) + 1;
        forward[k] = x;
        if (odd && k >= backward_low && k <= backward_high && backward[k] <= x) {
          split = {x, y};
          return usable(r, split);
        }
      }

      if (backward_low > k_min)
        backward[--backward_low - 1] = no_backward_path;
      else
        ++backward_low;
      if (backward_high < k_max)
        backward[++backward_high + 1] = no_backward_path;
      else
        --backward_high;
      for (std::ptrdiff_t k = backward_high; k >= backward_low; k -= 2) {
        const std::ptrdiff_t before_insertion = backward[k - 1];
        const std::ptrdiff_t before_removal = backward[k + 1] - 1;
        std::ptrdiff_t x = std::min(before_insertion, before_removal);
        std::ptrdiff_t y = x - k;
        const std::ptrdiff_t snake_start = x;
        while (x > x_begin && y > y_begin && a_[x - 1] == b_[y - 1]) {
          --x;
          --y;
        }
        work_ += static_cast<std::uint64_t>(snake_start - x) + 1;
        backward[k] = x;
        if (!odd && k >= forward_low && k <= forward_high && x <= forward[k]) {
          split = {x, y};
          return usable(r, split);
        }
      }

      if (d >= cost_limit_ || work_ > work_budget_)
        return furthest_point(r, forward_low, forward_high, backward_low, backward_high, split);
    }
  }

  /// Picks, after the cost limit, the forward or backward end point that
  /// covers the most of the region (largest distance from its corner,
  /// counted in x plus y).
  bool furthest_point(const region& r, std::ptrdiff_t forward_low, std::ptrdiff_t forward_high,
                      std::ptrdiff_t backward_low, std::ptrdiff_t backward_high, point& split) const {
    const std::ptrdiff_t* forward = diagonals_.data() + offset_;
    const std::ptrdiff_t* backward = reverse_diagonals_.data() + offset_;
    std::ptrdiff_t best_progress = -1;
    for (std::ptrdiff_t k = forward_high; k >= forward_low; k -= 2) {
      const std::ptrdiff_t x = std::min(forward[k], r.x_end);
      const std::ptrdiff_t y = x - k;
      if (x < r.x_begin || y < r.y_begin || y > r.y_end)
        continue;
      if (const std::ptrdiff_t progress = x - r.x_begin + y - r.y_begin; progress > best_progress) {
        best_progress = progress;
        split = {x, y};
      }
    }
    for (std::ptrdiff_t k = backward_high; k >= backward_low; k -= 2) {
      const std::ptrdiff_t x = std::max(backward[k], r.x_begin);
      const std::ptrdiff_t y = x - k;
      if (x > r.x_end || y < r.y_begin || y > r.y_end)
        continue;
      if (const std::ptrdiff_t progress = r.x_end - x + r.y_end - y; progress > best_progress) {
        best_progress = progress;
        split = {x, y};
      }
    }
    return best_progress >= 0 && usable(r, split);
  }

  /// True when `p` lies in `r` and is neither of its corners, so that both
  /// halves are smaller than `r`.
  static bool usable(const region& r, const point& p) noexcept {
    const bool inside = p.x >= r.x_begin && p.x <= r.x_end && p.y >= r.y_begin && p.y <= r.y_end;
    const bool at_start = p.x == r.x_begin && p.y == r.y_begin;
    const bool at_end = p.x == r.x_end && p.y == r.y_end;
    return inside && !at_start && !at_end;
  }

  const id_sequence& a_;
  const id_sequence& b_;
  change_flags& a_changed_;
  change_flags& b_changed_;
  std::vector<std::ptrdiff_t> diagonals_;
  std::vector<std::ptrdiff_t> reverse_diagonals_;
  std::ptrdiff_t offset_ = 0;
  std::ptrdiff_t cost_limit_ = 0;
  std::uint64_t work_ = 0;
  std::uint64_t work_budget_ = 0;
};

/// A maximal run `[start, end)` of changed lines of one side; it may be
/// empty. The groups of both sides pair up: the n-th group of each side
/// follows the same number of unchanged lines.
struct change_group {
  std::size_t start = 0;
  std::size_t end = 0;

  bool empty() const noexcept { return start == end; }
};

/// One side of a diff during group sliding.
class sliding_side {
public:
  sliding_side(const id_sequence& ids, change_flags& changed) : ids_(ids), changed_(changed) {}

  change_group first() const noexcept {
    change_group group;
    extend_down(group);
    return group;
  }

  bool next(change_group& group) const noexcept {
    if (group.end == ids_.size())
      return false;
    group.start = group.end + 1;
    group.end = group.start;
    extend_down(group);
    return true;
  }

  bool previous(change_group& group) const noexcept {
    if (group.start == 0)
      return false;
    group.end = group.start - 1;
    group.start = group.end;
    extend_up(group);
    return true;
  }

  /// Moves a non-empty group one line down when the line after it equals
  /// its first line, merging it with a group that it then touches.
  bool slide_down(change_group& group) noexcept {
    if (group.end >= ids_.size() || ids_[group.start] != ids_[group.end])
      return false;
    changed_[group.start++] = 0;
    changed_[group.end++] = 1;
    extend_down(group);
    return true;
  }

  /// Moves a non-empty group one line up when the line before it equals
  /// its last line, merging it with a group that it then touches.
  bool slide_up(change_group& group) noexcept {
    if (group.start == 0 || ids_[group.start - 1] != ids_[group.end - 1])
      return false;
    changed_[--group.start] = 1;
    changed_[--group.end] = 0;
    extend_up(group);
    return true;
  }

private:
  void extend_down(change_group& group) const noexcept {
    while (group.end < ids_.size() && changed_[group.end] != 0)
      ++group.end;
  }

  void extend_up(change_group& group) const noexcept {
    while (group.start > 0 && changed_[group.start - 1] != 0)
      --group.start;
  }

  const id_sequence& ids_;
  change_flags& changed_;
};

void require_paired(bool moved) {
  if (!moved)
    throw std::logic_error("unified_diff: the change groups of the two texts no longer pair up");
}

/// Slides each group of changed lines of `side` to a canonical place. A
/// group moves up as far as equal lines allow, joining the groups it meets,
/// then down as far as they allow. Finally it moves back up to the lowest
/// place where it sits next to a group of changes of `other`, if there is
/// one. So a block inserted into repeated lines shows at its last possible
/// place, and a change shows as one removal beside one addition, which is
/// also how GNU diff 3.8 places them in the cases the tests compare. The
/// number of changed lines stays the same.
void slide_groups(sliding_side& side, const sliding_side& other) {
  change_group group = side.first();
  change_group other_group = other.first();
  for (;;) {
    if (!group.empty()) {
      std::size_t size_before = 0;
      bool paired = false;
      std::size_t paired_end = 0;
      do {
        size_before = group.end - group.start;
        while (side.slide_up(group))
          require_paired(other.previous(other_group));
        paired = !other_group.empty();
        paired_end = group.end;
        while (side.slide_down(group)) {
          require_paired(other.next(other_group));
          if (!other_group.empty()) {
            paired = true;
            paired_end = group.end;
          }
        }
      } while (group.end - group.start != size_before);

      while (paired && group.end > paired_end) {
        require_paired(side.slide_up(group));
        require_paired(other.previous(other_group));
      }
    }
    if (!side.next(group))
      break;
    require_paired(other.next(other_group));
  }
}

/// The change flags of both texts for the shortest edit script.
struct line_diff {
  text_lines old_lines;
  text_lines new_lines;
  change_flags removed;
  change_flags added;
};

/// Keeps the lines of `ids[begin, end)` that occur in the other text's
/// middle (`other_counts`), and marks the others as changed: they cannot
/// be part of any common subsequence. Returns the kept ids; `positions`
/// gets their indexes in `ids`.
id_sequence keep_matchable(const id_sequence& ids, std::size_t begin, std::size_t end,
                           const std::vector<std::uint32_t>& other_counts, change_flags& changed,
                           std::vector<std::size_t>& positions) {
  id_sequence kept;
  kept.reserve(end - begin);
  positions.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) {
    if (other_counts[ids[i]] == 0) {
      changed[i] = 1;
    } else {
      kept.push_back(ids[i]);
      positions.push_back(i);
    }
  }
  return kept;
}

line_diff compute_line_diff(std::string_view old_text, std::string_view new_text) {
  line_diff diff{text_lines(old_text), text_lines(new_text), {}, {}};
  const std::size_t n = diff.old_lines.size();
  const std::size_t m = diff.new_lines.size();
  if (n + m >= std::numeric_limits<std::uint32_t>::max())
    throw std::length_error("unified_diff: the texts have " + std::to_string(n + m) +
                            " lines together; at most 4294967294 are supported, so diff smaller parts");
  diff.removed.assign(n, 0);
  diff.added.assign(m, 0);

  line_interner interner(n + m);
  id_sequence a(n);
  id_sequence b(m);
  for (std::size_t i = 0; i < n; ++i)
    a[i] = interner.intern(diff.old_lines.line(i));
  for (std::size_t j = 0; j < m; ++j)
    b[j] = interner.intern(diff.new_lines.line(j));

  // Equal lines at the start and the end need no search.
  std::size_t prefix = 0;
  while (prefix < n && prefix < m && a[prefix] == b[prefix])
    ++prefix;
  std::size_t suffix = 0;
  while (suffix < n - prefix && suffix < m - prefix && a[n - 1 - suffix] == b[m - 1 - suffix])
    ++suffix;

  // Lines of the middle that the other middle lacks are changed for sure.
  // With scattered edits of unique lines, removing them leaves the search
  // little to do.
  std::vector<std::uint32_t> count_in_a(interner.size(), 0);
  std::vector<std::uint32_t> count_in_b(interner.size(), 0);
  for (std::size_t i = prefix; i < n - suffix; ++i)
    ++count_in_a[a[i]];
  for (std::size_t j = prefix; j < m - suffix; ++j)
    ++count_in_b[b[j]];
  std::vector<std::size_t> a_positions;
  std::vector<std::size_t> b_positions;
  const id_sequence kept_a = keep_matchable(a, prefix, n - suffix, count_in_b, diff.removed, a_positions);
  const id_sequence kept_b = keep_matchable(b, prefix, m - suffix, count_in_a, diff.added, b_positions);

  change_flags kept_a_changed(kept_a.size(), 0);
  change_flags kept_b_changed(kept_b.size(), 0);
  myers_search(kept_a, kept_b, kept_a_changed, kept_b_changed).run();
  for (std::size_t i = 0; i < kept_a.size(); ++i)
    diff.removed[a_positions[i]] = kept_a_changed[i];
  for (std::size_t j = 0; j < kept_b.size(); ++j)
    diff.added[b_positions[j]] = kept_b_changed[j];

  sliding_side old_side(a, diff.removed);
  sliding_side new_side(b, diff.added);
  slide_groups(old_side, new_side);
  slide_groups(new_side, old_side);
  return diff;
}

/// A change: old lines `[old_begin, old_end)` replaced by new lines
/// `[new_begin, new_end)`; one of the two may be empty.
struct change_block {
  std::size_t old_begin, old_end, new_begin, new_end;
};

std::vector<change_block> change_blocks(const line_diff& diff) {
  std::vector<change_block> blocks;
  const std::size_t n = diff.removed.size();
  const std::size_t m = diff.added.size();
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && diff.removed[i] == 0 && diff.added[j] == 0) {
      ++i;
      ++j;
      continue;
    }
    change_block block{i, i, j, j};
    while (i < n && diff.removed[i] != 0)
      ++i;
    while (j < m && diff.added[j] != 0)
      ++j;
    block.old_end = i;
    block.new_end = j;
    if (block.old_begin == block.old_end && block.new_begin == block.new_end)
      throw std::logic_error("unified_diff: the unchanged lines of the two texts do not pair up");
    blocks.push_back(block);
  }
  return blocks;
}

/// Appends "start,count" as unified hunk headers write a range: a range of
/// one line omits ",1", and an empty range names the line before it.
void append_range(std::string& out, std::size_t begin, std::size_t count) {
  out += std::to_string(count == 0 ? begin : begin + 1);
  if (count != 1) {
    out.push_back(',');
    out += std::to_string(count);
  }
}

void append_line(std::string& out, char marker, std::string_view line) {
  out.push_back(marker);
  out.append(line);
  if (line.empty() || line.back() != '\n')
    out.append("\n\\ No newline at end of file\n");
}

/// Writes the hunks of `blocks` with `context` unchanged lines around each
/// change; changes at most 2 * `context` lines apart share a hunk.
void append_hunks(std::string& out, const line_diff& diff, const std::vector<change_block>& blocks,
                  std::size_t context) {
  const std::size_t n = diff.removed.size();
  for (std::size_t first = 0; first < blocks.size();) {
    std::size_t last = first;
    while (last + 1 < blocks.size() && blocks[last + 1].old_begin - blocks[last].old_end <= 2 * context)
      ++last;

    const std::size_t leading = std::min(context, blocks[first].old_begin);
    const std::size_t trailing = std::min(context, n - blocks[last].old_end);
    const std::size_t old_begin = blocks[first].old_begin - leading;
    const std::size_t old_end = blocks[last].old_end + trailing;
    const std::size_t new_begin = blocks[first].new_begin - leading;
    const std::size_t new_end = blocks[last].new_end + trailing;

    out.append("@@ -");
    append_range(out, old_begin, old_end - old_begin);
    out.append(" +");
    append_range(out, new_begin, new_end - new_begin);
    out.append(" @@\n");

    std::size_t position = old_begin;
    for (std::size_t b = first; b <= last; ++b) {
      const change_block& block = blocks[b];
      for (; position < block.old_begin; ++position)
        append_line(out, ' ', diff.old_lines.line(position));
      for (std::size_t i = block.old_begin; i < block.old_end; ++i)
        append_line(out, '-', diff.old_lines.line(i));
      for (std::size_t j = block.new_begin; j < block.new_end; ++j)
        append_line(out, '+', diff.new_lines.line(j));
      position = block.old_end;
    }
    for (; position < old_end; ++position)
      append_line(out, ' ', diff.old_lines.line(position));
    first = last + 1;
  }
}

/// Cuts `out` after the last whole line within `max_bytes` and `max_lines`
/// (0: no limit) and appends a line naming what was left out. Returns the
/// number of lines left out.
std::size_t cut_text(std::string& out, std::size_t max_bytes, std::size_t max_lines) {
  const std::size_t byte_limit = max_bytes == 0 ? out.size() : std::min(max_bytes, out.size());
  std::size_t keep = 0;
  std::size_t lines = 0;
  while (keep < out.size() && (max_lines == 0 || lines < max_lines)) {
    const std::size_t newline = out.find('\n', keep);
    const std::size_t line_end = newline == std::string::npos ? out.size() : newline + 1;
    if (line_end > byte_limit)
      break;
    keep = line_end;
    ++lines;
  }
  if (keep == out.size())
    return 0;
  const std::size_t omitted_bytes = out.size() - keep;
  std::size_t omitted_lines = static_cast<std::size_t>(std::count(out.begin() + static_cast<std::ptrdiff_t>(keep), out.end(), '\n'));
  if (out.back() != '\n')
    ++omitted_lines;
  out.resize(keep);
  out += "... " + std::to_string(omitted_lines) + (omitted_lines == 1 ? " more line" : " more lines") +
         " of the diff (" + std::to_string(omitted_bytes) + " bytes) left out\n";
  return omitted_lines;
}

diff_stats count_changes(const line_diff& diff) {
  diff_stats stats;
  stats.removed = static_cast<std::size_t>(std::count(diff.removed.begin(), diff.removed.end(), std::uint8_t{1}));
  stats.added = static_cast<std::size_t>(std::count(diff.added.begin(), diff.added.end(), std::uint8_t{1}));
  return stats;
}

} // namespace

std::string unified_diff(std::string_view old_text, std::string_view new_text,
                         const unified_diff_options& options, diff_stats* stats) {
  if (stats != nullptr)
    *stats = {};
  if (old_text == new_text)
    return {};

  const line_diff diff = compute_line_diff(old_text, new_text);
  const std::vector<change_block> blocks = change_blocks(diff);

  std::string out;
  out.reserve(256 + (old_text.size() + new_text.size()) / 8);
  out.append("--- ");
  out.append(options.old_label);
  out.append("\n+++ ");
  out.append(options.new_label);
  out.push_back('\n');
  append_hunks(out, diff, blocks, options.context_lines);

  const std::size_t omitted = cut_text(out, options.max_bytes, options.max_lines);
  if (stats != nullptr) {
    *stats = count_changes(diff);
    stats->omitted_lines = omitted;
  }
  return out;
}

diff_stats diff_line_counts(std::string_view old_text, std::string_view new_text) {
  if (old_text == new_text)
    return {};
  return count_changes(compute_line_diff(old_text, new_text));
}

} // namespace grok::sdk
