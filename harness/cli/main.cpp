// asyncbench: run a scenario through a synchronous baseline and a Kafka pipeline, side by side.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "harness/cli/capacity_command.hpp"
#include "harness/cli/compare_command.hpp"
#include "harness/cli/list_command.hpp"
#include "harness/cli/load_command.hpp"
#include "harness/cli/metrics_command.hpp"
#include "harness/cli/run_command.hpp"
#include "harness/cli/worker_command.hpp"
#include "harness/core/descriptor_limit.hpp"
#include "harness/result/exit_status.hpp"
#include "harness/result/result_json.hpp"
#include "harness/run/environment.hpp"
#include "mocks/mock_command.hpp"
#include "reports/report_writer.hpp"

namespace {

std::string version_text() {
    const auto env = asyncbench::describe_environment();
    std::string text = "asyncbench " + env.asyncbench_version + " (git " + env.git_commit + ")";
    for (const char* library : {"librdkafka", "boost"}) {
        const auto it = env.libraries.find(library);
        if (it != env.libraries.end()) text += "\n" + it->first + " " + it->second;
    }
    return text;
}

int report_command(const std::string& result_path, const std::string& out_dir) {
    std::ifstream input(result_path);
    if (!input) {
        std::cerr << "error: cannot read " << result_path << "\n";
        return 2;
    }
    std::stringstream text;
    text << input.rdbuf();
    auto parsed = asyncbench::result_from_json(text.str());
    if (auto* error = std::get_if<std::string>(&parsed)) {
        std::cerr << "error: " << result_path << ": " << *error << "\n";
        return 2;
    }
    const auto dir = out_dir.empty() ? std::filesystem::path(result_path).parent_path()
                                     : std::filesystem::path(out_dir);
    try {
        asyncbench::write_reports(std::get<asyncbench::run_result>(parsed),
                                  dir.empty() ? "." : dir);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return asyncbench::exit_code(asyncbench::exit_status::usage);  // e.g. an unwritable --out
    }
    std::cout << "wrote " << (dir / "report.md").string() << " and "
              << (dir / "report.html").string() << "\n";
    return 0;
}

// The options `run` and `capacity` share: the scenario, its modes, where the output goes, the
// infrastructure and the thresholds (harness/run/run_session.hpp reads them).
void add_system_options(CLI::App* cmd, asyncbench::run_options& options,
                        std::string& bootstrap_servers, const std::string& what) {
    cmd->add_option("scenario", options.scenario_path, "Scenario YAML file (see `asyncbench list`)")
        ->required();
    cmd->add_option("--mode", options.mode, "sync, async or both")->capture_default_str();
    cmd->add_option("--out", options.out_dir, "Output folder (default out/<scenario>-<UTC time>)");
    cmd->add_option("--kafka", options.kafka,
                    "embedded (librdkafka's in-memory mock cluster), local (start 1 real "
                    "Apache Kafka broker), local-3 (start 3), or HOST:PORT,... of any "
                    "running cluster")
        ->capture_default_str();
    cmd->add_option("--bootstrap-servers", bootstrap_servers, "Same as --kafka HOST:PORT,...");
    cmd->add_option("--kafka-dir", options.kafka_dir,
                    "With --kafka HOST:PORT: the folder scripts/kafka/start.sh --dir started "
                    "that cluster in, so broker faults can kill and restart its nodes");
    cmd->add_option("--db", options.database,
                    "sqlite (a file per mode in the output folder), local (start a "
                    "throwaway PostgreSQL for the run with scripts/postgres, which "
                    "database_down how: kill|stop can restart) or "
                    "postgres://USER@HOST:PORT/DB of a running server (a fresh schema per mode)")
        ->capture_default_str();
    cmd->add_option("--redis", options.redis,
                    "embedded (default: a throwaway redis-server started for the run, Debian "
                    "package redis-server) or HOST:PORT / redis://HOST:PORT/DB of a running "
                    "server; only scenarios that declare Redis keys use it")
        ->capture_default_str();
    cmd->add_option("-X", options.client_settings,
                    "librdkafka setting passed through untouched, as kcat does: NAME=VALUE "
                    "for producer and consumers, producer:NAME=VALUE or consumer:NAME=VALUE "
                    "for one (repeatable)");
    cmd->add_option("--threshold", options.thresholds,
                    "A bound each " + what +
                        " must keep, beside the scenario's thresholds: "
                        "\"[during 'FAULT':] [sync.|async.]METRIC OP VALUE\", e.g. "
                        "\"async.completion_p99 < 10s\" or \"sync.availability >= 99.9%\"; "
                        "a missed one is exit 1 (repeatable; `asyncbench metrics` lists the names)")
        ->allow_extra_args(false);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "AsyncBench: should this synchronous REST + database workflow move onto Kafka?\n"
        "Runs one scenario through a synchronous baseline (a thread-pool HTTP API doing the\n"
        "work inline) and through a Kafka pipeline (an API that produces and answers 202,\n"
        "consumer groups that do the work), against the same mock external systems and the\n"
        "same open-loop load, then reconciles every accepted request and writes report.md,\n"
        "report.html and result.json.\n\n"
        "Examples:\n"
        "  asyncbench run scenarios/lp-report/lp-report.yaml --quick\n"
        "  asyncbench run scenarios/hr-fanout/hr-fanout.yaml --mode async --rate 500/s\n"
        "  asyncbench run scenarios/lp-report/lp-report.yaml --kafka local-3 \\\n"
        "      --db postgres://postgres@127.0.0.1:55432/asyncbench -X producer:linger.ms=1\n"
        "  asyncbench capacity scenarios/lp-report/lp-report.yaml --mode sync\n"
        "  asyncbench compare main/result.json pr/result.json\n"
        "  asyncbench list\n"
        "  asyncbench mock lp --port 9001 --config scenarios/lp-report/lp-report.yaml\n"
        "  asyncbench report out/lp-report-20261123-101500/result.json\n"};
    app.footer(asyncbench::exit_status_help);
    // A callback: the git lookup runs only when --version is asked for.
    app.set_version_flag("--version", std::function<std::string()>(version_text),
                         "Print the version, git commit and the versions of librdkafka and Boost");
    app.require_subcommand(1);
    bool verbose = false;
    bool quiet = false;
    app.add_flag("-v,--verbose", verbose, "Log debug detail (including librdkafka's)");
    app.add_flag("-q,--quiet", quiet, "Log warnings and errors only");

