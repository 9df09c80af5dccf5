# SPDX-License-Identifier: BSD-2-Clause
# fuzz_keyfile: the key files (context files, serialized handles) that the
# CLI and qtpm-provider's qtpm:file: loader parse (tests/fuzz/fuzz_keyfile.c).
# Included from tests/fuzz/CMakeLists.txt, which set fuzz_flags.
if(TARGET qtpm_tss)
  add_executable(fuzz_keyfile ${CMAKE_CURRENT_LIST_DIR}/fuzz_keyfile.c)
  target_compile_options(fuzz_keyfile PRIVATE ${fuzz_flags})
  target_link_options(fuzz_keyfile PRIVATE ${fuzz_flags})
  target_link_libraries(fuzz_keyfile PRIVATE qtpm_tss)
  set(keyfile_work ${CMAKE_CURRENT_BINARY_DIR}/keyfile-work)
  file(MAKE_DIRECTORY ${keyfile_work})
  add_test(NAME fuzz_keyfile_seeds
           COMMAND fuzz_keyfile -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-keyfile)
  add_test(NAME fuzz_keyfile_run
           COMMAND fuzz_keyfile -max_total_time=20 -timeout=10
                   ${keyfile_work} ${CMAKE_CURRENT_LIST_DIR}/corpus-keyfile)
  set_tests_properties(fuzz_keyfile_seeds fuzz_keyfile_run
                       PROPERTIES LABELS "fuzz;provider" TIMEOUT 120)
  add_dependencies(fuzz_all fuzz_keyfile)
endif()
