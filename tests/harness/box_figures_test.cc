// box_figures (harness/statistics.h): quartiles and Tukey whiskers, checked
// against values worked out by hand with the R-7 rule (numpy's default).
#include <gtest/gtest.h>

#include <vector>

#include "harness/statistics.h"

namespace opscope::harness {
namespace {

TEST(BoxFigures, QuartilesAndWhiskersOfOneToNine) {
  // R-7 on 1..9: q1 at rank 2 -> 3, median 5, q3 at rank 6 -> 7; IQR 4, so
  // the whiskers reach the extremes 1 and 9 (within 3 - 6 and 7 + 6).
  const BoxFigures b = box_figures({9, 1, 8, 2, 7, 3, 6, 4, 5});
  EXPECT_DOUBLE_EQ(b.q1, 3);
  EXPECT_DOUBLE_EQ(b.median, 5);
  EXPECT_DOUBLE_EQ(b.q3, 7);
  EXPECT_DOUBLE_EQ(b.lower_whisker, 1);
  EXPECT_DOUBLE_EQ(b.upper_whisker, 9);
}

TEST(BoxFigures, OutliersStayOutsideTheWhiskers) {
  // 1,2,3,4,100: q1 2, median 3, q3 4, IQR 2: 100 is beyond 4 + 3, so the
  // upper whisker stops at 4; interpolation: 1,2,3,4 -> q1 = 1.75.
  const BoxFigures b = box_figures({1, 2, 3, 4, 100});
  EXPECT_DOUBLE_EQ(b.q3, 4);
  EXPECT_DOUBLE_EQ(b.upper_whisker, 4);
  EXPECT_DOUBLE_EQ(b.lower_whisker, 1);
  const BoxFigures c = box_figures({4, 3, 2, 1});
  EXPECT_DOUBLE_EQ(c.q1, 1.75);
  EXPECT_DOUBLE_EQ(c.q3, 3.25);
}

TEST(BoxFigures, NoSamplesGiveZeros) {
  const BoxFigures b = box_figures({});
  EXPECT_EQ(b.median, 0);
  EXPECT_EQ(b.upper_whisker, 0);
}

}  // namespace
}  // namespace opscope::harness
