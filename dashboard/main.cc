// opscope-dashboard [results.db]: the Qt desktop app over a results store.
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
      "times and diffs, trends. Without results.db it opens ./opscope.db when there is one "
      "(the CLI's default store), else use File > Open."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("results.db"),
                               QStringLiteral("the results store to open (opscope run --db FILE)"),
                               QStringLiteral("[results.db]"));
  parser.process(app);

  opscope::dashboard::MainWindow window;
  window.show();
  const QStringList args = parser.positionalArguments();
  if (!args.isEmpty()) {
    window.openStore(args.first());
  } else if (QFileInfo::exists(QStringLiteral("opscope.db"))) {
    window.openStore(QStringLiteral("opscope.db"));
  } else {
    window.runsView()->setMessage(QStringLiteral(
        "No results store open: use File > Open (or pass one: opscope-dashboard results.db)."));
  }
  return app.exec();
}
