# SPDX-License-Identifier: BSD-2-Clause
# fuzz_provider_shares: qtpm-provider's decoding of client shares and server
# shares (ciphertexts) through EVP (tests/fuzz/fuzz_provider_shares.c).
# Included from tests/fuzz/CMakeLists.txt, which set fuzz_flags.
if(TARGET qtpm_provider_core)
  target_compile_options(qtpm_provider_core PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
  add_executable(fuzz_provider_shares ${CMAKE_CURRENT_LIST_DIR}/fuzz_provider_shares.c)
  target_compile_options(fuzz_provider_shares PRIVATE ${fuzz_flags})
  target_link_options(fuzz_provider_shares PRIVATE ${fuzz_flags})
  target_link_libraries(fuzz_provider_shares PRIVATE qtpm_provider_core)
  set(provider_work ${CMAKE_CURRENT_BINARY_DIR}/provider-work)
  file(MAKE_DIRECTORY ${provider_work})
  add_test(NAME fuzz_provider_shares_seeds
           COMMAND fuzz_provider_shares -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-provider)
  add_test(NAME fuzz_provider_shares_run
           COMMAND fuzz_provider_shares -max_total_time=20 -timeout=10 -rss_limit_mb=2048
                   ${provider_work} ${CMAKE_CURRENT_LIST_DIR}/corpus-provider)
  set_tests_properties(fuzz_provider_shares_seeds fuzz_provider_shares_run
                       PROPERTIES LABELS "fuzz;provider" TIMEOUT 120)
  add_dependencies(fuzz_all fuzz_provider_shares)
endif()
