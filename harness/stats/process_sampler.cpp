#include "harness/stats/process_sampler.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/core/thread_name.hpp"

namespace asyncbench {

namespace {

// Whitespace-separated fields of `text`.
std::vector<std::string_view> fields_of(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        pos = text.find_first_not_of(" \t\n", pos);
        if (pos == std::string_view::npos) break;
        const auto end = std::min(text.find_first_of(" \t\n", pos), text.size());
        out.push_back(text.substr(pos, end - pos));
        pos = end;
    }
    return out;
}

std::optional<std::uint64_t> to_u64(std::string_view text, int base = 10) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value, base);
    if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

}  // namespace

std::optional<proc_stat> parse_proc_stat(std::string_view line) {
    // "<pid> (<comm>) <state> <ppid> ...": the name may hold ") ", so it ends at the last ')'.
    const auto open = line.find(" (");
    const auto close = line.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open + 2 ||
        !to_u64(line.substr(0, open))) {
        return std::nullopt;
    }
    const auto rest = fields_of(line.substr(close + 1));
    // From the state on, as proc(5) numbers them from 3: utime 14, stime 15, num_threads 20,
    // starttime 22.
    constexpr std::size_t state = 0, utime = 11, stime = 12, num_threads = 17, starttime = 19;
    if (rest.size() <= starttime || rest[state].size() != 1) return std::nullopt;
    const auto user = to_u64(rest[utime]);
    const auto system = to_u64(rest[stime]);
    const auto threads = to_u64(rest[num_threads]);
    const auto start = to_u64(rest[starttime]);
    if (!user || !system || !threads || !start) return std::nullopt;
    proc_stat stat;
    stat.comm = std::string(line.substr(open + 2, close - open - 2));
    stat.state = rest[state][0];
    stat.cpu_ticks = *user + *system;
    stat.threads = *threads;
    stat.start_ticks = *start;
    return stat;
}

proc_status parse_proc_status(std::string_view text) {
    proc_status status;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        const auto line = text.substr(pos, end - pos);
        pos = end + 1;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const auto key = line.substr(0, colon);
        const auto values = fields_of(line.substr(colon + 1));
        if (values.empty()) continue;
        if (key == "VmRSS") {
            if (auto kib = to_u64(values[0])) status.rss_bytes = *kib * 1024;
        } else if (key == "Threads") {
            status.threads = to_u64(values[0]);
        }
    }
    return status;
}

std::vector<std::uint64_t> established_socket_inodes(std::string_view table) {
    // "  0: 0100007F:1F90 0100007F:A2C4 01 00000000:00000000 00:00000000 00000000  1000  0 4321
    // ..." sl, local, remote, state (hex, 01 = ESTABLISHED), queues, timer, retransmits, uid,
    // timeout, inode.
    constexpr std::size_t state = 3, inode = 9;
    constexpr std::uint64_t established = 1;
    std::vector<std::uint64_t> out;
    std::size_t pos = 0;
    while (pos < table.size()) {
        auto end = table.find('\n', pos);
        if (end == std::string_view::npos) end = table.size();
        const auto fields = fields_of(table.substr(pos, end - pos));
        pos = end + 1;
        if (fields.size() <= inode || !fields[0].ends_with(':')) continue;  // the header
        if (to_u64(fields[state], 16) != established) continue;
        if (auto n = to_u64(fields[inode]); n && *n != 0) out.push_back(*n);
    }
    return out;
}

std::optional<std::uint64_t> socket_inode(std::string_view link_target) {
    constexpr std::string_view prefix = "socket:[";
    if (!link_target.starts_with(prefix) || !link_target.ends_with(']')) return std::nullopt;
    return to_u64(link_target.substr(prefix.size(), link_target.size() - prefix.size() - 1));
}

// ---------------------------------------------------------------------------------------------

namespace {

namespace fs = std::filesystem;

// A /proc file's text; nullopt when it cannot be read (the process ended).
std::optional<std::string> read_text(const fs::path& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return std::move(text).str();
}

fs::path proc_dir(pid_t pid) { return fs::path("/proc") / std::to_string(pid); }

// The directory's numeric entries (tasks, file descriptors); whatever was listed before the
// process ended.
std::vector<std::string> numeric_entries(const fs::path& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        auto name = it->path().filename().string();
        if (to_u64(name)) out.push_back(std::move(name));
    }
    return out;
}

struct descriptor_counts {
    std::uint64_t open = 0;         // every file descriptor
    std::uint64_t established = 0;  // those that are established TCP sockets
};

// The process's file descriptors, and the established TCP sockets among them; nullopt when
// they cannot be listed (it ended, or belongs to another user).
std::optional<descriptor_counts> count_descriptors(
    pid_t pid, const std::vector<std::uint64_t>& established_sorted) {
    const auto fd_dir = proc_dir(pid) / "fd";
    std::error_code ec;
    if (!fs::is_directory(fd_dir, ec) || ::access(fd_dir.c_str(), R_OK | X_OK) != 0) {
        return std::nullopt;
    }
    descriptor_counts counts;
    for (const auto& fd : numeric_entries(fd_dir)) {
        const auto target = fs::read_symlink(fd_dir / fd, ec);
        if (ec) continue;  // closed meanwhile
        ++counts.open;
        const auto inode = socket_inode(target.native());
        if (inode &&
            std::binary_search(established_sorted.begin(), established_sorted.end(), *inode)) {
            ++counts.established;
        }
    }
    return counts;
}

