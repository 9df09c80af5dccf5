# SPDX-License-Identifier: BSD-2-Clause
# fuzz_daa_verify: libqtpm-daa's decoders of network input (signatures,
# credentials, issuer keys, join messages; src/daa, docs/DAA.md). Included
# from tests/fuzz/CMakeLists.txt, which set fuzz_flags; the DAA sources are
# compiled into the target so the fuzzer sees their coverage.
if(TARGET qtpm_daa)
  set(daa_srcs)
  foreach(f field tower curve pairing ecdaa join ldaa_host)
    list(APPEND daa_srcs ${CMAKE_SOURCE_DIR}/src/daa/${f}.c)
  endforeach()
  add_executable(fuzz_daa_verify ${CMAKE_CURRENT_LIST_DIR}/fuzz_daa_verify.c ${daa_srcs})
  target_include_directories(fuzz_daa_verify PRIVATE ${CMAKE_SOURCE_DIR}/src/daa
                             ${CMAKE_SOURCE_DIR}/src/internal)
  target_compile_options(fuzz_daa_verify PRIVATE ${fuzz_flags})
  target_link_options(fuzz_daa_verify PRIVATE ${fuzz_flags})
  target_link_libraries(fuzz_daa_verify PRIVATE qtpm_ldaa qtpm_tss qtpm_marshal qtpm_crypto OpenSSL::Crypto)
  set(daa_work ${CMAKE_CURRENT_BINARY_DIR}/daa-work)
  file(MAKE_DIRECTORY ${daa_work})
  add_test(NAME fuzz_daa_verify_seeds
           COMMAND fuzz_daa_verify -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-daa)
  add_test(NAME fuzz_daa_verify_run
           COMMAND fuzz_daa_verify -max_total_time=20 -timeout=10 -rss_limit_mb=4096 ${daa_work}
                   ${CMAKE_CURRENT_LIST_DIR}/corpus-daa)
  set_tests_properties(fuzz_daa_verify_seeds fuzz_daa_verify_run
                       PROPERTIES LABELS fuzz TIMEOUT 120)
  add_dependencies(fuzz_all fuzz_daa_verify)
endif()
