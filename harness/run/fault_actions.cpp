// The fault kinds: what each does to the mocks, the worker processes, the brokers or the
// database, and how it is undone.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include "harness/kafka/kafka_client.hpp"
#include "harness/kafka/topic_offsets.hpp"
#include "harness/run/fault_timeline.hpp"
#include "harness/run/kafka_evidence.hpp"

namespace asyncbench {
namespace {

using kind_t = fault_spec::kind;

// Every operation of `system` a fault with no operation named should hit: those the scenario
// configures and those the workflow calls.
std::vector<std::string> operations_of(const scenario_config& scenario, const std::string& system) {
    std::set<std::string> names;
    for (const auto& spec : scenario.systems) {
        if (spec.name != system) continue;
        for (const auto& [name, op] : spec.operations) names.insert(name);
    }
    for (const auto& stage : scenario.workflow) {
        for (const auto& step : stage.steps) {
            const auto* call = step.as<call_step>();
            if (call && call->system == system) names.insert(call->operation);
        }
    }
    return {names.begin(), names.end()};
}

std::string outage_text(operation_spec::outage_kind outage) {
    switch (outage) {
        case operation_spec::outage_kind::refuse:
            return "connections refused";
        case operation_spec::outage_kind::unavailable:
            return "every call answered 503";
        case operation_spec::outage_kind::hang:
            return "calls accepted and never answered";
        case operation_spec::outage_kind::none:
            break;
    }
    return "no outage";
}

class downstream_action final : public fault_action {
  public:
    downstream_action(const fault_spec& fault, mock_system& mock,
                      std::vector<std::string> operations)
        : fault_(fault), mock_(mock), operations_(std::move(operations)) {}

    std::string apply() override {
        saved_.clear();
        for (const auto& operation : operations_) {
            auto spec = mock_.operation(operation);
            saved_.emplace_back(operation, spec);
            switch (fault_.type) {
                case kind_t::downstream_outage:
                case kind_t::downstream_timeout:
                    spec.outage = fault_.outage;
                    break;
                case kind_t::downstream_slowdown:
                    spec.slowdown = std::min(1000.0, spec.slowdown * fault_.slowdown);
                    break;
                case kind_t::downstream_errors:
                    spec.error_rate = fault_.error_rate;
                    spec.error_status = fault_.error_status;
                    break;
                default:
                    break;
            }
            mock_.set_operation(operation, spec);
        }
        switch (fault_.type) {
            case kind_t::downstream_slowdown:
                return fmt::format("{}: latency x{}", target(), fault_.slowdown);
            case kind_t::downstream_errors:
                return fmt::format("{}: {:.0f}% of calls answered {}", target(),
                                   fault_.error_rate * 100, fault_.error_status);
            default:
                return fmt::format("{}: {}", target(), outage_text(fault_.outage));
        }
    }

    std::string revert() override {
        for (const auto& [operation, spec] : saved_) mock_.set_operation(operation, spec);
        return "restored";
    }

    std::map<std::string, std::uint64_t> call_counts() const override {
        std::map<std::string, std::uint64_t> counts;
        const auto calls = mock_.calls();
        for (const auto& operation : operations_) {
            std::uint64_t total = 0;
            if (auto found = calls.find(operation); found != calls.end()) {
                for (const auto& [id, count] : found->second) total += count;
            }
            counts[mock_.name() + "." + operation] = total;
        }
        return counts;
    }

    std::string target() const override {
        return fault_.operation.empty() ? fault_.system : fault_.system + "." + fault_.operation;
    }

  private:
    const fault_spec& fault_;
    mock_system& mock_;
    std::vector<std::string> operations_;
    std::vector<std::pair<std::string, operation_spec>> saved_;
};

class worker_action final : public fault_action {
  public:
    worker_action(const fault_spec& fault, worker_process& worker)
        : fault_(fault), worker_(worker) {}

