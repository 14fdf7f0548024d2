/* A stand-in for the Apple SDK header of this name, only for scripts/check-macos.sh: the C
 * that build scripts compile (ring) is compiled against it, never linked or run. */
#include <stddef.h>
void *memcpy(void *, const void *, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
