#pragma once
// What a design costs the machine: CPU seconds, peak resident memory, peak threads, peak TCP
// connections and peak file descriptors, per part of the system, read from Linux's /proc once
// a second; and every fifth sample of each process's memory, threads and descriptors, so a
// long run shows whether they grow.
//
// A part is a whole process (a worker, a broker JVM), or the threads of a process whose names
// start with given prefixes (the front door's threads inside the harness process), or the rest
// of a process's threads. Memory and sockets belong to a process, not to a thread, so thread
// parts report neither.
//
// The text of /proc is parsed by the pure functions below (tested with fixtures); cost_sampler
// does the reading.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "harness/result/run_result.hpp"

namespace asyncbench {

// ---------------------------------------------------------------------------------------------
// Parsing /proc text. Pure; thread-safe; never throw.

// The fields of /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat we use.
struct proc_stat {
    std::string comm;               // the thread's or process's name, at most 15 characters
    char state = '?';               // R, S, D, Z, ...
    std::uint64_t cpu_ticks = 0;    // utime + stime, in clock ticks (sysconf(_SC_CLK_TCK))
    std::uint64_t threads = 0;      // num_threads (of the whole process, also in a task's file)
    std::uint64_t start_ticks = 0;  // starttime: clock ticks after boot the task started
};

// One stat line. The name sits in parentheses and may itself hold spaces and parentheses
// ("(rdk:main (x))"): it ends at the *last* ')'. nullopt when the line is not a stat line.
std::optional<proc_stat> parse_proc_stat(std::string_view line);

// The fields of /proc/<pid>/status we use; each nullopt when absent (a zombie has no VmRSS).
struct proc_status {
    std::optional<std::uint64_t> rss_bytes;  // VmRSS, given in kB (KiB) there
    std::optional<std::uint64_t> threads;    // Threads
};
proc_status parse_proc_status(std::string_view text);

// Inodes of the sockets in state ESTABLISHED (01) in a /proc/net/tcp or tcp6 table, header
// line included or not. Lines that do not parse are skipped.
std::vector<std::uint64_t> established_socket_inodes(std::string_view table);

// The inode of a file descriptor's link target "socket:[12345]"; nullopt for anything else
// ("pipe:[7]", "/dev/null").
std::optional<std::uint64_t> socket_inode(std::string_view link_target);

// ---------------------------------------------------------------------------------------------
// Sampling.

enum class part_scope {
    process,        // the whole process: CPU, RSS, threads, TCP connections
    named_threads,  // its threads whose name starts with one of the prefixes: CPU and threads
    other_threads,  // its threads no named_threads part of the same pid claims: CPU and threads
};

struct part_spec {
    std::string name;  // e.g. "front door", "worker 0"
    pid_t pid = 0;     // 0: not running (yet); see cost_sampler::set_pid
    part_scope scope = part_scope::process;
    // named_threads: a thread belongs to the first such part of its pid, in the order the parts
    // were given, with a prefix its name starts with.
    std::vector<std::string> thread_prefixes;
    // Whether the part is in counted_cpu_s(): false for a total that other parts break down,
    // and for what is not the design under test (the mock external systems).
    bool counted = true;
};

// Samples the parts once at start(), every `period` meanwhile and once at stop(), on a thread
// of its own ("cost-sampler", a part of the harness process like any other thread).
//
// CPU is the time used between start() and stop(): a task (process or thread) that already
// ran at start() counts from there; one first seen later counts from its own start, so a
// worker restarted with a new pid, or a new thread, counts whole. A task that ends keeps the
// CPU it was last seen with (up to one period of it is lost). Peaks are of the samples, so a
// peak shorter than a period can be missed. TCP connections are the process's established
// TCP sockets (IPv4 and IPv6); a loopback connection within one process counts twice, once
// per end.
//
// Thread-safety: start() and stop() from one thread; set_pid() from any thread. The processes
// callback runs on the sampler's thread, without the sampler's lock held.
class cost_sampler {
  public:
    // Processes to sample in addition to `parts`, asked before every sample (their pids
    // change when they restart): (part name, pid) pairs; a name not yet known becomes a
    // counted process part, a known one is re-pointed as by set_pid; pid 0 means not running.
    using process_source = std::function<std::vector<std::pair<std::string, int>>()>;

    explicit cost_sampler(std::vector<part_spec> parts, process_source processes = {},
                          std::chrono::milliseconds period = std::chrono::seconds(1));
    ~cost_sampler();  // stops the thread if still running
    cost_sampler(const cost_sampler&) = delete;
    cost_sampler& operator=(const cost_sampler&) = delete;

    // Takes the first sample (the baseline), then starts the thread.
    void start();
    // Points `part` at `pid` from the next sample on; the CPU of the pids it had is kept, so a
    // restarted process's incarnations add up. An unknown name adds a counted process part.
    void set_pid(const std::string& part, pid_t pid);
    // Takes the last sample, joins the thread, and returns one element per part in the order
    // given (then the processes added later), less the named_threads and other_threads parts
    // that never had a thread. Idempotent: a second call returns the same.
    std::vector<part_cost> stop();
    // After stop(): the CPU seconds of the counted parts.
    double counted_cpu_s() const;

  private:
    struct task_key {
        pid_t pid;
        pid_t tid;  // 0: the process as a whole
        std::uint64_t start_ticks;
        auto operator<=>(const task_key&) const = default;
    };
    struct cpu_span {
        std::uint64_t baseline = 0;  // ticks at start(), or 0 for a task first seen later
        std::uint64_t last = 0;      // ticks when last seen
    };
    struct part_state {
        part_spec spec;
        std::vector<pid_t> pids;             // every pid it was pointed at
        std::map<task_key, cpu_span> tasks;  // named_threads: its threads
        std::optional<std::uint64_t> peak_rss_bytes;
        std::uint64_t peak_threads = 0;
        std::optional<std::uint64_t> peak_connections;
        std::optional<std::uint64_t> peak_fds;
        std::vector<resource_sample> samples;  // process parts: the timeline
    };
    // Every fifth sample goes on the timeline (5 s at the default period): 720 per hour.
    static constexpr std::uint64_t timeline_every = 5;

    void run();
    void refresh_processes();
    void sample();  // with mutex_ held
    // The process's figures now (peaks updated); nullopt for a thread part or an ended process.
    std::optional<resource_sample> sample_process(part_state& part,
                                                  const std::vector<std::uint64_t>& established);
    void sample_threads(pid_t pid);
    void record(std::map<task_key, cpu_span>& spans, const task_key& key, std::uint64_t ticks);
    part_state& part_named(const std::string& name);
    std::uint64_t process_ticks(pid_t pid) const;  // summed over the pid's incarnations
    std::uint64_t part_ticks(const part_state& part) const;
    std::vector<part_cost> collect() const;

    const process_source processes_source_;
    const std::chrono::milliseconds period_;
    const double ticks_per_s_;

    mutable std::mutex mutex_;  // guards everything below
    std::condition_variable wake_;
    std::vector<part_state> parts_;
    std::map<task_key, cpu_span> processes_;  // every sampled pid as a whole (tid 0)
    bool baseline_ = false;                   // the first sample is being taken
    bool last_sample_ = false;                // stop()'s sample is being taken
    std::uint64_t samples_taken_ = 0;
    std::chrono::steady_clock::time_point started_;  // start(): the timeline's zero
    bool stopping_ = false;
    bool stopped_ = false;
    std::vector<part_cost> result_;
    double counted_cpu_s_ = 0;
    std::thread thread_;
};

}  // namespace asyncbench