    std::string apply() override {
        if (fault_.type == kind_t::worker_pause) {
            paused_ = worker_.pid();
            if (paused_ == 0) throw std::runtime_error("the worker process is not running");
            worker_.pause();
            return fmt::format("SIGSTOP to worker {} (pid {})", worker_.index(), paused_);
        }
        const pid_t killed = worker_.kill_hard();
        if (killed == 0) throw std::runtime_error("the worker process is not running");
        return fmt::format("kill -9 of worker {} (pid {})", worker_.index(), killed);
    }

    std::string revert() override {
        if (fault_.type == kind_t::worker_pause) {
            worker_.resume();
            return fmt::format("SIGCONT to pid {}", paused_);
        }
        const auto began = std::chrono::steady_clock::now();
        worker_.start();
        std::string why;
        const bool ready = worker_.wait_ready(std::chrono::seconds(60), why);
        const double took =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
        if (!ready) throw std::runtime_error("restarted, but " + why);
        return fmt::format("restarted as pid {}, consuming again after {:.1f} s", worker_.pid(),
                           took);
    }

    std::string target() const override { return fmt::format("worker {}", worker_.index()); }

  private:
    const fault_spec& fault_;
    worker_process& worker_;
    pid_t paused_ = 0;
};

class broker_action final : public fault_action {
  public:
    broker_action(const fault_spec& fault, kafka_broker& broker, std::string topic)
        : fault_(fault), broker_(broker), topic_(std::move(topic)) {}

    std::string apply() override {
        std::string prefix;
        id_ = fault_.broker;
        if (fault_.type == kind_t::leader_loss) {
            id_ = broker_.leader_of(topic_, 0);
            prefix = fmt::format("broker {} led {}[0]; ", id_, topic_);
        }
        return prefix + broker_.stop_broker(id_);
    }

    std::string revert() override { return broker_.start_broker(id_); }

    std::string target() const override {
        return fault_.type == kind_t::leader_loss ? "leader of " + topic_ + "[0]"
                                                  : fmt::format("broker {}", fault_.broker);
    }

  private:
    const fault_spec& fault_;
    kafka_broker& broker_;
    std::string topic_;
    int id_ = 0;
};

class database_action final : public fault_action {
  public:
    explicit database_action(store& db) : db_(db) {}
    std::string apply() override {
        block_ = db_.block_writes();
        return db_.block_writes_description();
    }
    std::string revert() override {
        block_.reset();
        return "writes released";
    }
    std::string target() const override { return db_.kind() + " " + db_.location(); }

  private:
    store& db_;
    std::unique_ptr<write_block> block_;
};

// The PostgreSQL the run started (--db local) stopped or killed, then started again from its
// data. Unlike the lock, every connection breaks: the sync API's pool must notice and reconnect
// by itself, and the consumers' writes fail (and are retried) instead of waiting.
class database_restart_action final : public fault_action {
  public:
    database_restart_action(const fault_spec& fault, local_postgres& server)
        : fault_(fault), server_(server) {}
    std::string apply() override {
        return server_.take_down(fault_.how == fault_spec::takedown::kill
                                     ? local_postgres::stop_kind::kill
                                     : local_postgres::stop_kind::stop);
    }
    std::string revert() override { return server_.bring_up(); }
    std::string target() const override { return "postgresql " + server_.url(); }

  private:
    const fault_spec& fault_;
    local_postgres& server_;
};

// What retention does when a consumer outage outlasts retention.ms, done on purpose so the
// loss checker can be held to a loss it must report. apply() stops every worker process
// cleanly (each finishes the message in hand, commits and leaves its groups), so no consumer
// holds fetched records; revert() deletes every record of the topic below its end offsets
// through the admin API, records what that destroyed, and restarts the workers, whose groups
// then find their committed offsets gone and reset to the new log start.
class records_deleted_action final : public fault_action {
  public:
    records_deleted_action(const fault_context& context, std::vector<worker_process*> workers)
        : context_(context), workers_(std::move(workers)) {}

    std::string apply() override {
        for (auto* worker : workers_) worker->request_stop();  // all at once, then wait
        for (auto* worker : workers_) worker->stop();
        return fmt::format(
            "stopped all {} worker processes (SIGTERM: offsets committed, groups "
            "left), so no consumer holds fetched records",
            workers_.size());
    }

