# SPDX-License-Identifier: BSD-2-Clause
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
  # One target per parser (same source, QTPM_FUZZ_MODE forces the parser).
  set(attest_modes 0 1 2)
  set(attest_names fuzz_ima_binary fuzz_ima_ascii fuzz_digestlist)
  foreach(i 0 1 2)
    list(GET attest_names ${i} t)
    list(GET attest_modes ${i} m)
    add_executable(${t} ${CMAKE_CURRENT_LIST_DIR}/fuzz_attest_parsers.c)
    target_compile_definitions(${t} PRIVATE QTPM_FUZZ_MODE=${m})
    target_compile_options(${t} PRIVATE ${fuzz_flags})
    target_link_options(${t} PRIVATE ${fuzz_flags})
    target_link_libraries(${t} PRIVATE qtpm_attest)
    file(MAKE_DIRECTORY ${attest_work}/${t})
    add_test(NAME ${t}_seeds COMMAND ${t} -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-attest)
    add_test(NAME ${t}_run
             COMMAND ${t} -max_total_time=15 -timeout=10 -rss_limit_mb=2048
                     ${attest_work}/${t} ${CMAKE_CURRENT_LIST_DIR}/corpus-attest)
    set_tests_properties(${t}_seeds ${t}_run PROPERTIES LABELS fuzz TIMEOUT 120)
    add_dependencies(fuzz_all ${t})
  endforeach()
endif()
