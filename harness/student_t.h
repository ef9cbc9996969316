// Student's t distribution: the CDF (through the regularized incomplete beta
// function, evaluated by its continued fraction, Numerical Recipes 6.4) and
// the quantile (by bisection on the CDF). What the run-level intervals and
// tests of harness/two_level.h need; no dependency beyond <cmath>.
#pragma once

namespace opscope::harness {

// P(T <= t) for T ~ t(df), df > 0. df = infinity gives the standard normal.
double student_t_cdf(double t, double df);

// The p-quantile (p in (0, 1)) of t(df); df = infinity: the normal quantile.
double student_t_quantile(double p, double df);

}  // namespace opscope::harness
