#include "gq_pool.h"

#include <system_error>

namespace gq {

Pool::Pool(int threads) {
    for (int t = 1; t < threads; t++) {
        try {
            helpers_.emplace_back(&Pool::help, this);
        } catch (const std::system_error&) {
            break;  // no more threads to be had: run with the ones we have
        }
    }
}

Pool::~Pool() {
    std::lock_guard<std::mutex> call(call_);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : helpers_) t.join();
}

void Pool::run(int tasks, const std::function<void(int)>& task) {
    if (tasks <= 0) return;
    if (tasks == 1 || helpers_.empty()) {  // nothing to share: no wake-ups
        for (int t = 0; t < tasks; t++) task(t);
        return;
    }
    std::lock_guard<std::mutex> call(call_);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        task_ = &task;
        tasks_ = tasks;
        next_ = 0;
        finished_ = 0;
        error_ = nullptr;
        generation_++;
    }
    wake_.notify_all();
    work();
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return finished_ == tasks_; });
    task_ = nullptr;
    if (error_) std::rethrow_exception(error_);
}

void Pool::work() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (task_ != nullptr && next_ < tasks_) {
        int t = next_++;
        const std::function<void(int)>& task = *task_;
        lock.unlock();
        std::exception_ptr error;
        try {
            task(t);
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        if (error && !error_) error_ = error;
        if (++finished_ == tasks_) done_.notify_all();
    }
}

void Pool::help() {
    unsigned long seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        lock.unlock();
        work();
        lock.lock();
    }
}

}  // namespace gq
