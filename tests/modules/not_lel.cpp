// Test module: a valid shared object that has nothing to do with lel.
extern "C" __attribute__((visibility("default"))) int not_lel_answer() {
    return 42;
}
