/* A stand-in for the Apple SDK header of this name, only for scripts/check-macos.sh: the C
 * that build scripts compile (ring) is compiled against it, never linked or run. */
#define TARGET_OS_MAC 1
#define TARGET_OS_OSX 1
#define TARGET_OS_IPHONE 0
#define TARGET_OS_IOS 0
#define TARGET_OS_SIMULATOR 0
#define TARGET_OS_TV 0
#define TARGET_OS_WATCH 0
#define TARGET_OS_EMBEDDED 0
