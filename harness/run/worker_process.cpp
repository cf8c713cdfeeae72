#include "harness/run/worker_process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "harness/core/child_process.hpp"
#include "harness/run/worker_protocol.hpp"

namespace asyncbench {
namespace {

// Forwards events to the real sink while counting what this process announced.
class counting_sink final : public consumer_events {
  public:
    counting_sink(consumer_events& sink, std::mutex& mutex, int& members, int& partitions)
        : sink_(sink), mutex_(mutex), members_(members), partitions_(partitions) {}
    void on_stage_finished(const std::string& stage, const std::string& id) override {
        sink_.on_stage_finished(stage, id);
    }
    void on_partitions_assigned(int delta) override {
        {
            std::lock_guard lock(mutex_);
            partitions_ += delta;
        }
        sink_.on_partitions_assigned(delta);
    }
    void on_member_assigned(int delta) override {
        {
            std::lock_guard lock(mutex_);
            members_ += delta;
        }
        sink_.on_member_assigned(delta);
    }
    void on_offset_reset() override { sink_.on_offset_reset(); }
    void on_order_violation(const std::string& stage) override { sink_.on_order_violation(stage); }
    void on_step_failed(const std::string& stage, const std::string& step,
                        const std::string& error) override {
        sink_.on_step_failed(stage, step, error);
    }

