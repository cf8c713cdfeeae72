// Boost.JSON's sources, compiled with the fuzzers' instrumentation (see CMakeLists.txt). This
// must be the only translation unit that includes src.hpp.
#include <boost/json/src.hpp>