    // The workers restart whether or not the deletion worked: a failed deletion must not
    // leave the pipeline without consumers for the rest of the run.
    std::string revert() override {
        std::string deleted;
        std::string failure;
        try {
            deleted = delete_unread();
        } catch (const std::exception& e) {
            failure = std::string("deleting records failed: ") + e.what();
        }
        for (auto* worker : workers_) worker->start();
        for (auto* worker : workers_) {
            std::string why;
            if (!worker->wait_ready(std::chrono::seconds(60), why)) {
                failure += (failure.empty() ? "" : "; ") +
                           fmt::format("worker {} did not restart: {}", worker->index(), why);
            }
        }
        if (!failure.empty()) throw std::runtime_error(failure);
        return fmt::format("{}; restarted the {} worker processes", deleted, workers_.size());
    }

    // Only after a deletion that worked: what it destroyed.
    void record_ground_truth(fault_record& record) const override {
        if (!unread_) return;
        record.deleted_unread_ids = ids_;
        record.deleted_unread_messages = unread_;
    }

    std::string target() const override { return "topic " + context_.scenario.async.topic; }

  private:
    // Deletes every record below the end offsets and records the ground truth. The ids are the
    // pipeline's own view: acknowledged by the broker (the API answered 202), unfinished, and
    // stored below the deleted offsets. A client that never received its 202, or resent the
    // request later, can make it differ from what the client-side checker reports.
    std::string delete_unread() {
        const auto& async = context_.scenario.async;
        const auto bootstrap = context_.broker->bootstrap_servers();
        constexpr std::chrono::seconds timeout{30};
        const auto kafka =
            query_kafka_evidence(context_.scenario, bootstrap, context_.run_id, timeout);
        delete_records_before(bootstrap, async.topic, kafka.end, timeout,
                              connection_settings(async.consumer));
        // Unread: between where the slowest stage group reads next and the end.
        const auto slowest = slowest_read(kafka);
        std::uint64_t unread = 0;
        for (const auto& [partition, end] : kafka.end) {
            unread +=
                static_cast<std::uint64_t>(std::max<std::int64_t>(0, end - slowest.at(partition)));
        }
        // A message stored before the end offsets were read may have its delivery report (and
        // so its acknowledgement) still in flight: let those land before taking the view.
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        ids_.clear();
        for (const auto& message : context_.system.unfinished()) {
            const auto end = kafka.end.find(message.position.partition);
            if (end != kafka.end.end() && message.position.offset >= 0 &&
                message.position.offset < end->second) {
                ids_.push_back(message.business_id);
            }
        }
        std::sort(ids_.begin(), ids_.end());
        unread_ = unread;
        std::string ends;
        for (const auto& [partition, end] : kafka.end) {
            ends += fmt::format("{}{}:{}", ends.empty() ? "" : ", ", partition, end);
        }
        return fmt::format(
            "deleted every record of {} below the end offsets ({}): {} of them unread by the "
            "slowest group, the messages of {} acknowledged, unfinished requests",
            async.topic, ends, unread, ids_.size());
    }

    const fault_context& context_;
    std::vector<worker_process*> workers_;
    std::vector<std::string> ids_;
    std::optional<std::uint64_t> unread_;  // set once a deletion worked
};

}  // namespace

// stage_down: the stage's pollers or in-process consumers take no work while it lasts.
class stage_action final : public fault_action {
  public:
    stage_action(const fault_spec& fault, system_under_test& system)
        : fault_(fault), system_(system) {}

    std::string apply() override {
        if (!system_.set_stage_paused(fault_.stage, true)) {
            throw std::runtime_error("this mode has no pollers or consumers for the stage");
        }
        return fmt::format("stage {} stopped taking work", fault_.stage);
    }

    std::string revert() override {
        system_.set_stage_paused(fault_.stage, false);
        return fmt::format("stage {} taking work again", fault_.stage);
    }

    std::string target() const override { return "stage " + fault_.stage; }

