/* A stand-in for the Apple SDK header of this name, only for scripts/check-macos.sh: the C
 * that build scripts compile (ring) is compiled against it, never linked or run. */
#include <stddef.h>
void abort(void);
