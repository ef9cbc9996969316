// GoogleTest main for the dashboard tests: a QApplication first (widgets,
// charts and QSignalSpy need one), on the offscreen platform unless the
// environment names another.
#include <gtest/gtest.h>

#include <QApplication>

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("opscope-tests"));
  QApplication::setApplicationName(QStringLiteral("opscope-dashboard-tests"));
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
