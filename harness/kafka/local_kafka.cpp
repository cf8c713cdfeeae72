#include "harness/kafka/local_kafka.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/types.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "harness/core/script_runner.hpp"

namespace asyncbench {
namespace {

std::filesystem::path kafka_scripts() { return scripts_dir("kafka"); }

// Broker faults on a cluster scripts/kafka/start.sh made in `dir`: kill -9 of one node's JVM
// (stop.sh --kill), and a restart from its own config and data (start.sh --node, which waits
// until the node serves clients again).
std::string stop_node(const std::filesystem::path& dir, int id) {
    auto stopped =
        run_script(fmt::format("bash '{}' --dir '{}' --node {} --kill",
                               (kafka_scripts() / "stop.sh").string(), dir.string(), id));
    if (stopped.exit_code != 0) {
        throw std::runtime_error(
            fmt::format("scripts/kafka/stop.sh --node {} --kill failed (exit "
                        "{}): {}",
                        id, stopped.exit_code, stopped.output));
    }
    return fmt::format("Kafka node {} killed (kill -9 of its JVM, scripts/kafka/stop.sh --kill)",
                       id);
}

std::string start_node(const std::filesystem::path& dir, int id) {
    const auto began = std::chrono::steady_clock::now();
    auto started =
        run_script(fmt::format("bash '{}' --dir '{}' --node {}",
                               (kafka_scripts() / "start.sh").string(), dir.string(), id));
    if (started.exit_code != 0) {
        throw std::runtime_error(
            fmt::format("scripts/kafka/start.sh --node {} failed (exit {}): "
                        "{}",
                        id, started.exit_code, started.output));
    }
    return fmt::format(
        "Kafka node {} restarted from its data (serving again after {:.1f} s)", id,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
}

// Node `id`'s JVM pid from the pid file start.sh wrote, trusted only while that pid still runs
// this node's config (pids get reused), as stop.sh checks; 0 when the node is down.
pid_t node_pid(const std::filesystem::path& dir, int id) {
    // start.sh made the folder absolute (cd "$dir" && pwd) before writing it into the command.
    const auto cluster_dir = std::filesystem::absolute(dir).lexically_normal();
    std::ifstream pid_file(cluster_dir / fmt::format("node-{}.pid", id));
    pid_t pid = 0;
    if (!(pid_file >> pid) || pid <= 0) return 0;
    std::ifstream cmdline(fmt::format("/proc/{}/cmdline", pid));
    const std::string command((std::istreambuf_iterator<char>(cmdline)),
                              std::istreambuf_iterator<char>());
    const auto config = (cluster_dir / fmt::format("node-{}", id) / "server.properties").string();
    return command.find(config) == std::string::npos ? 0 : pid;
}

// A running cluster that start.sh made in `dir`: used as it is, never stopped at the end, but
// its nodes can be stopped and restarted by broker faults.
class scripted_kafka_broker final : public kafka_broker {
  public:
    scripted_kafka_broker(const std::string& bootstrap, std::filesystem::path dir)
        : dir_(std::move(dir)),
          cluster_(connect_external_broker(bootstrap, std::chrono::seconds(15))) {
        if (!std::filesystem::exists(dir_ / "cluster.env")) {
            throw std::runtime_error(
                fmt::format("--kafka-dir {}: no cluster.env there; give the "
                            "folder scripts/kafka/start.sh --dir was given",
                            dir_.string()));
        }
    }
    std::string bootstrap_servers() const override { return cluster_->bootstrap_servers(); }
    std::string kind() const override { return "external"; }
    std::string description() const override {
        return cluster_->description() + ", started by scripts/kafka/start.sh in " + dir_.string();
    }
    void create_topic(const std::string& topic, int partitions) override {
        cluster_->create_topic(topic, partitions);
    }
    std::string stop_broker(int id) override { return stop_node(dir_, id); }
    std::string start_broker(int id) override { return start_node(dir_, id); }

  private:
    std::filesystem::path dir_;
    std::unique_ptr<kafka_broker> cluster_;
};

class local_kafka_broker final : public kafka_broker {
  public:
    local_kafka_broker(int brokers, std::filesystem::path dir)
        : brokers_(brokers), dir_(std::move(dir)) {
        spdlog::info("starting Apache Kafka {} ({} broker{}) in {}", local_kafka_version(),
                     brokers_, brokers_ == 1 ? "" : "s", dir_.string());
        auto started = run_script(fmt::format("bash '{}' --brokers {} --dir '{}'",
                                              (kafka_scripts() / "start.sh").string(), brokers_,
                                              dir_.string()));
        if (started.exit_code != 0) {
            throw std::runtime_error(
                fmt::format("scripts/kafka/start.sh --brokers {} failed (exit {}):\n{}", brokers_,
                            started.exit_code, started.output));
        }
        try {
            cluster_ = connect_external_broker(last_line(started.output), std::chrono::seconds(30));
        } catch (...) {
            stop();
            throw;
        }
    }
    ~local_kafka_broker() override { stop(); }

    std::string bootstrap_servers() const override { return cluster_->bootstrap_servers(); }
    std::string kind() const override { return "local"; }
    std::string description() const override {
        return fmt::format(
            "Apache Kafka {}, {} broker{} (KRaft) on loopback, started by "
            "scripts/kafka/start.sh",
            local_kafka_version(), brokers_, brokers_ == 1 ? "" : "s");
    }
    void create_topic(const std::string& topic, int partitions) override {
        cluster_->create_topic(topic, partitions);
    }
    std::string stop_broker(int id) override { return stop_node(dir_, id); }
    std::string start_broker(int id) override { return start_node(dir_, id); }
    // Read from the pid files each time: a broker fault restarts a node with a new pid.
    std::vector<std::pair<std::string, int>> processes() const override {
        std::vector<std::pair<std::string, int>> out;
        for (int id = 1; id <= brokers_; ++id) {
            out.emplace_back(fmt::format("broker {}", id), node_pid(dir_, id));
        }
        return out;
    }

  private:
    void stop() {
        cluster_.reset();
        if (stopped_) return;
        stopped_ = true;
        auto stopped = run_script(fmt::format(
            "bash '{}' --dir '{}'", (kafka_scripts() / "stop.sh").string(), dir_.string()));
        if (stopped.exit_code != 0) {
            spdlog::warn("scripts/kafka/stop.sh failed (exit {}): {}", stopped.exit_code,
                         stopped.output);
        }
    }

    int brokers_;
    std::filesystem::path dir_;
    std::unique_ptr<kafka_broker> cluster_;
    bool stopped_ = false;
};

}  // namespace

std::string local_kafka_version() {
    // As scripts/kafka/common.sh reads it: the environment wins over kafka.env, whose lines are
    // plain KEY=value, so the report names the version start.sh actually ran.
    if (const char* from_environment = std::getenv("KAFKA_VERSION");
        from_environment && *from_environment) {
        return from_environment;
    }
    std::ifstream env(kafka_scripts() / "kafka.env");
    std::string line;
    constexpr std::string_view key = "KAFKA_VERSION=";
    while (std::getline(env, line)) {
        if (!line.starts_with(key)) continue;
        auto value = line.substr(key.size());
        std::erase(value, '"');
        return value;
    }
    return "unknown";
}

std::unique_ptr<kafka_broker> start_local_kafka(int brokers, const std::filesystem::path& dir) {
    return std::make_unique<local_kafka_broker>(brokers, dir);
}

std::unique_ptr<kafka_broker> connect_scripted_kafka(const std::string& bootstrap_servers,
                                                     const std::filesystem::path& dir) {
    return std::make_unique<scripted_kafka_broker>(bootstrap_servers, dir);
}

}  // namespace asyncbench
