# The ssh transport against a real OpenSSH server on 127.0.0.1
# (start_sshd.sh): skipped where sshd is missing, failed there when
# OPSCOPE_REQUIRE_SSHD=1 (scripts/test.sh).
add_library(opscope_sshd_fixture STATIC ${CMAKE_CURRENT_LIST_DIR}/sshd_fixture.cc)
target_include_directories(opscope_sshd_fixture PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(opscope_sshd_fixture PUBLIC opscope_devices GTest::gtest)
target_compile_definitions(opscope_sshd_fixture PRIVATE
  OPSCOPE_START_SSHD_SCRIPT="${CMAKE_CURRENT_LIST_DIR}/start_sshd.sh")

opscope_add_test(ssh_transport_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/ssh_transport_test.cc
  LIBS opscope_devices opscope_sshd_fixture
  LABELS devices)
set_tests_properties(ssh_transport_test PROPERTIES TIMEOUT 300)
