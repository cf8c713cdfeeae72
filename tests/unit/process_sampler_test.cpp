#include "harness/stats/process_sampler.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string_view>
#include <thread>

#include "harness/core/thread_name.hpp"
#include "harness/run/cost_parts.hpp"

namespace asyncbench {
namespace {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// Parsing, with text as Linux writes it.

TEST(process_sampler, parses_a_stat_line) {
    const auto stat = parse_proc_stat(
        "4242 (asyncbench) S 1 4242 4242 0 -1 4194560 1234 0 5 0 150 37 0 0 20 0 7 0 98765 "
        "123456789 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n");
    ASSERT_TRUE(stat.has_value());
    EXPECT_EQ(stat->comm, "asyncbench");
    EXPECT_EQ(stat->state, 'S');
    EXPECT_EQ(stat->cpu_ticks, 150u + 37u);  // utime + stime
    EXPECT_EQ(stat->threads, 7u);
    EXPECT_EQ(stat->start_ticks, 98765u);
}

TEST(process_sampler, a_name_with_spaces_and_parentheses_ends_at_the_last_parenthesis) {
    const auto stat =
        parse_proc_stat("77 (rdk:main (x)) R 1 1 1 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 555 0 0");
    ASSERT_TRUE(stat.has_value());
    EXPECT_EQ(stat->comm, "rdk:main (x)");
    EXPECT_EQ(stat->state, 'R');
    EXPECT_EQ(stat->cpu_ticks, 7u);
    EXPECT_EQ(stat->start_ticks, 555u);
    // A name that imitates the fields after it does not fool the parser.
    const auto tricky =
        parse_proc_stat("78 (a) S 9 9) S 1 1 1 0 -1 0 0 0 0 0 10 20 0 0 20 0 2 0 600 0 0");
    ASSERT_TRUE(tricky.has_value());
    EXPECT_EQ(tricky->comm, "a) S 9 9");
    EXPECT_EQ(tricky->cpu_ticks, 30u);
    EXPECT_EQ(tricky->threads, 2u);
}

TEST(process_sampler, a_line_that_is_not_a_stat_line_is_refused) {
    for (const char* line : {"", "garbage", "12 (x) S 1 2 3",
                             "x (name) S 1 1 1 0 -1 0 0 0 0 0 3 "
                             "4 0 0 20 0 1 0 555 0 0",
                             "12 (x) S 1 1 1 0 -1 0 0 0 0 0 three 4 0 0 20 0 1 0 555 0 0",
                             "12 name) S 1 1 1 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 555 0 0"}) {
        EXPECT_FALSE(parse_proc_stat(line).has_value()) << line;
    }
}

TEST(process_sampler, parses_rss_and_threads_from_status) {
    const auto status = parse_proc_status(
        "Name:\tasyncbench\nState:\tS (sleeping)\nVmPeak:\t  900000 kB\nVmRSS:\t   10240 kB\n"
        "RssAnon:\t    8000 kB\nThreads:\t12\nSigQ:\t0/31146\n");
    EXPECT_EQ(status.rss_bytes, 10240u * 1024u);
    EXPECT_EQ(status.threads, 12u);
    // A zombie has no memory lines.
    const auto zombie = parse_proc_status("Name:\tworker\nState:\tZ (zombie)\nThreads:\t1\n");
    EXPECT_FALSE(zombie.rss_bytes.has_value());
    EXPECT_EQ(zombie.threads, 1u);
}

TEST(process_sampler, finds_the_inodes_of_established_tcp_sockets) {
    const std::string tcp =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
        "timeout inode\n"
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        "
        "0 11111 1 0000000000000000 100 0 0 10 0\n"
        "   1: 0100007F:1F90 0100007F:A2C4 01 00000000:00000000 00:00000000 00000000  1000        "
        "0 22222 1 0000000000000000 20 4 30 10 -1\n"
        "   2: 0100007F:A2C4 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        "
        "0 33333 1 0000000000000000 20 4 30 10 -1\n"
        "   3: 0100007F:B000 0100007F:1F90 06 00000000:00000000 03:00000F9E 00000000     0        "
        "0 0 3 0000000000000000\n";
    EXPECT_EQ(established_socket_inodes(tcp), (std::vector<std::uint64_t>{22222, 33333}));
    const std::string tcp6 =
        "  sl  local_address                         remote_address                        st "
        "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:D3A2 01 "
        "00000000:00000000 00:00000000 00000000  1000        0 44444 1 0000000000000000 20 4 "
        "0 10 -1\n";
    EXPECT_EQ(established_socket_inodes(tcp6), (std::vector<std::uint64_t>{44444}));
    EXPECT_TRUE(established_socket_inodes("").empty());
    EXPECT_TRUE(established_socket_inodes("   0: short line 01\n").empty());
}

TEST(process_sampler, reads_a_socket_inode_from_a_descriptor_link) {
    EXPECT_EQ(socket_inode("socket:[12345]"), 12345u);
    EXPECT_FALSE(socket_inode("pipe:[12345]").has_value());
    EXPECT_FALSE(socket_inode("socket:[]").has_value());
    EXPECT_FALSE(socket_inode("socket:[12x]").has_value());
    EXPECT_FALSE(socket_inode("/dev/null").has_value());
}

// The part a thread of that name is attributed to: the first named_threads part with a prefix
// of the name (process_sampler.hpp, part_spec::thread_prefixes).
std::string claimant(const std::vector<part_spec>& parts, std::string_view thread) {
    for (const auto& part : parts) {
        if (part.scope != part_scope::named_threads) continue;
        for (const auto& prefix : part.thread_prefixes) {
            if (thread.starts_with(prefix)) return part.name;
        }
    }
    return "";
}

TEST(process_sampler, the_harness_parts_count_kafka_only_where_the_mode_uses_it) {
    for (bool uses_kafka : {false, true}) {
        const auto parts = harness_parts(4242, uses_kafka);
        ASSERT_EQ(parts.size(), 10u);
        EXPECT_EQ(parts[0].name, "harness process");
        EXPECT_EQ(parts[0].scope, part_scope::process);
        EXPECT_FALSE(parts[0].counted);  // its thread groups are counted instead
        for (const auto& part : parts) {
            EXPECT_EQ(part.pid, 4242);
            if (part.name == "kafka clients" || part.name == "embedded Kafka cluster") {
                EXPECT_EQ(part.counted, uses_kafka);
            } else if (part.name == "mocks" || part.name == "load generator" ||
                       part.name == "watchers") {
                EXPECT_FALSE(part.counted);  // the clients and the mocks: neither design
            } else if (part.name == "front door" || part.name == "pollers") {
                EXPECT_TRUE(part.counted);  // the design under test, in either mode
            }
        }
        EXPECT_EQ(parts.back().scope, part_scope::other_threads);
        // "poll" (a consumer's poll thread) is a prefix of "poller": the pollers' part must
        // claim its threads first, or their CPU would be billed to the consumers. Linux keeps
        // 15 characters of a thread's name, so the cut name must still be claimed.
        EXPECT_EQ(claimant(parts, "poller-statistics"), "pollers");
        EXPECT_EQ(claimant(parts, "poller-statisti"), "pollers");
        EXPECT_EQ(claimant(parts, "poll"), "consumers");
        EXPECT_EQ(claimant(parts, "consumer"), "consumers");
        // Likewise "rdk:" (the clients) is a prefix of the embedded broker's "rdk:mock".
        EXPECT_EQ(claimant(parts, "rdk:mock"), "embedded Kafka cluster");
        EXPECT_EQ(claimant(parts, "rdk:main"), "kafka clients");
        EXPECT_EQ(claimant(parts, "watcher-49"), "watchers");
    }
    EXPECT_EQ(cpu_s_per_1000(2.5, 500), 5.0);
    EXPECT_FALSE(cpu_s_per_1000(2.5, 0).has_value());
}

// ---------------------------------------------------------------------------------------------
// Live, on this test process and its children. Only coarse bounds: the machine may be busy.

const part_cost* find_part(const std::vector<part_cost>& parts, const std::string& name) {
    for (const auto& part : parts) {
        if (part.part == name) return &part;
    }
    return nullptr;
}

// Spins until this thread has used `cpu` of CPU time.
void burn_cpu(std::chrono::milliseconds cpu) {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    const auto start = std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
    for (;;) {
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
        if (std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec) - start >=
            cpu) {
            return;
        }
    }
}

TEST(cost_sampler, attributes_cpu_to_threads_by_name) {
    std::atomic<bool> go{false}, burnt{false}, done{false};
    std::atomic<int> named{0};
    std::thread burner([&] {
        name_this_thread("burn");
        ++named;
        while (!go) std::this_thread::sleep_for(1ms);
        burn_cpu(300ms);
        burnt = true;
        while (!done) std::this_thread::sleep_for(5ms);
    });
    std::thread idler([&] {
        name_this_thread("idle");
        ++named;
        while (!done) std::this_thread::sleep_for(20ms);
    });
    while (named < 2) std::this_thread::sleep_for(1ms);

    const pid_t self = ::getpid();
    cost_sampler sampler({{"whole", self, part_scope::process, {}, false},
                          {"burn", self, part_scope::named_threads, {"burn"}, true},
                          {"idle", self, part_scope::named_threads, {"idle"}, true},
                          {"nobody", self, part_scope::named_threads, {"no-such-thread"}, true},
                          {"rest", self, part_scope::other_threads, {}, true}},
                         {}, 100ms);
    sampler.start();
    go = true;
    while (!burnt) std::this_thread::sleep_for(10ms);
    const auto parts = sampler.stop();
    done = true;
    burner.join();
    idler.join();

    const auto* burn = find_part(parts, "burn");
    const auto* idle = find_part(parts, "idle");
    const auto* whole = find_part(parts, "whole");
    const auto* rest = find_part(parts, "rest");
    ASSERT_NE(burn, nullptr);
    ASSERT_NE(idle, nullptr);
    ASSERT_NE(whole, nullptr);
    ASSERT_NE(rest, nullptr);
    EXPECT_EQ(find_part(parts, "nobody"), nullptr);  // never had a thread
    EXPECT_GT(burn->cpu_s, 0.1);
    EXPECT_LT(idle->cpu_s, 0.05);
    EXPECT_EQ(burn->peak_threads, 1u);
    EXPECT_EQ(idle->peak_threads, 1u);
    // Memory and sockets are the process's: a thread group has none of its own.
    EXPECT_FALSE(burn->peak_rss_bytes.has_value());
    EXPECT_FALSE(burn->peak_connections.has_value());
    ASSERT_TRUE(whole->peak_rss_bytes.has_value());
    EXPECT_GT(*whole->peak_rss_bytes, 0u);
    EXPECT_TRUE(whole->peak_connections.has_value());
    EXPECT_GE(whole->peak_threads, 3u);  // this thread, the burner, the idler (and the sampler)
    EXPECT_GE(whole->cpu_s, burn->cpu_s);
    EXPECT_LE(rest->cpu_s, whole->cpu_s);
    // The counted parts: burn, idle and rest; not the whole process.
    EXPECT_NEAR(sampler.counted_cpu_s(), burn->cpu_s + idle->cpu_s + rest->cpu_s, 1e-9);
    // stop() again returns the same.
    EXPECT_EQ(sampler.stop().size(), parts.size());
}

pid_t spawn_sleep() {
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::execlp("sleep", "sleep", "5", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    return pid;
}

void reap(pid_t pid) {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
}

// The timeline a soak run reads: every fifth sample and the last, with the process's
// descriptors counted (a pipe opened meanwhile shows in the later samples and the peak).
TEST(cost_sampler, keeps_every_fifth_sample_of_a_process_and_the_last) {
    cost_sampler sampler({{"self", ::getpid(), part_scope::process, {}, false}}, {}, 20ms);
    sampler.start();
    std::this_thread::sleep_for(150ms);
    int pipe_ends[2];
    ASSERT_EQ(::pipe(pipe_ends), 0);
    std::this_thread::sleep_for(150ms);
    const auto parts = sampler.stop();
    ::close(pipe_ends[0]);
    ::close(pipe_ends[1]);
    ASSERT_EQ(parts.size(), 1u);
    const auto& samples = parts[0].samples;
    // ~15 samples of 20 ms: the 1st, 6th, 11th ..., and stop()'s. A loaded machine takes fewer.
    ASSERT_GE(samples.size(), 2u);
    EXPECT_LE(samples.size(), 6u);
    EXPECT_LT(samples.front().t_s, 0.05);
    EXPECT_GE(samples.back().t_s, 0.25);
    for (std::size_t i = 1; i < samples.size(); ++i) EXPECT_GT(samples[i].t_s, samples[i - 1].t_s);
    ASSERT_TRUE(samples.front().fds && samples.back().fds);
    EXPECT_GE(*samples.back().fds, *samples.front().fds + 2);  // the pipe's two ends
    EXPECT_GE(parts[0].peak_fds.value_or(0), *samples.back().fds);
    EXPECT_TRUE(samples.back().rss_bytes.has_value());
    EXPECT_GE(samples.back().threads, 1u);  // stop()'s sample: the sampler's thread has ended
}

TEST(cost_sampler, a_process_from_the_source_is_measured_whole) {
    const pid_t child = spawn_sleep();
    ASSERT_GT(child, 0);
    std::this_thread::sleep_for(100ms);  // exec'd by now
    cost_sampler sampler(
        {},
        [child] {
            return std::vector<std::pair<std::string, int>>{{"sleeper", child}};
        },
        100ms);
    sampler.start();
    std::this_thread::sleep_for(300ms);
    const auto parts = sampler.stop();
    reap(child);
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(parts[0].part, "sleeper");
    EXPECT_EQ(parts[0].peak_threads, 1u);
    EXPECT_TRUE(parts[0].counted);
    ASSERT_TRUE(parts[0].peak_rss_bytes.has_value());
    EXPECT_GT(*parts[0].peak_rss_bytes, 0u);
    EXPECT_EQ(parts[0].peak_connections, 0u);
    EXPECT_LT(parts[0].cpu_s, 0.1);
}

TEST(cost_sampler, a_process_that_ends_keeps_its_cpu_and_a_restart_adds_to_it) {
    const pid_t first = ::fork();
    ASSERT_GE(first, 0);
    if (first == 0) {
        std::this_thread::sleep_for(200ms);  // started before the sampler's baseline
        burn_cpu(400ms);
        ::_exit(0);
    }
    cost_sampler sampler({{"worker", first, part_scope::process, {}, true}}, {}, 100ms);
    sampler.start();
    int status = 0;
    ::waitpid(first, &status, 0);  // gone from /proc from here on
    std::this_thread::sleep_for(250ms);
    // Restarted: a new incarnation, whose CPU adds to the first one's.
    const pid_t second = spawn_sleep();
    ASSERT_GT(second, 0);
    sampler.set_pid("worker", second);
    std::this_thread::sleep_for(300ms);
    const auto parts = sampler.stop();
    reap(second);
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_GT(parts[0].cpu_s, 0.1);
    EXPECT_EQ(parts[0].peak_threads, 1u);
}

}  // namespace
}  // namespace asyncbench
