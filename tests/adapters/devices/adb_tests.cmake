# The adb transport through the real adb client against adb_test_server.py
# (the adb host protocol, one emulated device that is this machine):
# skipped where adb or python3 is missing, failed there when
# OPSCOPE_REQUIRE_ADB=1 (scripts/test.sh).
opscope_add_test(adb_transport_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/adb_transport_test.cc
  LIBS opscope_devices
  LABELS devices)
target_compile_definitions(adb_transport_test PRIVATE
  OPSCOPE_ADB_TEST_SERVER="${CMAKE_CURRENT_LIST_DIR}/adb_test_server.py")
set_tests_properties(adb_transport_test PROPERTIES TIMEOUT 120)
