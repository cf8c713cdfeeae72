#pragma once
// How one attempt at one step ended. A rejection is a business answer (out of stock): final,
// never retried or dead-lettered, answered 409 with its reason. A failure is technical (a
// timeout, a 503, a database error): retried, then dead-lettered.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace asyncbench {

struct step_result {
    enum class status { done, rejected, failed };
    status outcome = status::done;
    std::string detail;  // rejected: the reason, e.g. "out_of_stock"; failed: the error
    // done: figures the API adds to its answer when the step ran inside the request, e.g.
    // {"queue_position", 17}. Collected over a stage's steps (workflow_executor).
    std::vector<std::pair<std::string, std::int64_t>> answer;

    static step_result done() { return {}; }
    static step_result done_with(std::string name, std::int64_t value) {
        step_result result;
        result.answer.emplace_back(std::move(name), value);
        return result;
    }
    static step_result rejected(std::string reason) {
        return {status::rejected, std::move(reason), {}};
    }
    static step_result failed(std::string error) { return {status::failed, std::move(error), {}}; }
    bool is_done() const { return outcome == status::done; }
};

}  // namespace asyncbench
