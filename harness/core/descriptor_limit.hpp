#pragma once
// The process's limit on open file descriptors. Every connection the harness serves or opens
// (the APIs' clients, the load generator's connections, Kafka and database clients) costs one,
// and Linux's default soft limit (1,024) is far below what thousands of connections need.
#include <cstdint>

namespace asyncbench {

struct descriptor_limit {
    std::uint64_t soft = 0;  // what open() and accept() are held to
    std::uint64_t hard = 0;  // the most the soft limit may be raised to without privileges
};

// Raises the soft limit to the hard one (at most `ceiling`), as servers commonly do at start,
// and returns the limits in force afterwards. Never throws; on failure the limits stay.
descriptor_limit raise_descriptor_limit(std::uint64_t ceiling = 1'048'576);

// The limits in force now, unchanged; zeros when they cannot be read.
descriptor_limit current_descriptor_limit();

}  // namespace asyncbench