  private:
    const fault_spec& fault_;
    system_under_test& system_;
};

// Why stage_down cannot apply to `stage` in this mode; empty when it can.
std::string stage_down_refusal(const scenario_config& scenario, const stage_spec& stage, mode m) {
    switch (stage.where(m)) {
        case placement::inline_stage:
            return fmt::format(
                "stage {} runs inline in this mode, inside the API: nothing of "
                "its own to stop",
                stage.name);
        case placement::kafka:
            if (scenario.async.worker_processes > 0) {
                return fmt::format(
                    "stage {}'s consumers run in worker processes: stop them with "
                    "worker_pause",
                    stage.name);
            }
            return {};
        case placement::poll:
            return {};
        case placement::none:
            return fmt::format("stage {} is not part of this mode's design", stage.name);
    }
    return {};
}

std::unique_ptr<fault_action> make_fault_action(const fault_spec& fault,
                                                const fault_context& context, std::string& why) {
    if (fault.async_only() && !traits_of(context.mode_id).uses_kafka) {
        why = "not applicable to the sync baseline: it has no Kafka and no consumer workers";
        return nullptr;
    }
    switch (fault.type) {
        case kind_t::downstream_outage:
        case kind_t::downstream_slowdown:
        case kind_t::downstream_errors:
        case kind_t::downstream_timeout: {
            for (const auto& mock : context.mocks) {
                if (mock->name() != fault.system) continue;
                auto operations = fault.operation.empty()
                                      ? operations_of(context.scenario, fault.system)
                                      : std::vector<std::string>{fault.operation};
                return std::make_unique<downstream_action>(fault, *mock, std::move(operations));
            }
            why = "no mock system named " + fault.system;
            return nullptr;
        }
        case kind_t::worker_crash:
        case kind_t::worker_pause:
            if (worker_process* worker = context.system.worker(fault.worker)) {
                return std::make_unique<worker_action>(fault, *worker);
            }
            why = fmt::format("no worker process {} (async.worker_processes is {})", fault.worker,
                              context.scenario.async.worker_processes);
            return nullptr;
        case kind_t::broker_down:
        case kind_t::leader_loss:
            if (context.broker == nullptr) {
                why = "no Kafka cluster in this mode";
                return nullptr;
            }
            return std::make_unique<broker_action>(fault, *context.broker,
                                                   context.scenario.async.topic);
        case kind_t::database_down:
            if (fault.how == fault_spec::takedown::lock) {
                return std::make_unique<database_action>(context.db);
            }
            if (context.db_server == nullptr) {
                why = fmt::format(
                    "how: {} needs the PostgreSQL the run starts itself (--db local); {} can "
                    "only be locked (how: lock)",
                    fault.how == fault_spec::takedown::kill ? "kill" : "stop",
                    context.db.kind() == "sqlite" ? "SQLite" : "a database given by URL");
                return nullptr;
            }
            return std::make_unique<database_restart_action>(fault, *context.db_server);
        case kind_t::records_deleted: {
            if (context.broker == nullptr) {
                why = "no Kafka cluster in this mode";
                return nullptr;
            }
            std::vector<worker_process*> workers;
            for (int i = 0; i < context.scenario.async.worker_processes; ++i) {
                if (auto* worker = context.system.worker(i)) workers.push_back(worker);
            }
            if (workers.empty()) {
                why = "no worker processes to stop (async.worker_processes is 0)";
                return nullptr;
            }
            return std::make_unique<records_deleted_action>(context, std::move(workers));
        }
        case kind_t::stage_down:
            for (const auto& stage : context.scenario.workflow) {
                if (stage.name != fault.stage) continue;
                why = stage_down_refusal(context.scenario, stage, context.mode_id);
                if (!why.empty()) return nullptr;
                return std::make_unique<stage_action>(fault, context.system);
            }
            why = "no stage named " + fault.stage;
            return nullptr;
        case kind_t::redis_down:
            return make_redis_down_action(fault, context.redis, why);
        case kind_t::watcher_disconnect:
            return make_watcher_disconnect_action(fault, context.watchers, why);
    }
    why = "unknown fault kind";
    return nullptr;
}

}  // namespace asyncbench