    asyncbench::run_options run;
    std::string rate;
    std::string duration;
    auto* run_cmd =
        app.add_subcommand("run", "Run a scenario in sync and/or async mode and write its reports");
    run_cmd->add_option("--rate", rate,
                        "Open-loop arrival rate, replacing the scenario's (e.g. 200/s)");
    run_cmd->add_option("--duration", duration,
                        "Measured phase length, replacing the scenario's (e.g. 45s, 2m)");
    std::string bootstrap_servers;
    add_system_options(run_cmd, run, bootstrap_servers, "run");
    run_cmd
        ->add_option("--repeat", run.repeat,
                     "Run each mode N times, modes alternating (sync async async sync ...), "
                     "and keep every repetition's metrics for `asyncbench compare`")
        ->capture_default_str();
    run_cmd->add_flag("--quick", run.overrides.quick,
                      "Short run: warm-up <= 2s, measure <= 10s, <= 2000 requests, drain <= 30s");

    asyncbench::capacity_options capacity;
    std::string capacity_bootstrap_servers;
    auto* capacity_cmd = app.add_subcommand(
        "capacity",
        "Find the highest rate each design sustains: short fixed-rate steps per mode, growing\n"
        "x2 from --start until a step fails, then bisecting to --precision. A step is\n"
        "sustainable when the API achieved >= 95% of the offered rate, errors (all answers)\n"
        "stayed <= 1%, the thresholds held and the generator kept its schedule (else the step\n"
        "says the machine, not the system, was the limit); async also needs the backlog not\n"
        "to grow, so it has two ceilings, accepting and completing. Each failed step names\n"
        "what it points at. Writes report.md, report.html and result.json (`capacity`).\n\n"
        "Example:\n"
        "  asyncbench capacity scenarios/lp-report/lp-report.yaml --max-rate 2000/s");
    capacity_cmd->footer(
        "Exit codes: 0 the ceilings were found (or --max-rate was sustained); 2 usage error,\n"
        "nothing started; 3 the load generator could not offer the rates needed, or the search\n"
        "was interrupted: the ceilings are not known.");
    add_system_options(capacity_cmd, capacity.run, capacity_bootstrap_servers, "step");
    capacity_cmd->add_option("--start", capacity.start_rate,
                             "First step's rate (default the scenario's rate), e.g. 100/s");
    capacity_cmd->add_option("--max-rate", capacity.max_rate,
                             "Never offer more (default 8 x the start)");
    capacity_cmd
        ->add_option("--precision", capacity.precision,
                     "Stop bisecting when a ceiling is known to within this share")
        ->capture_default_str();
    capacity_cmd->add_option("--step", capacity.step, "Measured seconds of each step")
        ->capture_default_str();
    capacity_cmd->add_option("--step-warmup", capacity.warmup, "Warm-up of each step")
        ->capture_default_str();
    capacity_cmd->add_option("--max-steps", capacity.max_steps, "Steps per mode at most")
        ->capture_default_str();

