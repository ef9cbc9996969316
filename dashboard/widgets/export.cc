#include "dashboard/widgets/export.h"

#include <QAbstractItemModel>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPainter>
#include <QPixmap>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTextStream>
#include <QWidget>

namespace opscope::dashboard {
namespace {

bool fail(QString* error, const QString& text) {
  if (error) *error = text;
  return false;
}

}  // namespace

bool save_png(QWidget& widget, const QString& path, QString* error) {
  const QPixmap pixmap = widget.grab();
  if (pixmap.isNull()) return fail(error, QStringLiteral("%1: the view has nothing to draw").arg(path));
  if (!pixmap.save(path, "PNG")) {
    return fail(error, QStringLiteral("%1: cannot write the PNG file (folder missing or not writable?)")
                           .arg(path));
  }
  return true;
}

bool save_svg(QWidget& widget, const QString& path, const QString& title, QString* error) {
  if (!QFileInfo(path).absoluteDir().exists()) {
    return fail(error, QStringLiteral("%1: the folder does not exist").arg(path));
  }
  QSvgGenerator svg;
  svg.setFileName(path);
  svg.setSize(widget.size());
  svg.setViewBox(QRect(QPoint(0, 0), widget.size()));
  svg.setTitle(title);
  svg.setDescription(QStringLiteral("opscope-dashboard"));
  QPainter painter;
  if (!painter.begin(&svg)) {
    return fail(error, QStringLiteral("%1: cannot write the SVG file").arg(path));
  }
  widget.render(&painter);
  painter.end();
  if (QFileInfo(path).size() == 0) {
    return fail(error, QStringLiteral("%1: cannot write the SVG file").arg(path));
  }
  return true;
}

QString csv_field(const QString& text) {
  const bool quote = text.contains(QLatin1Char(',')) || text.contains(QLatin1Char('"')) ||
                     text.contains(QLatin1Char('\n')) || text.contains(QLatin1Char('\r'));
  if (!quote) return text;
  QString s = text;
  s.replace(QLatin1String("\""), QLatin1String("\"\""));
  return QLatin1Char('"') + s + QLatin1Char('"');
}

bool write_csv(const QAbstractItemModel& model, const QString& path, QString* error) {
  QSaveFile file(path);  // all or nothing: no half-written CSV left behind
  if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
    return fail(error, QStringLiteral("%1: %2").arg(path, file.errorString()));
  }
  QTextStream out(&file);
  const int columns = model.columnCount();
  QStringList fields;
  for (int c = 0; c < columns; ++c) {
    fields << csv_field(model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString());
  }
  out << fields.join(QLatin1Char(',')) << '\n';
  for (int r = 0; r < model.rowCount(); ++r) {
    fields.clear();
    for (int c = 0; c < columns; ++c) fields << csv_field(model.index(r, c).data().toString());
    out << fields.join(QLatin1Char(',')) << '\n';
  }
  out.flush();
  if (!file.commit()) return fail(error, QStringLiteral("%1: %2").arg(path, file.errorString()));
  return true;
}

}  // namespace opscope::dashboard
