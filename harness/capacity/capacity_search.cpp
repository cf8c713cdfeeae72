#include "harness/capacity/capacity_search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace asyncbench {
namespace {

constexpr int significant_digits = 3;

// `per_s` on the 3-significant-digit grid, by `to_integer` (round, floor or ceil) of its
// leading digits. Dividing by an exact power of ten keeps 1.37 the double nearest 1.37, so it
// prints as such.
template <typename F>
double on_grid(double per_s, F to_integer) {
    if (!(per_s > 0) || !std::isfinite(per_s)) return per_s;
    const int digits = significant_digits - 1 - static_cast<int>(std::floor(std::log10(per_s)));
    if (digits >= 0) {
        const double scale = std::pow(10.0, digits);
        return to_integer(per_s * scale) / scale;
    }
    const double scale = std::pow(10.0, -digits);
    return to_integer(per_s / scale) * scale;
}

// Floor and ceil forgive the last bit of a product such as 1.23 x 100 = 122.99999999999999.
double floor_rate(double per_s) {
    return on_grid(per_s, [](double x) { return std::floor(x + 1e-9); });
}
double ceil_rate(double per_s) {
    return on_grid(per_s, [](double x) { return std::ceil(x - 1e-9); });
}

bool same_rate(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(a, b); }

// Whether [good, upper) is narrow enough, forgiving the last bit (100 x 5% = 5.000000000000001).
bool within(double precision, double good, double upper) {
    return upper - good <= precision * good * (1 + 1e-9);
}

}  // namespace

double round_rate(double per_s) {
    return on_grid(per_s, [](double x) { return std::round(x); });
}

capacity_search::capacity_search(search_settings settings, bool two_ceilings)
    : settings_(settings), two_ceilings_(two_ceilings) {
    const auto& s = settings_;
    if (!(s.start_per_s > 0) || !std::isfinite(s.start_per_s)) {
        throw std::invalid_argument("capacity search: the start rate must be positive");
    }
    if (!(s.min_per_s > 0) || !(s.max_per_s >= s.min_per_s) || !std::isfinite(s.max_per_s)) {
        throw std::invalid_argument(
            "capacity search: the rates must satisfy 0 < min_per_s <= max_per_s");
    }
    if (!(s.precision > 0) || !(s.growth > 1) || s.max_steps < 1) {
        throw std::invalid_argument(
            "capacity search: precision > 0, growth > 1 and max_steps >= 1 are required");
    }
    max_rate_ = floor_rate(s.max_per_s);
    min_rate_ = ceil_rate(s.min_per_s);
    if (max_rate_ < min_rate_) {
        throw std::invalid_argument(
            fmt::format("capacity search: no rate of 3 significant digits lies between {} and {}",
                        s.min_per_s, s.max_per_s));
    }
}

void capacity_search::record(double offered_per_s, const step_judgement& judgement) {
    if (!(offered_per_s > 0) || !std::isfinite(offered_per_s)) {
        throw std::invalid_argument("capacity search: a step's rate must be positive");
    }
    // One ceiling (sync) is the rate that was sustainable: completing, which implies accepting.
    const bool accepting = two_ceilings_ ? judgement.accepting : judgement.completing;
    history_.push_back(
        recorded_step{offered_per_s, accepting, judgement.completing, judgement.generator_limited});
    derive_bounds();
}

void capacity_search::derive_bounds() {
    const auto bounds_of = [&](bool recorded_step::*good) {
        ceiling_bounds bounds;
        for (const auto& step : history_) {
            if (step.generator_limited || step.*good) continue;
            if (!bounds.lowest_bad || step.rate < *bounds.lowest_bad) bounds.lowest_bad = step.rate;
        }
        // Read conservatively: a success above a failure was luck.
        for (const auto& step : history_) {
            if (step.generator_limited || !(step.*good)) continue;
            if (bounds.lowest_bad && step.rate >= *bounds.lowest_bad) continue;
            if (!bounds.highest_good || step.rate > *bounds.highest_good) {
                bounds.highest_good = step.rate;
            }
        }
        return bounds;
    };
    accepting_ = bounds_of(&recorded_step::accepting);
    completing_ = bounds_of(&recorded_step::completing);
    // Completing needs accepting, so a completing ceiling above the accepting one is noise (or
    // a judgement that broke that rule): the work cannot complete faster than it is accepted.
    clamped_ = false;
    if (completing_.highest_good &&
        (!accepting_.highest_good || *completing_.highest_good > *accepting_.highest_good)) {
        completing_.highest_good = accepting_.highest_good;
        clamped_ = true;
    }
    if (accepting_.lowest_bad &&
        (!completing_.lowest_bad || *accepting_.lowest_bad < *completing_.lowest_bad)) {
        completing_.lowest_bad = accepting_.lowest_bad;
    }
    generator_cap_.reset();
    for (const auto& step : history_) {
        if (step.generator_limited && (!generator_cap_ || step.rate < *generator_cap_)) {
            generator_cap_ = step.rate;
        }
    }
}

