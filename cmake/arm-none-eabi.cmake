# CMake toolchain file for kettle's boards: Debian's arm-none-eabi GCC and
# newlib (gcc-arm-none-eabi, libnewlib-arm-none-eabi).
#
#   cmake -S . -B build -DCMAKE_TOOLCHAIN_FILE=<kettle>/cmake/arm-none-eabi.cmake \
#         -DKETTLE_BOARD=microbit
#
# Only the compiler is chosen here; the CPU options (-mcpu, -mthumb, the
# FPU) are the board's and come with the kettle target (CMakeLists.txt),
# so one toolchain file serves every board.  CROSS_COMPILE (environment or
# -D) changes the prefix, as it does for make.

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

if(NOT DEFINED CROSS_COMPILE)
	if(DEFINED ENV{CROSS_COMPILE})
		set(CROSS_COMPILE $ENV{CROSS_COMPILE})
	else()
		set(CROSS_COMPILE arm-none-eabi-)
	endif()
endif()

set(CMAKE_C_COMPILER ${CROSS_COMPILE}gcc)
set(CMAKE_ASM_COMPILER ${CROSS_COMPILE}gcc)
set(CMAKE_OBJCOPY ${CROSS_COMPILE}objcopy CACHE FILEPATH "objcopy")
set(CMAKE_SIZE ${CROSS_COMPILE}size CACHE FILEPATH "size")

# No OS to link a test program against: CMake's compiler check builds a
# static library instead.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
