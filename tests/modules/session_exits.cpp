// Test module: a session body that calls exit(0), as a careless session
// might. leld must not end with status 0 (a service manager would not
// restart it): it exits with 70 and says why.
#include <lel/lel.hpp>

#include <cstdlib>

LEL_SESSION(session) {
    (void)session;
    std::exit(0);
}
