// A persistent pool of worker threads for the CPU backend: started once (io.gradquant's CpuBackend
// creates it on its first call), reused by every quantize, encode, decode and copy call, and
// stopped when the backend is closed. Starting threads on every call cost more than the whole
// call on small inputs (issue 12).
#pragma once
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gq {

class Pool {
public:
    // Up to threads - 1 helper threads; the caller of run() is the last worker. If the system
    // refuses a thread, the pool runs with fewer (the same results, more slowly).
    explicit Pool(int threads);
    ~Pool();  // waits for a running call, then stops and joins the helpers

    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    // The threads a call runs on, the caller included.
    int threads() const { return (int)helpers_.size() + 1; }

    // Runs task(0) .. task(tasks - 1), each once, on the helpers and the calling thread, and
    // returns when all have finished. A task's exception is rethrown here (the first one, after
    // every task has finished). Calls from several threads run one after another.
    void run(int tasks, const std::function<void(int)>& task);

private:
    void help();
    void work();  // takes tasks of the current job until none is left

    std::mutex call_;  // one run() at a time
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    std::vector<std::thread> helpers_;
    const std::function<void(int)>* task_ = nullptr;
    int tasks_ = 0, next_ = 0, finished_ = 0;
    unsigned long generation_ = 0;
    bool stopping_ = false;
    std::exception_ptr error_;
};

}  // namespace gq
