/*
 * bcryptprimitives.dll for Wine 8, which lacks it: one function, ProcessPrng, which every
 * current Rust standard library imports for its random numbers (HashMap keys, getrandom).
 * Without it a Rust .exe exits at once under Wine 8 with status 53. Built with MinGW-w64 by
 * scripts/test-windows.sh and placed beside the .exe under test only; real Windows (8.1
 * and later) has the real DLL, and Wine 9 has one too.
 *
 * ProcessPrng fills the buffer from the system's CSPRNG, here through RtlGenRandom
 * (advapi32's SystemFunction036), and like the real one always returns TRUE.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
