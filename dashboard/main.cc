// opscope-dashboard [STORE]: the Qt desktop app over a results store (a
// SQLite file or a PostgreSQL URL).
// Thin: everything lives in opscope_dashboard_lib.
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>

#include "dashboard/views/main_window.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("opscope"));
  QApplication::setApplicationName(QStringLiteral("opscope-dashboard"));
  QApplication::setApplicationVersion(QStringLiteral("0.1.0"));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral(
      "Shows an opscope results store: runs, comparisons with the gate's verdicts, per-operator "
      "times and diffs, trends. STORE is a results file or a PostgreSQL URL "
      "(postgresql://USER@HOST:5432/DATABASE, password from ~/.pgpass). Without STORE it opens "
      "$OPSCOPE_DB when set, else ./opscope.db when there is one (the CLI's default store), "
      "else use File > Open or File > Open Connection."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(
      QStringLiteral("store"),
      QStringLiteral("the results store to open (what opscope run --db took: a file or a URL)"),
      QStringLiteral("[STORE]"));
  parser.process(app);

  opscope::dashboard::MainWindow window;
  window.show();
  const QStringList args = parser.positionalArguments();
  const QString from_env = qEnvironmentVariable("OPSCOPE_DB");
  if (!args.isEmpty()) {
    window.openStore(args.first());
  } else if (!from_env.isEmpty()) {
    window.openStore(from_env);
  } else if (QFileInfo::exists(QStringLiteral("opscope.db"))) {
    window.openStore(QStringLiteral("opscope.db"));
  } else {
    window.runsView()->setMessage(QStringLiteral(
        "No results store open: use File > Open (or pass one: opscope-dashboard results.db)."));
  }
  return app.exec();
}
