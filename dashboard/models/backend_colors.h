// One colour per backend, used wherever placement is shown (table cells,
// stacked bars), so that "xnnpack" is the same blue everywhere.
#pragma once

#include <QColor>
#include <QHash>
#include <QString>

namespace opscope::dashboard {

inline QColor backend_color(const QString& backend) {
  if (backend == QLatin1String("xnnpack")) return QColor(0x3b, 0x7d, 0xd8);
  if (backend == QLatin1String("cpu")) return QColor(0xe8, 0x8a, 0x2e);
  if (backend == QLatin1String("opencl")) return QColor(0x3a, 0xa6, 0x5c);
  // Anything else (a new backend, "xnnpack+cpu" for a split source op): a
  // stable colour from its name.
  return QColor::fromHsv(static_cast<int>(qHash(backend) % 360), 110, 200);
}

// The light tint of a backend's colour for table cell backgrounds.
inline QColor backend_tint(const QString& backend) {
  QColor c = backend_color(backend);
  c.setAlpha(70);
  return c;
}

}  // namespace opscope::dashboard
