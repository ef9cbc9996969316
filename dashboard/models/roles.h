// Item roles shared by the dashboard's models.
#pragma once

#include <Qt>

namespace opscope::dashboard {

// The raw value a column sorts by (a number where the display is formatted);
// every proxy in the dashboard sorts by this role.
inline constexpr int kSortRole = Qt::UserRole + 1;
// The run id a row stands for (RunsModel), as qint64.
inline constexpr int kRunIdRole = Qt::UserRole + 2;

}  // namespace opscope::dashboard