    auto* list_cmd = app.add_subcommand("list", "List the scenarios and what each one answers");
    std::string scenarios_dir;
    list_cmd->add_option("--dir", scenarios_dir, "Scenario folder (default ./scenarios)");

    asyncbench::compare_options compare;
    auto* compare_cmd = app.add_subcommand(
        "compare",
        "Compare a candidate run with a baseline run (two result.json files; give each run\n"
        "--repeat 5 or more) on the metrics declared as gates: every threshold of either run\n"
        "(except `during` ones: per-window values are not kept per repetition) and each\n"
        "--metric, in each mode both ran; plus the correctness checks lost, duplicate_effects\n"
        "and broken_invariants, always.\n"
        "Per gate: each side's median, min and max over its valid repetitions, the change of\n"
        "the median in % of the baseline's, and a two-sided Mann-Whitney U test. A gate is\n"
        "WORSE only when p < alpha AND the median moved beyond --min-effect in the bad\n"
        "direction (better symmetrically). With fewer than 5 valid repetitions a side the test\n"
        "cannot reach 0.05: 'not enough repetitions', never a failure. Correctness is worse by\n"
        "any amount, without statistics.\n"
        "Runs of different scenarios, settings, broker kinds or database kinds are refused\n"
        "unless --force; a different host, CPU or core count is a warning (compare on one\n"
        "machine). The Markdown goes to stdout, ready for $GITHUB_STEP_SUMMARY.\n\n"
        "Example:\n"
        "  asyncbench compare main/result.json pr/result.json --metric async.completion_p99 \\\n"
        "      --junit compare.xml --bmf bmf.json >> \"$GITHUB_STEP_SUMMARY\"");
    compare_cmd->footer(
        "Exit codes: 0 nothing worse and both runs valid; 1 a gate or a correctness check is\n"
        "worse (a regression); 2 usage error (a file unreadable, not a result.json or of a newer\n"
        "version; a bad --metric, --alpha or --min-effect; runs that differ, without --force);\n"
        "3 nothing worse, but a run is not valid, so its numbers cannot be trusted.");
    compare_cmd->add_option("baseline", compare.baseline_path, "The baseline's result.json")
        ->required();
    compare_cmd->add_option("candidate", compare.candidate_path, "The candidate's result.json")
        ->required();
    compare_cmd
        ->add_option("--metric", compare.metrics,
                     "Also compare [sync.|async.]METRIC[:lower|:higher] (repeatable; "
                     "`asyncbench metrics` lists the names); a scenario metric needs :lower or "
                     ":higher unless a threshold on it gives the direction")
        ->allow_extra_args(false);
    compare_cmd
        ->add_option("--alpha", compare.alpha, "Significance level of the U test, between 0 and 1")
        ->capture_default_str();
    compare_cmd
        ->add_option("--min-effect", compare.min_effect,
                     "Smallest change of the median that counts, in % of the baseline's median")
        ->capture_default_str();
    compare_cmd->add_flag("--force", compare.force,
                          "Compare runs that differ in scenario, settings, broker or database "
                          "kind, and list what differed");
    compare_cmd->add_option("--markdown", compare.markdown_path, "Also write the Markdown to FILE");
    compare_cmd->add_option("--junit", compare.junit_path,
                            "Write JUnit XML to FILE: one test case per threshold of the "
                            "candidate and per compared metric and mode");
    compare_cmd->add_option("--bmf", compare.bmf_path,
                            "Write Bencher Metric Format JSON to FILE: the candidate's median, "
                            "min and max per gate");

