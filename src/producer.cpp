#include "producer.hpp"

#include "fault_guard.hpp"
#include "rt_calls.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>
#include <stdexcept>

namespace lel {

Producer::Producer(Renderer& renderer, SpscRing<StereoFrame>& ring, uint32_t block, uint32_t depth,
                   SpscRing<StereoFrame>* input)
    : renderer_(renderer), ring_(ring), block_(block), depth_(depth), input_(input), staging_(block),
      input_staging_(input ? block : 0) {
    if (block == 0 || depth < block) throw std::invalid_argument("producer needs 0 < block <= depth");
    if (depth > ring.capacity()) throw std::invalid_argument("producer depth exceeds the ring's capacity");
    sem_init(&wake_, 0, 0);
}

Producer::~Producer() {
    stop();
    sem_destroy(&wake_);
}

std::string Producer::start(int rt_priority, std::chrono::nanoseconds stall_limit) {
    running_.store(true, std::memory_order_release);  // pairs with the acquire in run()
    thread_ = std::thread([this, stall_limit] {
        // Before the real-time loop (these allocate): user code on this
        // thread is guarded, and watched when a limit is given.
        fault::prepare_this_thread();
        if (stall_limit > std::chrono::nanoseconds::zero()) fault::watch_this_thread(stall_limit);
        run();
    });
    pthread_setname_np(thread_.native_handle(), "lel-producer");
    if (rt_priority <= 0) return "producer runs without real-time priority (JACK is not running real-time)";
    sched_param param{};
    param.sched_priority = rt_priority;
    if (const int err = pthread_setschedparam(thread_.native_handle(), SCHED_FIFO, &param); err != 0) {
        return fmt::format("producer could not get SCHED_FIFO priority {}: {} (raise rtprio in "
                           "/etc/security/limits.d or LimitRTPRIO= in the unit); carrying on without it",
                           rt_priority, std::strerror(err));
    }
    return {};
}

void Producer::stop() {
    if (!thread_.joinable()) return;
    running_.store(false, std::memory_order_release);  // pairs with the acquire in run()
    sem_post(&wake_);
    thread_.join();
}

void Producer::notify() noexcept { rt::post(wake_); }

bool Producer::try_fill() noexcept {
    const std::size_t fill = ring_.capacity() - ring_.write_available();
    if (fill + block_ > depth_) return false;
    if (input_) {
        const std::size_t got = input_->try_read(input_staging_);
        std::fill(input_staging_.begin() + static_cast<std::ptrdiff_t>(got), input_staging_.end(), StereoFrame{});
    }
    renderer_.render(staging_, input_staging_);
    ring_.try_write(staging_);  // fits: fill + block <= depth <= capacity
    return true;
}

void Producer::run() noexcept {
    while (running_.load(std::memory_order_acquire)) {
        if (try_fill()) continue;
        // Outside the real-time contract on purpose: this is where the
        // producer sleeps until the callback has freed room.
        while (sem_wait(&wake_) != 0 && errno == EINTR) {
        }
    }
}

}  // namespace lel
