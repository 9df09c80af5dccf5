# SPDX-License-Identifier: BSD-2-Clause
# fuzz_nms_channel: the channel-binding request parser (src/nms/channel.c;
# tests/fuzz/fuzz_nms_channel.c). Included from tests/fuzz/CMakeLists.txt, which set
# fuzz_flags.
add_executable(fuzz_nms_channel ${CMAKE_CURRENT_LIST_DIR}/fuzz_nms_channel.c
               ${CMAKE_SOURCE_DIR}/src/nms/channel.c ${CMAKE_SOURCE_DIR}/src/nms/log.c)
target_include_directories(fuzz_nms_channel PRIVATE ${CMAKE_SOURCE_DIR}/src/nms
                           ${CMAKE_SOURCE_DIR}/src/ras)
target_compile_options(fuzz_nms_channel PRIVATE ${fuzz_flags})
target_link_options(fuzz_nms_channel PRIVATE ${fuzz_flags})
target_link_libraries(fuzz_nms_channel PRIVATE qtpm_pqtls qtpm_ras PkgConfig::JANSSON
                      OpenSSL::SSL)
set(channel_work ${CMAKE_CURRENT_BINARY_DIR}/channel-work)
file(MAKE_DIRECTORY ${channel_work})
add_test(NAME fuzz_nms_channel_seeds
         COMMAND fuzz_nms_channel -runs=0 ${CMAKE_CURRENT_LIST_DIR}/corpus-channel)
add_test(NAME fuzz_nms_channel_run
         COMMAND fuzz_nms_channel -max_total_time=15 -timeout=10 -rss_limit_mb=2048
                 ${channel_work} ${CMAKE_CURRENT_LIST_DIR}/corpus-channel)
set_tests_properties(fuzz_nms_channel_seeds fuzz_nms_channel_run PROPERTIES LABELS fuzz
                     TIMEOUT 120)
add_dependencies(fuzz_all fuzz_nms_channel)