    std::string metrics_scenario;
    auto* metrics_cmd = app.add_subcommand(
        "metrics", "List the metric names thresholds and `compare --metric` accept");
    metrics_cmd->add_option("scenario", metrics_scenario,
                            "A scenario file: also list its own metrics and faults");

    asyncbench::load_options load;
    auto* load_cmd = app.add_subcommand(
        "load",
        "Aim the load generator at any HTTP URL (open loop, latency from the intended send time, "
        "as wrk2): prints a summary, writes load.json and latency/*.hgrm");
    load_cmd->add_option("url", load.url, "http://HOST[:PORT][/PATH]")->required();
    load_cmd->add_option("--rate", load.rate,
                         "Open loop: requests per second, sent on schedule whatever the answers "
                         "(e.g. 200/s)");
    load_cmd
        ->add_option("--users", load.users,
                     "Closed loop instead: N users, each sending when its answer came back")
        ->check(CLI::Range(1, 100000));
    load_cmd->add_option("--think", load.think, "Closed loop: pause between a user's requests")
        ->capture_default_str();
    load_cmd->add_option("--duration", load.duration, "Measured phase")->capture_default_str();
    load_cmd->add_option("--warmup", load.warmup, "Sent, not counted")->capture_default_str();
    load_cmd->add_option("--method", load.method, "HTTP method")->capture_default_str();
    load_cmd->add_option("--body", load.body_file, "A file: the body of every request");
    load_cmd->add_option("--body-template", load.body_template,
                         "The body of every request, {seq} replaced by its number (e.g. "
                         "'{\"id\": \"o-{seq}\"}')");
    load_cmd->add_option("--header", load.headers, "'Name: value', repeatable");
    load_cmd
        ->add_option("--connections", load.connections,
                     "Open loop: connections the generator may open")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    load_cmd->add_option("--timeout", load.timeout, "Per request")->capture_default_str();
    load_cmd->add_option("--out", load.out, "Folder for load.json and latency/")
        ->capture_default_str();

    std::string mock_name;
    int mock_port = 0;
    std::string mock_config;
    std::string mock_bind = "127.0.0.1";
    auto* mock_cmd =
        app.add_subcommand("mock", "Run one mock external system standalone until Ctrl-C");
    mock_cmd->add_option("system", mock_name, "System name, e.g. lp, payroll, erp")->required();
    mock_cmd->add_option("--port", mock_port, "TCP port (0 = any free port)")
        ->check(CLI::Range(0, 65535));
    mock_cmd
        ->add_option("--bind", mock_bind,
                     "Address to listen on. Loopback by default; another address (0.0.0.0: "
                     "all) exposes the operations and the admin endpoints (/_mock/...: change "
                     "latency, start an outage, reset), which have no authentication, to "
                     "everyone who can reach it")
        ->capture_default_str();
    mock_cmd->add_option("--config", mock_config,
                         "A scenario file (its systems.<system> entry is used) or a system "
                         "file with default:/operations:");

    std::string result_path;
    std::string report_out;
    auto* report_cmd =
        app.add_subcommand("report", "Regenerate report.md and report.html from a result.json");
    report_cmd->add_option("result", result_path, "A result.json written by `run`")->required();
    report_cmd->add_option("--out", report_out, "Output folder (default: beside result.json)");