bool capacity_search::already_run(double rate) const {
    return std::any_of(history_.begin(), history_.end(),
                       [&](const recorded_step& step) { return same_rate(step.rate, rate); });
}

capacity_search::ceiling_plan capacity_search::plan_for(const ceiling_bounds& bounds) const {
    const auto& g = bounds.highest_good;
    const auto& b = bounds.lowest_bad;
    const auto& cap = generator_cap_;
    const double precision = settings_.precision;
    const auto done = [](std::string reason, bool by_generator = false) {
        return ceiling_plan{std::nullopt, std::move(reason), by_generator};
    };
    const auto precision_reached = [&] {
        return done(fmt::format("precision reached ({:.3g}%)", precision * 100));
    };
    const auto generator_done = [&] {
        if (!g)
            return done(fmt::format("the generator could not offer even {}", step_rate_text(*cap)),
                        true);
        return done(fmt::format("the generator could not offer more than {} (it fell behind at {})",
                                step_rate_text(*g), step_rate_text(*cap)),
                    true);
    };
    // A rate on the grid, within [min, max], below the generator's cap and never run; else
    // `otherwise` (the interval has no untried rate of 3 significant digits left).
    const auto propose = [&](double rate, ceiling_plan otherwise) {
        rate = std::clamp(round_rate(rate), min_rate_, max_rate_);
        if (already_run(rate) || (cap && rate >= *cap)) return otherwise;
        return ceiling_plan{rate, {}, false};
    };

    if (g && b) {  // bisection
        if (within(precision, *g, *b)) return precision_reached();
        if (cap && *cap < *b) {
            if (within(precision, *g, *cap)) return generator_done();
            return propose((*g + *cap) / 2, generator_done());
        }
        return propose((*g + *b) / 2, precision_reached());
    }
    if (g) {  // upwards, exponentially
        if (*g >= max_rate_) {
            return done(fmt::format("max rate reached: at least {}", step_rate_text(*g)));
        }
        const double next = std::min(*g * settings_.growth, max_rate_);
        if (cap && next >= *cap) {
            if (within(precision, *g, *cap)) return generator_done();
            return propose((*g + *cap) / 2, generator_done());
        }
        return propose(next,
                       done(fmt::format("max rate reached: at least {}", step_rate_text(*g))));
    }
    if (b && *b <= min_rate_) {
        return done(fmt::format("even {} was not sustainable", step_rate_text(*b)));
    }
    // Downwards by halves from a failure, or the start when nothing was judged yet; below the
    // generator's cap either way.
    double upper = b ? *b : std::numeric_limits<double>::infinity();
    if (cap) upper = std::min(upper, *cap);
    double next = b ? *b / 2 : settings_.start_per_s;
    if (cap && next >= *cap) next = *cap / 2;
    next = std::max(next, min_rate_);
    if (next >= upper) return generator_done();  // the cap is at the minimum rate
    return propose(next, b ? done(fmt::format("even {} was not sustainable", step_rate_text(*b)))
                           : generator_done());
}

capacity_search::search_plan capacity_search::plan() const {
    search_plan result;
    // Upwards while the API has not failed; then the completing ceiling (the lower one), then
    // the accepting one.
    if (!accepting_.lowest_bad) {
        if (auto p = plan_for(accepting_); p.rate) result.rate = p.rate;
    }
    ceiling_plan completing_plan;
    if (!result.rate && two_ceilings_) {
        completing_plan = plan_for(completing_);
        result.rate = completing_plan.rate;
    }
    ceiling_plan accepting_plan;
    if (!result.rate) {
        accepting_plan = plan_for(accepting_);
        result.rate = accepting_plan.rate;
    }
    if (result.rate) {
        if (steps() >= settings_.max_steps) {
            result.rate.reset();
            result.stop_reason = fmt::format("step limit ({})", settings_.max_steps);
        }
        return result;
    }
    result.by_generator = accepting_plan.by_generator || completing_plan.by_generator;
    if (!two_ceilings_ || completing_plan.done_reason == accepting_plan.done_reason) {
        result.stop_reason = accepting_plan.done_reason;
    } else {
        result.stop_reason = fmt::format("completing: {}; accepting: {}",
                                         completing_plan.done_reason, accepting_plan.done_reason);
    }
    return result;
}

std::optional<double> capacity_search::next_rate() const { return plan().rate; }

std::string capacity_search::stop_reason() const {
    const auto p = plan();
    if (p.rate) return {};
    auto reason = p.stop_reason;
    if (clamped_ && two_ceilings_) {
        reason += fmt::format(
            "; the completing ceiling was clamped to the accepting one ({}): a step passed "
            "completing but not accepting",
            accepting_.highest_good ? step_rate_text(*accepting_.highest_good) : "none");
    }
    return reason;
}

bool capacity_search::stopped_by_generator() const {
    const auto p = plan();
    return !p.rate && p.by_generator;
}

}  // namespace asyncbench
