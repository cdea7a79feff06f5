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

// LEL_RARE marks the body of a branch a helper almost never takes (the guard
// that clears a filter or noise generator gone non-finite) and
// keeps it a branch. Without it, where a helper's state is in registers
// (the block loop's copy of a small helper area), g++ turns
// `if (bad) memory = 0;` into a compare and a blend on the chain each
// sample waits for, every sample: lel::dcblock went from 4 to 7.6 ns a
// sample so. An empty asm statement cannot be made unconditional; it emits
// nothing.
#define LEL_RARE() asm volatile("")
