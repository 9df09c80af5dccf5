# SPDX-License-Identifier: BSD-2-Clause
# fuzz_nms_routing: the validators of the NMS's routing API input (routing reports,
# command acks, policy changes; src/nms/routing_check.c) fed arbitrary JSON
# (tests/fuzz/fuzz_nms_routing.c). Included from tests/fuzz/CMakeLists.txt, which set
# fuzz_flags.
if(TARGET qtpm-nms)
  add_executable(fuzz_nms_routing ${CMAKE_CURRENT_LIST_DIR}/fuzz_nms_routing.c
                 ${CMAKE_SOURCE_DIR}/src/nms/routing_check.c)
  target_compile_options(fuzz_nms_routing PRIVATE ${fuzz_flags})
  target_link_options(fuzz_nms_routing PRIVATE ${fuzz_flags})
  target_include_directories(fuzz_nms_routing PRIVATE ${CMAKE_SOURCE_DIR}/src/nms
                             ${CMAKE_SOURCE_DIR}/src/store)
  target_link_libraries(fuzz_nms_routing PRIVATE PkgConfig::JANSSON PkgConfig::LIBEVENT)
  set(nmsroute_work ${CMAKE_CURRENT_BINARY_DIR}/nmsroute-work)
  file(MAKE_DIRECTORY ${nmsroute_work})
  add_test(NAME fuzz_nms_routing_seeds
           COMMAND fuzz_nms_routing -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-nmsroute)
  add_test(NAME fuzz_nms_routing_run
           COMMAND fuzz_nms_routing -max_total_time=15 -timeout=10 -rss_limit_mb=2048
                   ${nmsroute_work} ${CMAKE_CURRENT_LIST_DIR}/corpus-nmsroute)
  set_tests_properties(fuzz_nms_routing_seeds fuzz_nms_routing_run
                       PROPERTIES LABELS fuzz TIMEOUT 120)
  add_dependencies(fuzz_all fuzz_nms_routing)
endif()