std::vector<std::uint64_t> established_inodes_now() {
    std::vector<std::uint64_t> out;
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        if (auto text = read_text(table)) {
            const auto inodes = established_socket_inodes(*text);
            out.insert(out.end(), inodes.begin(), inodes.end());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool starts_with_any(std::string_view name, const std::vector<std::string>& prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [name](const std::string& p) { return name.starts_with(p); });
}

}  // namespace

cost_sampler::cost_sampler(std::vector<part_spec> parts, process_source processes,
                           std::chrono::milliseconds period)
    : processes_source_(std::move(processes)),
      period_(period),
      ticks_per_s_(static_cast<double>(std::max(1L, ::sysconf(_SC_CLK_TCK)))) {
    for (auto& spec : parts) {
        part_state part;
        if (spec.pid != 0) part.pids.push_back(spec.pid);
        part.spec = std::move(spec);
        parts_.push_back(std::move(part));
    }
}

cost_sampler::~cost_sampler() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void cost_sampler::start() {
    refresh_processes();
    {
        std::lock_guard lock(mutex_);
        started_ = std::chrono::steady_clock::now();
        baseline_ = true;
        sample();
        baseline_ = false;
    }
    thread_ = std::thread([this] { run(); });
}

void cost_sampler::set_pid(const std::string& part, pid_t pid) {
    std::lock_guard lock(mutex_);
    auto& state = part_named(part);
    state.spec.pid = pid;
    if (pid != 0 && std::find(state.pids.begin(), state.pids.end(), pid) == state.pids.end()) {
        state.pids.push_back(pid);
    }
}

std::vector<part_cost> cost_sampler::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return result_;
        stopping_ = true;
    }
    wake_.notify_all();
    const bool started = thread_.joinable();
    if (started) thread_.join();
    if (started) refresh_processes();
    std::lock_guard lock(mutex_);
    if (started) {
        last_sample_ = true;  // always in the timeline
        sample();
    }
    result_ = collect();
    counted_cpu_s_ = 0;
    for (const auto& part : parts_) {
        if (part.spec.counted)
            counted_cpu_s_ += static_cast<double>(part_ticks(part)) / ticks_per_s_;
    }
    stopped_ = true;
    return result_;
}

double cost_sampler::counted_cpu_s() const {
    std::lock_guard lock(mutex_);
    return counted_cpu_s_;
}

void cost_sampler::run() {
    name_this_thread("cost-sampler");
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
        // Asked without our lock: the source takes locks of its own (a worker's pid).
        lock.unlock();
        refresh_processes();
        lock.lock();
        if (!stopping_) sample();
    }
}

void cost_sampler::refresh_processes() {
    if (!processes_source_) return;
    for (const auto& [name, pid] : processes_source_()) set_pid(name, pid);
}

cost_sampler::part_state& cost_sampler::part_named(const std::string& name) {
    for (auto& part : parts_) {
        if (part.spec.name == name) return part;
    }
    part_state added;
    added.spec.name = name;
    parts_.push_back(std::move(added));
    return parts_.back();
}

void cost_sampler::record(std::map<task_key, cpu_span>& spans, const task_key& key,
                          std::uint64_t ticks) {
    auto [it, inserted] = spans.try_emplace(key);
    if (inserted) it->second.baseline = baseline_ ? ticks : 0;
    it->second.last = std::max(it->second.last, ticks);
}

void cost_sampler::sample() {
    const bool on_timeline = last_sample_ || samples_taken_ % timeline_every == 0;
    ++samples_taken_;
    const double t_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    // Threads before their process: the process's figure then includes every thread's, so
    // "the rest of the process" never comes out negative from the order of reading.
    std::vector<pid_t> thread_pids;
    for (const auto& part : parts_) {
        if (part.spec.scope != part_scope::process && part.spec.pid != 0 &&
            std::find(thread_pids.begin(), thread_pids.end(), part.spec.pid) == thread_pids.end()) {
            thread_pids.push_back(part.spec.pid);
        }
    }
    for (pid_t pid : thread_pids) sample_threads(pid);
    std::optional<std::vector<std::uint64_t>> established;
    for (auto& part : parts_) {
        if (part.spec.pid == 0 || part.spec.scope == part_scope::named_threads) continue;
        if (part.spec.scope == part_scope::process && !established) {
            established = established_inodes_now();
        }
        auto sampled =
            sample_process(part, established ? *established : std::vector<std::uint64_t>{});
        if (sampled && on_timeline) {
            sampled->t_s = t_s;
            part.samples.push_back(*sampled);
        }
    }
}

