# SPDX-License-Identifier: BSD-2-Clause
# fuzz_nms_request: the NMS's registrar and verifier handlers (src/ras/) fed
# arbitrary JSON bodies (tests/fuzz/fuzz_nms_request.c). Included from
# tests/fuzz/CMakeLists.txt, which set fuzz_flags.
if(TARGET qtpm_ras)
  foreach(lib qtpm_ras qtpm_store qtpm_attest qtpm_manufacture qtpm_tss)
    if(TARGET ${lib})
      target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
    endif()
  endforeach()
  add_executable(fuzz_nms_request ${CMAKE_CURRENT_LIST_DIR}/fuzz_nms_request.c)
  target_compile_options(fuzz_nms_request PRIVATE ${fuzz_flags})
  target_link_options(fuzz_nms_request PRIVATE ${fuzz_flags})
  target_link_libraries(fuzz_nms_request PRIVATE qtpm_ras)
  set(nms_work ${CMAKE_CURRENT_BINARY_DIR}/nms-work)
  file(MAKE_DIRECTORY ${nms_work})
  add_test(NAME fuzz_nms_request_seeds
           COMMAND fuzz_nms_request -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-nms)
  add_test(NAME fuzz_nms_request_run
           COMMAND fuzz_nms_request -max_total_time=15 -timeout=10 -rss_limit_mb=2048
                   ${nms_work} ${CMAKE_CURRENT_LIST_DIR}/corpus-nms)
  set_tests_properties(fuzz_nms_request_seeds fuzz_nms_request_run
                       PROPERTIES LABELS fuzz TIMEOUT 120)
  add_dependencies(fuzz_all fuzz_nms_request)
endif()