  private:
    consumer_events& sink_;
    std::mutex& mutex_;
    int& members_;
    int& partitions_;
};

std::string describe_status(int status) {
    if (WIFEXITED(status)) return fmt::format("exit {}", WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
    return "unknown status";
}

std::string log_tail(const std::filesystem::path& path, std::size_t lines) {
    std::ifstream input(path);
    std::vector<std::string> all;
    for (std::string line; std::getline(input, line);) all.push_back(line);
    std::string out;
    for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
        out += all[i] + "\n";
    }
    return out;
}

}  // namespace

std::filesystem::path worker_executable() {
    if (const char* exe = std::getenv("ASYNCBENCH_WORKER_EXE"); exe && *exe) return exe;
    return std::filesystem::read_symlink("/proc/self/exe");
}

worker_process::worker_process(int index, std::vector<std::string> arguments,
                               std::filesystem::path log_path, consumer_events& sink)
    : index_(index),
      arguments_(std::move(arguments)),
      log_path_(std::move(log_path)),
      sink_(sink) {}

worker_process::~worker_process() { stop(); }

void worker_process::start() {
    const std::string exe = worker_executable().string();
    int out[2];
    int in[2];
    if (::pipe2(out, O_CLOEXEC) != 0) {
        throw std::runtime_error(fmt::format("worker {}: pipe: {}", index_, std::strerror(errno)));
    }
    if (::pipe2(in, O_CLOEXEC) != 0) {
        ::close(out[0]);
        ::close(out[1]);
        throw std::runtime_error(fmt::format("worker {}: pipe: {}", index_, std::strerror(errno)));
    }
    // The worker's stdin is a pipe only we write to: if this process dies, however it dies, the
    // worker reads EOF and stops (--exit-with-stdin) instead of consuming on forever. Its own
    // process group: Ctrl-C on the terminal reaches the harness, which then stops the workers
    // in order, rather than every worker at once.
    std::vector<std::string> args{exe};
    args.insert(args.end(), arguments_.begin(), arguments_.end());
    pid_t pid = 0;
    try {
        pid = spawn_child(args, child_stdio{in[0], out[1], log_path_.string(), true});
    } catch (const std::exception& e) {
        for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
        throw std::runtime_error(fmt::format("worker process {}: {}", index_, e.what()));
    }
    ::close(out[1]);
    ::close(in[0]);
    if (reader_.joinable()) reader_.join();  // the previous process's reader saw its EOF
    std::lock_guard lock(mutex_);
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    stdin_fd_ = in[1];
    pid_ = pid;
    ready_ = false;
    reader_done_ = false;
    reader_ = std::thread([this, fd = out[0]] { read_events(fd); });
    spdlog::debug("worker {} started as pid {}", index_, pid);
}

void worker_process::read_events(int fd) {
    counting_sink sink(sink_, mutex_, members_, partitions_);
    std::string pending;
    char buffer[8192];
    while (true) {
        const auto n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        pending.append(buffer, static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (auto end = pending.find('\n'); end != std::string::npos;
             end = pending.find('\n', start)) {
            bool ready = false;
            apply_event_line(std::string_view(pending).substr(start, end - start), sink, ready);
            if (ready) {
                std::lock_guard lock(mutex_);
                ready_ = true;
            }
            start = end + 1;
        }
        pending.erase(0, start);
    }
    ::close(fd);
    // The process is gone (or closed its stdout): take back what it announced. A cut last
    // line (kill -9 mid-write) stays in `pending` and is ignored.
    int members = 0;
    int partitions = 0;
    {
        std::lock_guard lock(mutex_);
        std::swap(members, members_);
        std::swap(partitions, partitions_);
        ready_ = false;
        reader_done_ = true;
    }
    if (members != 0) sink_.on_member_assigned(-members);
    if (partitions != 0) sink_.on_partitions_assigned(-partitions);
}

bool worker_process::wait_ready(std::chrono::milliseconds timeout, std::string& why) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        {
            std::lock_guard lock(mutex_);
            if (ready_) return true;
            if (reader_done_) {
                reap(true);
                why = fmt::format(
                    "worker process {} ended ({}) before it was ready; the end of "
                    "{}:\n{}",
                    index_, last_exit_, log_path_.string(), log_tail(log_path_, 15));
                return false;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    why = fmt::format("worker process {} was not ready within {} ms; see {}", index_,
                      timeout.count(), log_path_.string());
    return false;
}

pid_t worker_process::pid() const {
    std::lock_guard lock(mutex_);
    return pid_;
}

bool worker_process::running() const {
    std::lock_guard lock(mutex_);
    return pid_ != 0;
}

// mutex_ held.
void worker_process::reap(bool block) {
    if (pid_ == 0) return;
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    if (done == pid_) {
        last_exit_ = describe_status(status);
        pid_ = 0;
        if (stdin_fd_ >= 0) ::close(stdin_fd_);
        stdin_fd_ = -1;
    }
}

pid_t worker_process::kill_hard() {
    pid_t killed = 0;
    {
        std::lock_guard lock(mutex_);
        if (pid_ == 0) return 0;
        killed = pid_;
        ::kill(pid_, SIGKILL);
        reap(true);
    }
    if (reader_.joinable()) reader_.join();
    return killed;
}

void worker_process::pause() {
    std::lock_guard lock(mutex_);
    if (pid_ != 0) ::kill(pid_, SIGSTOP);
}

void worker_process::resume() {
    std::lock_guard lock(mutex_);
    if (pid_ != 0) ::kill(pid_, SIGCONT);
}

void worker_process::request_stop() {
    std::lock_guard lock(mutex_);
    if (pid_ != 0) {
        ::kill(pid_, SIGCONT);  // a paused worker could not act on SIGTERM
        ::kill(pid_, SIGTERM);
    }
}

void worker_process::stop(std::chrono::milliseconds grace) {
    request_stop();
    pid_t pid = 0;
    {
        std::lock_guard lock(mutex_);
        pid = pid_;
    }
    if (pid != 0) {
        const auto deadline = std::chrono::steady_clock::now() + grace;
        while (true) {
            {
                std::lock_guard lock(mutex_);
                reap(false);
                if (pid_ == 0) break;
                if (std::chrono::steady_clock::now() > deadline) {
                    spdlog::warn(
                        "worker process {} (pid {}) did not stop within {} ms of "
                        "SIGTERM; killing it",
                        index_, pid, grace.count());
                    ::kill(pid_, SIGKILL);
                    reap(true);
                    break;
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    if (reader_.joinable()) reader_.join();
}

std::string worker_process::last_exit() const {
    std::lock_guard lock(mutex_);
    return last_exit_;
}

}  // namespace asyncbench