    asyncbench::worker_options worker;
    auto* worker_cmd = app.add_subcommand(
        "worker",
        "Run consumer workers of a scenario's Kafka pipeline in this process until SIGTERM.\n"
        "`run` starts these itself when the scenario sets async.worker_processes; start more\n"
        "by hand to scale consumers out. Events go to stdout, logs to stderr.");
    worker_cmd->add_option("scenario", worker.scenario_path, "Scenario YAML file")->required();
    worker_cmd->add_option("--bootstrap-servers", worker.bootstrap_servers, "Kafka to consume from")
        ->required();
    worker_cmd
        ->add_option("--run-id", worker.run_id,
                     "The run whose groups to join (asyncbench.<scenario>.<stage>.<id>)")
        ->required();
    worker_cmd->add_option("--topic", worker.topic,
                           "The pipeline's topic, when the run renamed it (a repetition or a "
                           "capacity step has its own); default: the scenario's");
    worker_cmd
        ->add_option("--process", worker.process,
                     "This process's index: runs members m with m % processes == index")
        ->capture_default_str();
    worker_cmd
        ->add_option("--processes", worker.processes,
                     "How many worker processes share "
                     "each group")
        ->capture_default_str();
    worker_cmd->add_option("--sqlite", worker.sqlite, "The mode's SQLite file");
    worker_cmd->add_option("--postgres", worker.postgres, "The mode's PostgreSQL URL");
    worker_cmd->add_option("--schema", worker.schema, "The mode's PostgreSQL schema");
    worker_cmd->add_option("--redis", worker.redis,
                           "The run's Redis (redis://HOST:PORT), for scenarios that declare keys");
    worker_cmd->add_option("--redis-prefix", worker.redis_prefix,
                           "The mode's Redis key prefix, as the harness gives it");
    worker_cmd->add_option("--system", worker.systems,
                           "NAME=HOST:PORT of a mock system (one per system, repeatable)");
    worker_cmd->add_option("-X", worker.client_settings,
                           "librdkafka setting, as for `run` (repeatable)");
    worker_cmd->add_flag("--exit-with-stdin", worker.exit_with_stdin,
                         "Stop when stdin reaches EOF (the harness passes a pipe, so workers "
                         "never outlive it)");
    worker_cmd->add_flag("--static-assignment", worker.static_assignment,
                         "Assign partitions by member index instead of joining the group (the "
                         "embedded mock cluster)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    spdlog::set_pattern("%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_level(verbose ? spdlog::level::debug
                      : quiet ? spdlog::level::warn
                              : spdlog::level::info);
    // Thousands of connections (the APIs' clients, the generator's, the mocks') need more
    // descriptors than Linux's default soft limit of 1,024.
    const auto descriptors = asyncbench::raise_descriptor_limit();
    spdlog::debug("open file descriptors: at most {} (hard limit {})", descriptors.soft,
                  descriptors.hard);

    if (*run_cmd) {
        if (!rate.empty()) run.overrides.rate = rate;
        if (!duration.empty()) run.overrides.duration = duration;
        if (!bootstrap_servers.empty()) run.kafka = bootstrap_servers;
        return asyncbench::run_command(run);
    }
    if (*worker_cmd) return asyncbench::worker_command(worker);
    if (*capacity_cmd) {
        if (!capacity_bootstrap_servers.empty()) capacity.run.kafka = capacity_bootstrap_servers;
        return asyncbench::capacity_command(capacity);
    }
    if (*list_cmd) {
        return asyncbench::list_command(scenarios_dir.empty() ? asyncbench::default_scenarios_dir()
                                                              : scenarios_dir);
    }
    if (*metrics_cmd) return asyncbench::metrics_command(metrics_scenario);
    if (*load_cmd) return asyncbench::load_command(load);
    if (*compare_cmd) return asyncbench::compare_command(compare);
    if (*mock_cmd) {
        return asyncbench::run_mock_command(mock_name, static_cast<std::uint16_t>(mock_port),
                                            mock_config, mock_bind);
    }
    return report_command(result_path, report_out);
}
