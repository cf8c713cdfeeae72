#pragma once
// The fuzz targets' assertion: a broken invariant prints what broke and aborts, which libFuzzer
// records as a crash with the input saved. Not assert(): it must hold in every build type.
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition, what)                                                              \
    do {                                                                                         \
        if (!(condition)) {                                                                      \
            std::fprintf(stderr, "%s:%d: invariant broken: %s (%s)\n", __FILE__, __LINE__, what, \
                         #condition);                                                            \
            std::abort();                                                                        \
        }                                                                                        \
    } while (false)