std::optional<resource_sample> cost_sampler::sample_process(
    part_state& part, const std::vector<std::uint64_t>& established) {
    const pid_t pid = part.spec.pid;
    const auto text = read_text(proc_dir(pid) / "stat");
    const auto stat = text ? parse_proc_stat(*text) : std::nullopt;
    if (!stat) return std::nullopt;  // ended: what it used is kept as last seen
    record(processes_, task_key{pid, 0, stat->start_ticks}, stat->cpu_ticks);
    if (part.spec.scope != part_scope::process) return std::nullopt;
    resource_sample now;
    now.threads = stat->threads;
    part.peak_threads = std::max(part.peak_threads, stat->threads);
    if (auto status = read_text(proc_dir(pid) / "status")) {
        if (auto rss = parse_proc_status(*status).rss_bytes) {
            now.rss_bytes = rss;
            part.peak_rss_bytes = std::max(part.peak_rss_bytes.value_or(0), *rss);
        }
    }
    if (auto descriptors = count_descriptors(pid, established)) {
        now.fds = descriptors->open;
        part.peak_connections =
            std::max(part.peak_connections.value_or(0), descriptors->established);
        part.peak_fds = std::max(part.peak_fds.value_or(0), descriptors->open);
    }
    return now;
}

void cost_sampler::sample_threads(pid_t pid) {
    std::vector<part_state*> named;
    part_state* other = nullptr;
    for (auto& part : parts_) {
        if (part.spec.pid != pid) continue;
        if (part.spec.scope == part_scope::named_threads) named.push_back(&part);
        if (part.spec.scope == part_scope::other_threads && other == nullptr) other = &part;
    }
    std::map<part_state*, std::uint64_t> threads;
    const auto task_dir = proc_dir(pid) / "task";
    for (const auto& tid : numeric_entries(task_dir)) {
        // The task's stat carries its name (as its comm file does), so one read per thread.
        const auto text = read_text(task_dir / tid / "stat");
        const auto stat = text ? parse_proc_stat(*text) : std::nullopt;
        if (!stat) continue;  // ended meanwhile
        part_state* owner = other;
        for (auto* part : named) {
            if (starts_with_any(stat->comm, part->spec.thread_prefixes)) {
                owner = part;
                break;
            }
        }
        if (owner == nullptr) continue;
        ++threads[owner];
        record(owner->tasks, task_key{pid, static_cast<pid_t>(*to_u64(tid)), stat->start_ticks},
               stat->cpu_ticks);
    }
    for (auto [part, n] : threads) part->peak_threads = std::max(part->peak_threads, n);
}

std::uint64_t cost_sampler::process_ticks(pid_t pid) const {
    std::uint64_t ticks = 0;
    for (auto it = processes_.lower_bound(task_key{pid, 0, 0});
         it != processes_.end() && it->first.pid == pid; ++it) {
        ticks += it->second.last - std::min(it->second.last, it->second.baseline);
    }
    return ticks;
}

std::uint64_t cost_sampler::part_ticks(const part_state& part) const {
    const auto spans = [](const std::map<task_key, cpu_span>& tasks, auto keep) {
        std::uint64_t ticks = 0;
        for (const auto& [key, span] : tasks) {
            if (keep(key)) ticks += span.last - std::min(span.last, span.baseline);
        }
        return ticks;
    };
    switch (part.spec.scope) {
        case part_scope::named_threads:
            return spans(part.tasks, [](const task_key&) { return true; });
        case part_scope::process: {
            std::uint64_t ticks = 0;
            for (pid_t pid : part.pids) ticks += process_ticks(pid);
            return ticks;
        }
        case part_scope::other_threads: {
            // What the named parts of its pids did not use: threads that lived between two
            // samples, and the threads of its own, are all in the process's figure.
            std::uint64_t whole = 0, named = 0;
            for (pid_t pid : part.pids) whole += process_ticks(pid);
            const auto in_pids = [&part](const task_key& key) {
                return std::find(part.pids.begin(), part.pids.end(), key.pid) != part.pids.end();
            };
            for (const auto& other : parts_) {
                if (other.spec.scope == part_scope::named_threads) {
                    named += spans(other.tasks, in_pids);
                }
            }
            return whole - std::min(whole, named);
        }
    }
    return 0;
}

std::vector<part_cost> cost_sampler::collect() const {
    std::vector<part_cost> out;
    for (const auto& part : parts_) {
        const std::uint64_t ticks = part_ticks(part);
        const bool whole_process = part.spec.scope == part_scope::process;
        // A thread group that never had a thread (no consumers in this process) is noise.
        if (!whole_process && part.peak_threads == 0 && ticks == 0) continue;
        part_cost cost;
        cost.part = part.spec.name;
        cost.cpu_s = static_cast<double>(ticks) / ticks_per_s_;
        cost.peak_threads = part.peak_threads;
        if (whole_process) {
            cost.peak_rss_bytes = part.peak_rss_bytes;
            cost.peak_connections = part.peak_connections;
            cost.peak_fds = part.peak_fds;
            cost.samples = part.samples;
        }
        cost.counted = part.spec.counted;
        out.push_back(std::move(cost));
    }
    return out;
}

}  // namespace asyncbench
