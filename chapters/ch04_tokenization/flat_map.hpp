// flat_map.hpp: the two hash maps of the fast BPE encoder: pair -> (rank, result) with
// 64-bit keys, and pre-token bytes -> token ids (the cache). Open addressing, linear
// probing, power-of-two capacity, at most half full. Introduced in ch04.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace ladder::tok {

inline std::uint64_t mix64(std::uint64_t x) {   // a cheap, good 64-bit mixer (murmur3 finaliser)
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

// Bytes -> 64-bit hash, 8 bytes at a time (pre-tokens are short).
inline std::uint64_t hash_bytes(std::string_view s) {
    std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ s.size();
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = mix64(h ^ w);
    }
    if (i < s.size()) {
        std::uint64_t w = 0;
        std::memcpy(&w, s.data() + i, s.size() - i);
        h = mix64(h ^ w ^ 0x5555);
    }
    return h;
}

// Key (never kEmpty) -> 64-bit value.
class U64Map {
public:
    static constexpr std::uint64_t kEmpty = ~0ULL;
    explicit U64Map(std::size_t expected = 16) { rehash(expected); }
    void insert(std::uint64_t key, std::uint64_t value) {
        if (2 * (size_ + 1) > keys_.size()) rehash(keys_.size());
        std::size_t i = slot(key);
        if (keys_[i] == kEmpty) {
            keys_[i] = key;
            ++size_;
        }
        values_[i] = value;
    }
    const std::uint64_t* find(std::uint64_t key) const {
        for (std::size_t i = mix64(key) & mask_;; i = (i + 1) & mask_) {
            if (keys_[i] == key) return &values_[i];
            if (keys_[i] == kEmpty) return nullptr;
        }
    }
    std::size_t size() const { return size_; }

private:
    std::size_t slot(std::uint64_t key) const {
        std::size_t i = mix64(key) & mask_;
        while (keys_[i] != kEmpty && keys_[i] != key) i = (i + 1) & mask_;
        return i;
    }
    void rehash(std::size_t expected) {
        std::size_t cap = 16;
        while (cap < 2 * expected) cap *= 2;
        std::vector<std::uint64_t> old_keys = std::move(keys_), old_values = std::move(values_);
        keys_.assign(cap, kEmpty);
        values_.assign(cap, 0);
        mask_ = cap - 1;
        size_ = 0;
        for (std::size_t i = 0; i < old_keys.size(); ++i)
            if (old_keys[i] != kEmpty) insert(old_keys[i], old_values[i]);
    }
    std::vector<std::uint64_t> keys_, values_;
    std::size_t mask_ = 0, size_ = 0;
};

// The pre-token cache: bytes -> a run of ids, both stored in arenas owned by the map.
class PieceCache {
public:
    static constexpr std::size_t kFirstCapacity = 1 << 12;
    PieceCache() : slots_(kFirstCapacity) {}
    // The ids of `piece`, or nullptr (and *count = 0) when it is not cached.
    const std::int32_t* find(std::string_view piece, std::uint64_t h, std::uint32_t* count) const {
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            const Slot& s = slots_[i];
            if (s.ids_len == 0) break;
            if (s.hash == h && s.key_len == piece.size() &&
                std::memcmp(keys_.data() + s.key_at, piece.data(), piece.size()) == 0) {
                *count = s.ids_len;
                return ids_.data() + s.ids_at;
            }
        }
        *count = 0;
        return nullptr;
    }
    void insert(std::string_view piece, std::uint64_t h, const std::int32_t* ids, std::uint32_t count) {
        if (2 * (size_ + 1) > slots_.size()) grow();
        Slot s{h, static_cast<std::uint32_t>(keys_.size()), static_cast<std::uint32_t>(piece.size()),
               static_cast<std::uint32_t>(ids_.size()), count};
        keys_.insert(keys_.end(), piece.begin(), piece.end());
        ids_.insert(ids_.end(), ids, ids + count);
        place(s);
        ++size_;
    }
    std::size_t size() const { return size_; }
    std::size_t bytes() const { return keys_.size() + 4 * ids_.size() + sizeof(Slot) * slots_.size(); }
    void clear() {   // back to an empty table of the first capacity
        slots_.assign(kFirstCapacity, Slot{});
        keys_.clear();
        ids_.clear();
        size_ = 0;
    }

private:
    struct Slot {
        std::uint64_t hash = 0;
        std::uint32_t key_at = 0, key_len = 0, ids_at = 0, ids_len = 0;   // ids_len 0: empty
    };
    void place(const Slot& s) {
        const std::size_t mask = slots_.size() - 1;
        std::size_t i = s.hash & mask;
        while (slots_[i].ids_len != 0) i = (i + 1) & mask;
        slots_[i] = s;
    }
    void grow() {
        std::vector<Slot> old(slots_.size() * 2);
        old.swap(slots_);
        for (const Slot& s : old)
            if (s.ids_len != 0) place(s);
    }
    std::vector<Slot> slots_;
    std::vector<char> keys_;
    std::vector<std::int32_t> ids_;
    std::size_t size_ = 0;
};

}  // namespace ladder::tok
