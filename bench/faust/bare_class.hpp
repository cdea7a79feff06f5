// A Faust architecture file: the generated class and what it needs, with
// no main() and no audio driver (bench/dsp_cost drives it), for
// `faust -a bench/faust/bare_class.hpp -i -cn NAME voice.dsp`. MapUI sets
// a parameter by its label.
#include "faust/dsp/dsp.h"
#include "faust/gui/MapUI.h"
#include "faust/gui/meta.h"
<<includeIntrinsic>>
<<includeclass>>
