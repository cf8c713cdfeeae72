#pragma once
// Which rate `asyncbench capacity` runs next for one mode, and when it stops: Nighthawk's
// exponential-then-binary search over short fixed-rate steps, on two ceilings at once in the
// async design (the rate the API accepts and the lower rate at which the work completes; one
// run is judged for both). Pure: the caller runs each proposed step, judges it
// (step_judgement.hpp) and records it, so the stopping rules are tested with made-up systems.
//
// The rules:
// - Rates are rounded to 3 significant digits; no rate is proposed twice, above max_per_s or
//   below min_per_s.
// - Upward (exponential) while the accepting ceiling has no failed step: first the start rate,
//   then highest_good x growth (at most max_per_s). Reaching max_per_s with a good step ends
//   that ceiling: "max rate reached: at least N/s".
// - A ceiling with a failed step and no good one halves downwards; failing at min_per_s ends it:
//   "even N/s was not sustainable".
// - Then bisection: the completing ceiling first (the lower one), then the accepting one, each
//   until (lowest_bad - highest_good) <= precision x highest_good: "precision reached (5%)".
// - A generator-limited step counts as neither good nor bad, and no rate at or above it is
//   proposed again (the machine cannot offer it): the search bisects below it, and a ceiling it
//   hides ends with "the generator could not offer more than N/s".
// - At most max_steps steps: "step limit (20)".
// Noisy, contradictory steps (a failure below a success) are read conservatively: a ceiling's
// highest_good is the highest good rate below its lowest_bad.
#include <optional>
#include <string>
#include <vector>

#include "harness/capacity/step_judgement.hpp"

namespace asyncbench {

struct search_settings {
    double start_per_s = 0;   // the first step (the scenario's rate, or --start); > 0; run
                              // clamped into [min_per_s, max_per_s] and rounded
    double max_per_s = 0;     // never offer more (--max-rate); >= min_per_s
    double min_per_s = 1;     // going down below this stops: even this failed
    double precision = 0.05;  // stop bisecting when (lowest_bad - highest_good) <= this x good
    double growth = 2.0;      // exponential phase: next = highest_good x growth; > 1
    int max_steps = 20;       // a hard bound on steps per mode
};

// Offered rates, per second: the highest that was sustainable and the lowest that was not
// (nullopt: none yet). highest_good < lowest_bad.
struct ceiling_bounds {
    std::optional<double> highest_good;
    std::optional<double> lowest_bad;
};

// `per_s` to 3 significant digits (137.2891 -> 137, 1237.5 -> 1240, 0.04567 -> 0.0457); what
// every proposed rate is.
double round_rate(double per_s);

// One search per mode; not thread-safe.
class capacity_search {
  public:
    // `two_ceilings`: the async design, judged for accepting and completing; otherwise one
    // ceiling (completing() then returns the accepting bounds). Throws std::invalid_argument on
    // settings outside the ranges above.
    capacity_search(search_settings settings, bool two_ceilings);

    // The rate to run next; nullopt when the search is done (see stop_reason()).
    std::optional<double> next_rate() const;
    // A step run at `offered_per_s` (> 0, normally the rate next_rate() proposed) and its
    // judgement. With one ceiling, a step is good when it was `completing` (sustainable).
    void record(double offered_per_s, const step_judgement& judgement);

    const ceiling_bounds& accepting() const { return accepting_; }
    // The completing ceiling, never above the accepting one (a step that passed completing
    // but failed accepting can only be noise, and is clamped; stop_reason() says so).
    const ceiling_bounds& completing() const { return two_ceilings_ ? completing_ : accepting_; }

    // Why the search stopped: one phrase, or one per ceiling when they differ ("completing:
    // precision reached (5%); accepting: max rate reached: at least 800/s"); empty while it
    // goes on.
    std::string stop_reason() const;
    // The search is done and a ceiling was left unknown because the generator could not offer
    // the rates it needed: the result says more about the machine than the system.
    bool stopped_by_generator() const;
    int steps() const { return static_cast<int>(history_.size()); }

  private:
    struct recorded_step {
        double rate;
        bool accepting;
        bool completing;
        bool generator_limited;
    };
    // For one ceiling: the rate it needs next, or why it needs none.
    struct ceiling_plan {
        std::optional<double> rate;
        std::string done_reason;
        bool by_generator = false;
    };
    struct search_plan {
        std::optional<double> rate;
        std::string stop_reason;
        bool by_generator = false;
    };

    ceiling_plan plan_for(const ceiling_bounds& bounds) const;
    search_plan plan() const;
    void derive_bounds();
    bool already_run(double rate) const;

    search_settings settings_;
    bool two_ceilings_;
    double max_rate_;  // max_per_s rounded down, min_per_s rounded up to 3 digits
    double min_rate_;
    std::vector<recorded_step> history_;
    ceiling_bounds accepting_;
    ceiling_bounds completing_;
    std::optional<double> generator_cap_;  // the lowest rate the generator could not offer
    bool clamped_ = false;                 // completing_ was lowered to accepting_
};

}  // namespace asyncbench
