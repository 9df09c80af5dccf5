# SPDX-License-Identifier: BSD-2-Clause
# fuzz_state_profile: the permanent-state reader (SET_STATEBLOB input) and
# the TPM profile parser (src/engine/profile.c). Included from
# tests/fuzz/CMakeLists.txt, which set fuzz_flags and instrumented the engine.
if(TARGET qtpm_engine)
  add_executable(fuzz_state_profile ${CMAKE_CURRENT_LIST_DIR}/fuzz_state_profile.c)
  target_compile_options(fuzz_state_profile PRIVATE ${fuzz_flags})
  target_link_options(fuzz_state_profile PRIVATE ${fuzz_flags})
  target_link_libraries(fuzz_state_profile PRIVATE qtpm_engine)
  set(profile_work ${CMAKE_CURRENT_BINARY_DIR}/profile-work)
  file(MAKE_DIRECTORY ${profile_work})
  add_test(NAME fuzz_state_profile_seeds
           COMMAND fuzz_state_profile -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-profile)
  add_test(NAME fuzz_state_profile_run
           COMMAND fuzz_state_profile -max_total_time=15 -timeout=10 ${profile_work}
                   ${CMAKE_CURRENT_LIST_DIR}/corpus-profile)
  set_tests_properties(fuzz_state_profile_seeds fuzz_state_profile_run
                       PROPERTIES LABELS fuzz TIMEOUT 120)
  add_dependencies(fuzz_all fuzz_state_profile)
endif()
