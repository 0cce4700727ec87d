// Preloaded into hearthd for a heap profile (tests/bench/run.sh with HEAP=1): operator new and
// delete by way of malloc and free. hearthd links mimalloc, whose own operator new would go
// around a profiler that watches malloc (heaptrack), and leave it blind to nearly everything
// the daemon holds. With this library first, every allocation passes through malloc, which the
// profiler sees, and on to mimalloc.

#include <cstddef>
#include <cstdlib>
#include <new>

namespace {

void* allocate(std::size_t size) { return std::malloc(size == 0 ? 1 : size); }

void* allocateOrThrow(std::size_t size) {
  void* block = allocate(size);
  if (block == nullptr) throw std::bad_alloc();
  return block;
}

void* allocateAligned(std::size_t size, std::align_val_t alignment) {
  void* block = nullptr;
  const auto align = static_cast<std::size_t>(alignment);
  const std::size_t at_least = align < sizeof(void*) ? sizeof(void*) : align;
  if (posix_memalign(&block, at_least, size == 0 ? 1 : size) != 0) return nullptr;
  return block;
}

void* allocateAlignedOrThrow(std::size_t size, std::align_val_t alignment) {
  void* block = allocateAligned(size, alignment);
  if (block == nullptr) throw std::bad_alloc();
  return block;
}

}  // namespace

void* operator new(std::size_t size) { return allocateOrThrow(size); }
void* operator new[](std::size_t size) { return allocateOrThrow(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return allocate(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return allocate(size); }
void* operator new(std::size_t size, std::align_val_t alignment) {
  return allocateAlignedOrThrow(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return allocateAlignedOrThrow(size, alignment);
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return allocateAligned(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return allocateAligned(size, alignment);
}

void operator delete(void* block) noexcept { std::free(block); }
void operator delete[](void* block) noexcept { std::free(block); }
void operator delete(void* block, std::size_t) noexcept { std::free(block); }
void operator delete[](void* block, std::size_t) noexcept { std::free(block); }
void operator delete(void* block, const std::nothrow_t&) noexcept { std::free(block); }
void operator delete[](void* block, const std::nothrow_t&) noexcept { std::free(block); }
void operator delete(void* block, std::align_val_t) noexcept { std::free(block); }
void operator delete[](void* block, std::align_val_t) noexcept { std::free(block); }
void operator delete(void* block, std::size_t, std::align_val_t) noexcept { std::free(block); }
void operator delete[](void* block, std::size_t, std::align_val_t) noexcept { std::free(block); }
void operator delete(void* block, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(block);
}
void operator delete[](void* block, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(block);
}
