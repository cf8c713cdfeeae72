#pragma once
// PostgreSQL for one run (`--db local`): a throwaway cluster that scripts/postgres/start.sh
// starts in a temporary folder of its own before the modes run, and scripts/postgres/stop.sh
// stops and removes after (the server's log is copied into the run's folder first). The
// harness owns it, so a database_down fault with `how: kill` or `how: stop` can really take it
// down and start it again, through the same scripts a user runs by hand.
#include <filesystem>
#include <mutex>
#include <string>

namespace asyncbench {

class local_postgres {
  public:
    // How a database_down fault takes the server away: `stop` is pg_ctl's fast shutdown (an
    // operator's restart: sessions are ended, the server checkpoints), `kill` is kill -9 of the
    // server's whole process group (a crash: the restart runs crash recovery from the WAL).
    enum class stop_kind { stop, kill };

    // Starts the cluster (a new folder under $TMPDIR or /tmp) and returns once it accepts
    // connections. `log_copy`: where the server's log is copied when it stops. Throws
    // std::runtime_error with the script's own explanation when it does not start.
    explicit local_postgres(std::filesystem::path log_copy);
    ~local_postgres();  // stops the server and removes its folder; never throws
    local_postgres(const local_postgres&) = delete;
    local_postgres& operator=(const local_postgres&) = delete;

    // postgres://postgres@127.0.0.1:PORT/asyncbench; fixed for the object's life (a restart
    // keeps the port), so callable from any thread.
    const std::string& url() const { return url_; }
    // "PostgreSQL 15.8 on 127.0.0.1:55432, started for this run by scripts/postgres/start.sh".
    const std::string& description() const { return description_; }

    // Takes the server down and returns what was done once no process of it runs. Thread-safe
    // (a fault's thread) against bring_up(). Throws std::runtime_error when the script fails.
    std::string take_down(stop_kind how);
    // Starts it again on the same port from its data (crash recovery after a kill) and returns
    // what was done, with the time it took, once it accepts connections. Thread-safe. Throws
    // std::runtime_error with the server log's tail when it does not come back.
    std::string bring_up();

  private:
    void stop_and_remove() noexcept;

    std::filesystem::path dir_;
    std::filesystem::path log_copy_;
    std::string url_;
    std::string description_;
    std::mutex mutex_;  // one script at a time
};

}  // namespace asyncbench
