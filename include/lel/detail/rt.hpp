// lel — real-time boundary markers.
//
// LEL_RT marks a function that runs on a real-time thread (the JACK process
// callback or the producer). Under clang >= 20 it is [[clang::nonblocking]],
// so -Wfunction-effects checks that the function, and everything it calls,
// neither allocates, locks, throws nor makes a blocking call. Elsewhere it
// is empty. It is a function-type attribute: write it after `noexcept`:
//
//     void render(Block& b) noexcept LEL_RT;
#pragma once

#if defined(__clang__) && defined(__has_cpp_attribute)
#  if __has_cpp_attribute(clang::nonblocking)
#    define LEL_RT [[clang::nonblocking]]
#  endif
#endif
#ifndef LEL_RT
#  define LEL_RT
#endif
