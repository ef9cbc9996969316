// Export of what the dashboard shows: any chart (any widget) to PNG or SVG,
// any table model to CSV. Each returns false and sets *error (naming the
// file and the reason) when it could not write the file.
#pragma once

#include <QString>

class QAbstractItemModel;
class QWidget;

namespace opscope::dashboard {

// The widget as it is on screen (QWidget::grab), device pixel ratio included.
bool save_png(QWidget& widget, const QString& path, QString* error);
// The widget rendered into an SVG document (vector: text and bars stay sharp).
bool save_svg(QWidget& widget, const QString& path, const QString& title, QString* error);
// RFC 4180 CSV: a header row from the horizontal header, then every row's
// display text; fields with a comma, a quote or a line break are quoted.
bool write_csv(const QAbstractItemModel& model, const QString& path, QString* error);
// One CSV field, quoted when needed.
QString csv_field(const QString& text);

}  // namespace opscope::dashboard
