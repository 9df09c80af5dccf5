# fuzz_attest_parsers: libqtpm-attest's parsers of untrusted input (the
# agent's IMA lists, binary and ASCII, and a vendor's digest list), one
# target dispatching on the first byte (tests/fuzz/fuzz_attest_parsers.c).
# Included from tests/fuzz/CMakeLists.txt, which set fuzz_flags.
if(TARGET qtpm_attest)
  target_compile_options(qtpm_attest PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
  add_executable(fuzz_attest_parsers ${CMAKE_CURRENT_LIST_DIR}/fuzz_attest_parsers.c)
  target_compile_options(fuzz_attest_parsers PRIVATE ${fuzz_flags})
  target_link_options(fuzz_attest_parsers PRIVATE ${fuzz_flags})
  target_link_libraries(fuzz_attest_parsers PRIVATE qtpm_attest)
  set(attest_work ${CMAKE_CURRENT_BINARY_DIR}/attest-work)
  file(MAKE_DIRECTORY ${attest_work})
  add_test(NAME fuzz_attest_parsers_seeds
           COMMAND fuzz_attest_parsers -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-attest)
  add_test(NAME fuzz_attest_parsers_run
           COMMAND fuzz_attest_parsers -max_total_time=15 -timeout=10 -rss_limit_mb=2048
                   ${attest_work} ${CMAKE_CURRENT_LIST_DIR}/corpus-attest)
  set_tests_properties(fuzz_attest_parsers_seeds fuzz_attest_parsers_run
                       PROPERTIES LABELS fuzz TIMEOUT 120)
  add_dependencies(fuzz_all fuzz_attest_parsers)
endif()
