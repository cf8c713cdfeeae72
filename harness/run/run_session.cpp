#include "harness/run/run_session.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <random>

#include "harness/config/scenario_loader.hpp"
#include "harness/config/threshold_reader.hpp"
#include "harness/core/interrupts.hpp"
#include "harness/kafka/local_kafka.hpp"
#include "harness/run/environment.hpp"
#include "harness/store/pg_connection_pool.hpp"
#include "harness/workflow/stage_graph.hpp"

namespace asyncbench {
namespace {

std::string default_out_dir(const std::string& scenario) {
    return fmt::format(
        "out/{}-{:%Y%m%d-%H%M%S}", scenario,
        fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
}

std::string random_run_id() {
    std::random_device device;
    return fmt::format("{:08x}", device());
}

int usage_error(const std::vector<std::string>& messages) {
    for (const auto& message : messages) std::cerr << "error: " << message << "\n";
    return 2;
}

// The modes --mode names ("both" or one mode's name), in report order; nullopt when unknown.
std::optional<std::vector<mode>> modes_of(const std::string& option) {
    if (option == "both") return std::vector<mode>(all_modes.begin(), all_modes.end());
    if (const auto one = mode_from_name(option)) return std::vector<mode>{*one};
    return std::nullopt;
}

bool any_uses_kafka(const std::vector<mode>& modes) {
    return std::any_of(modes.begin(), modes.end(), [](mode m) { return traits_of(m).uses_kafka; });
}

}  // namespace

std::variant<std::unique_ptr<run_session>, int> run_session::open(const run_options& options) {
    const auto chosen = modes_of(options.mode);
    if (!chosen) {
        return usage_error(
            {fmt::format("--mode: '{}' is not one of sync, async, both", options.mode)});
    }
    auto loaded = load_scenario(options.scenario_path);
    if (auto* errors = std::get_if<std::vector<config_error>>(&loaded)) {
        for (const auto& error : *errors) std::cerr << format_config_error(error) << "\n";
        std::cerr << errors->size() << " error(s) in " << options.scenario_path
                  << "; nothing was started\n";
        return 2;
    }
    std::unique_ptr<run_session> session(new run_session());
    session->modes_ = *chosen;
    session->scenario_ = std::get<scenario_config>(std::move(loaded));
    auto& scenario = session->scenario_;
    auto errors = apply_overrides(scenario, options.overrides);
    for (auto& error : apply_client_settings(scenario.async, options.client_settings)) {
        errors.push_back(std::move(error));
    }
    for (auto& error : validate_client_settings(scenario.async)) {
        errors.push_back(std::move(error));
    }
    auto kafka = parse_kafka_option(options.kafka);
    if (auto* error = std::get_if<std::string>(&kafka)) errors.push_back(*error);
    if (auto* choice = std::get_if<kafka_choice>(&kafka)) {
        session->kafka_ = *choice;
        if (!options.kafka_dir.empty() && choice->type != kafka_choice::kind::external) {
            errors.push_back(
                "--kafka-dir names the folder of a running cluster: give its "
                "bootstrap servers with --kafka HOST:PORT too");
        }
        if (choice->type == kafka_choice::kind::embedded && any_uses_kafka(session->modes_)) {
            for (const auto& fault : scenario.faults) {
                if (fault.type != fault_spec::kind::records_deleted) continue;
                errors.push_back(fmt::format(
                    "fault '{}': records_deleted needs a real Kafka cluster (librdkafka's "
                    "embedded mock cluster cannot delete records): run with --kafka local, "
                    "local-3 or HOST:PORT, or --mode sync",
                    fault.name));
            }
        }
    }
    session->kafka_dir_ = options.kafka_dir;
    auto database = parse_database_option(options.database);
    if (auto* error = std::get_if<std::string>(&database)) errors.push_back(*error);
    if (auto* choice = std::get_if<database_choice>(&database)) {
        session->database_ = *choice;
        if (choice->type == database_choice::kind::postgres) {
            try {
                session->database_location_ = parse_pg_target(choice->url).url_without_password();
            } catch (const store_error& e) {
                errors.push_back(fmt::format("--db: {}", e.what()));
            }
        }
    }
    // Checked even when the scenario uses no Redis: a wrong flag is a wrong flag.
    auto redis = parse_redis_option(options.redis);
    if (auto* error = std::get_if<std::string>(&redis)) errors.push_back(*error);
    if (auto* choice = std::get_if<redis_choice>(&redis)) session->redis_choice_ = *choice;
    session->thresholds_ = run_thresholds(scenario, options.thresholds, errors);
    if (!errors.empty()) return usage_error(errors);

    session->out_dir_ = options.out_dir.empty() ? default_out_dir(scenario.name) : options.out_dir;
    std::error_code ec;
    std::filesystem::create_directories(session->out_dir_, ec);
    if (ec) {
        return usage_error(
            {fmt::format("--out: cannot create {}: {}", session->out_dir_.string(), ec.message())});
    }
    session->run_id_ = random_run_id();
    session->environment_ = describe_environment();
    catch_interrupts();
    return session;
}

run_session::~run_session() {
    for (auto& mock : mocks_) mock->stop();
}

const std::atomic<bool>& run_session::interrupted() const { return catch_interrupts(); }

void run_session::start_infrastructure() {
    for (const auto& system : scenario_.systems) {
        mocks_.push_back(std::make_unique<mock_system>(system));
        mocks_.back()->start();
        systems_[system.name] = network_endpoint{"127.0.0.1", mocks_.back()->port()};
        spdlog::info("mock {} on 127.0.0.1:{}", system.name, mocks_.back()->port());
    }
    if (any_uses_kafka(modes_)) {
        switch (kafka_.type) {
            case kafka_choice::kind::embedded:
                broker_ = start_embedded_broker(kafka_.brokers);
                break;
            case kafka_choice::kind::local:
                broker_ = start_local_kafka(kafka_.brokers, out_dir_ / "kafka");
                break;
            case kafka_choice::kind::external:
                broker_ = kafka_dir_.empty()
                              ? connect_external_broker(kafka_.bootstrap_servers,
                                                        std::chrono::seconds(15))
                              : connect_scripted_kafka(kafka_.bootstrap_servers, kafka_dir_);
                break;
        }
        environment_.broker_kind = broker_->kind();
        environment_.broker_description = broker_->description();
        environment_.bootstrap_servers = broker_->bootstrap_servers();
        spdlog::info("Kafka: {}", broker_->description());
    }
    if (database_.type == database_choice::kind::local) {
        local_db_ = std::make_unique<local_postgres>(out_dir_ / "postgres-server.log");
        database_ = {database_choice::kind::postgres, local_db_->url()};
        database_location_ = local_db_->url();
        spdlog::info("database: {}", local_db_->description());
    }
    if (scenario_.uses_redis()) {
        redis_ = redis_choice_.type == redis_choice::kind::embedded
                     ? start_embedded_redis(out_dir_ / "redis")
                     : connect_external_redis(redis_choice_.url, std::chrono::seconds(5));
        environment_.redis = redis_->description();
        spdlog::info("Redis: {}", redis_->description());
    }
}

run_result run_session::new_result() const {
    run_result result;
    result.scenario = scenario_.name;
    result.description = scenario_.description;
    result.environment = environment_;
    result.environment.database = "sqlite";
    result.settings = describe_settings(scenario_);
    return result;
}

measured_mode run_session::run(mode which, const scenario_config& scenario,
                               const std::filesystem::path& folder, const std::string& run_tag,
                               run_settings& settings) {
    scenario_config mode_scenario = stages_in_mode(scenario, which);
    // A run that follows another in this process (a repetition, a capacity step) gets topics of
    // its own: what an earlier one left unconsumed (an overloaded step's backlog) stays in its
    // own topics and can never reach this one's groups, however they start.
    if (!run_tag.empty()) mode_scenario.async.topic += "." + run_tag;
    std::filesystem::create_directories(folder);
    mode_dependencies deps{mode_scenario,
                           *find_plugin(scenario.plugin),  // the loader checked it exists
                           mocks_,
                           systems_,
                           broker_.get(),
                           redis_ ? redis_->url() : std::string(),
                           database_,
                           folder,
                           run_id_ + run_tag,
                           catch_interrupts(),
                           redis_.get(),
                           local_db_.get()};
    return run_mode(which, deps, settings);
}

void run_session::finish(run_result& result) {
    for (auto& mock : mocks_) mock->stop();
    redis_.reset();  // an embedded server is stopped here; the modes no longer need it
    if (database_.type == database_choice::kind::sqlite) {
        result.environment.database = fmt::format(
            "SQLite {} (files in {})", result.environment.libraries["sqlite"], out_dir_.string());
    } else if (local_db_) {
        result.environment.database =
            fmt::format("{} (schema ab_{}_<mode> per mode; its log: postgres-server.log)",
                        local_db_->description(), run_id_);
        local_db_.reset();  // stopped and removed; its log copied into the output folder
    } else {
        result.environment.database = fmt::format("PostgreSQL at {} (schema ab_{}_<mode> per mode)",
                                                  database_location_, run_id_);
    }
}

}  // namespace asyncbench
