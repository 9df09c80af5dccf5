# SPDX-License-Identifier: BSD-2-Clause
# fuzz_ldaa_verify: the lattice DAA's decoders of network input (signatures,
# credentials, join requests, issuer keys; src/daa/ldaa*.c, docs/DAA.md).
# Included from tests/fuzz/CMakeLists.txt, which set fuzz_flags; the LDAA
# sources are compiled into the target so the fuzzer sees their coverage.
if(TARGET qtpm_daa)
  set(ldaa_srcs)
  foreach(f ldaa_poly ldaa_tpm ldaa)
    list(APPEND ldaa_srcs ${CMAKE_SOURCE_DIR}/src/daa/${f}.c)
  endforeach()
  add_executable(fuzz_ldaa_verify ${CMAKE_CURRENT_LIST_DIR}/fuzz_ldaa_verify.c ${ldaa_srcs})
  target_include_directories(fuzz_ldaa_verify PRIVATE ${CMAKE_SOURCE_DIR}/src/daa
                             ${CMAKE_SOURCE_DIR}/src/crypto/mldsa ${CMAKE_SOURCE_DIR}/src/internal)
  target_compile_options(fuzz_ldaa_verify PRIVATE ${fuzz_flags})
  target_link_options(fuzz_ldaa_verify PRIVATE ${fuzz_flags})
  target_link_libraries(fuzz_ldaa_verify PRIVATE qtpm_crypto)
  set(ldaa_work ${CMAKE_CURRENT_BINARY_DIR}/ldaa-work)
  file(MAKE_DIRECTORY ${ldaa_work})
  add_test(NAME fuzz_ldaa_verify_seeds
           COMMAND fuzz_ldaa_verify -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-ldaa)
  add_test(NAME fuzz_ldaa_verify_run
           COMMAND fuzz_ldaa_verify -max_total_time=20 -timeout=10 -rss_limit_mb=4096
                   ${ldaa_work} ${CMAKE_CURRENT_LIST_DIR}/corpus-ldaa)
  set_tests_properties(fuzz_ldaa_verify_seeds fuzz_ldaa_verify_run
                       PROPERTIES LABELS fuzz TIMEOUT 120)
  add_dependencies(fuzz_all fuzz_ldaa_verify)
endif()
