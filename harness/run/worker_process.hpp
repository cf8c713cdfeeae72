#pragma once
// One `asyncbench worker` child process, seen from the harness: spawned with its arguments,
// its stdout read on a thread of ours and applied to a consumer_events sink (worker_protocol),
// its stderr appended to a log file. The fault timeline kills, restarts, pauses and resumes it.
// When the process dies, the members and partitions it had announced are taken back from the
// sink, so the live view never counts consumers that no longer exist.
// Thread-safety: pid(), running(), pause(), resume() and wait_ready() may be called from any
// thread; start(), kill_hard() and stop() must not run concurrently with each other (the fault
// timeline finishes before the runner stops the workers). A process that dies on its own is
// only noticed by wait_ready() and stop().
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness/kafka/consumer_events.hpp"

namespace asyncbench {

// The executable that runs `asyncbench worker`: $ASYNCBENCH_WORKER_EXE if set (tests, which
// run the harness inside a test binary), else this process's own executable.
std::filesystem::path worker_executable();

class worker_process {
  public:
    // `arguments` follow the executable (starting with "worker"). Nothing starts yet.
    worker_process(int index, std::vector<std::string> arguments, std::filesystem::path log_path,
                   consumer_events& sink);
    ~worker_process();  // stop()
    worker_process(const worker_process&) = delete;
    worker_process& operator=(const worker_process&) = delete;

    int index() const { return index_; }
    // Spawns the process. Throws std::runtime_error naming the executable when it cannot.
    void start();
    // True once the process said "ready"; false at `timeout` or if it exited (then the log's
    // last lines are in `why`).
    bool wait_ready(std::chrono::milliseconds timeout, std::string& why);
    pid_t pid() const;
    bool running() const;

    // kill -9, and waits until it is reaped. Returns the pid that was killed (0 if none ran).
    pid_t kill_hard();
    void pause();   // SIGSTOP
    void resume();  // SIGCONT
    // SIGTERM (the worker finishes its messages, commits and leaves its groups) without
    // waiting, so several workers can stop at once; stop() then waits.
    void request_stop();
    // request_stop(), then waits, SIGKILL after `grace`. Idempotent.
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(15));
    // Exit status text of the last process ("exit 0", "killed by signal 9").
    std::string last_exit() const;

  private:
    void read_events(int fd);
    void reap(bool block);

    const int index_;
    const std::vector<std::string> arguments_;
    const std::filesystem::path log_path_;
    consumer_events& sink_;

    mutable std::mutex mutex_;  // guards everything below
    pid_t pid_ = 0;
    int stdin_fd_ = -1;  // our end of the worker's stdin; closing it stops the worker
    bool ready_ = false;
    bool reader_done_ = true;
    int members_ = 0;  // announced by the current process, not yet taken back
    int partitions_ = 0;
    std::string last_exit_;
    std::thread reader_;
};

}  // namespace asyncbench
