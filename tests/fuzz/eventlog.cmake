# SPDX-License-Identifier: BSD-2-Clause
# fuzz_eventlog: libqtpm-attest's parser of TCG PC Client binary event logs
# (src/attest/eventlog.c; the firmware's log is untrusted input). Seeds in
# corpus-eventlog are tests/cli/make_eventlog.py's good and bad logs, and
# seabios-q35 and ovmf-q35, real firmware logs of the VM test (tests/attest/vectors).
# Included from tests/fuzz/CMakeLists.txt, which set fuzz_flags;
# attest.cmake already builds qtpm_attest with fuzzer coverage.
if(TARGET qtpm_attest)
  target_compile_options(qtpm_attest PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
  add_executable(fuzz_eventlog ${CMAKE_CURRENT_LIST_DIR}/fuzz_eventlog.c)
  target_compile_options(fuzz_eventlog PRIVATE ${fuzz_flags})
  target_link_options(fuzz_eventlog PRIVATE ${fuzz_flags})
  target_link_libraries(fuzz_eventlog PRIVATE qtpm_attest)
  set(eventlog_work ${CMAKE_CURRENT_BINARY_DIR}/eventlog-work)
  file(MAKE_DIRECTORY ${eventlog_work})
  add_test(NAME fuzz_eventlog_seeds
           COMMAND fuzz_eventlog -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-eventlog)
  add_test(NAME fuzz_eventlog_run
           COMMAND fuzz_eventlog -max_total_time=15 -timeout=10 -rss_limit_mb=2048
                   ${eventlog_work} ${CMAKE_CURRENT_LIST_DIR}/corpus-eventlog)
  set_tests_properties(fuzz_eventlog_seeds fuzz_eventlog_run
                       PROPERTIES LABELS fuzz TIMEOUT 120)
  add_dependencies(fuzz_all fuzz_eventlog)
endif()
